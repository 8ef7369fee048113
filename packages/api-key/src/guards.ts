/**
 * The confused-deputy checks: which host a secret may send its key to, which provider and settings
 * a version may be used with, and which key AWSCURRENT may name. Whoever can write the secret
 * chooses its JSON; these hold it to the function's configuration and the provider's own answers.
 */
import { ConfusedDeputyError, type StepContext } from '@rotators/core';
import type { AdapterSettingName } from './adapters/settings.ts';
import type { ListedKey } from './adapters/types.ts';
import { describeRules, isHostAllowed } from './allowedHosts.ts';
import type { ApiKeyConfig } from './config.ts';
import { providerOf, settingsFor } from './providerSettings.ts';
import { type ApiKeySecret, normalizeBaseUrl } from './schema.ts';

/** No request leaves for a host the function's configuration does not name (SSRF). */
export function assertAllowedHost(secret: ApiKeySecret, version: string, config: ApiKeyConfig, ctx: StepContext): void {
  const url = new URL(secret.baseUrl);
  if (isHostAllowed(url, config.allowedHosts)) return;
  throw new ConfusedDeputyError(
    'baseUrl',
    `${version} names baseUrl ${normalizeBaseUrl(secret.baseUrl)}, whose host ` +
      `${url.host} is not allowed by ${config.allowedHostsSource} ` +
      `(${describeRules(config.allowedHosts)}); refusing to send anything to it (field "baseUrl")`,
    ctx,
  );
}

/**
 * The confused-deputy guard: a version may only be used against the provider, base URL and API
 * settings the other version names. Otherwise a planted pending value could make the rotator send
 * a key to another server, or revoke keys of another account.
 */
export function assertSameProvider(
  reference: ApiKeySecret,
  other: ApiKeySecret,
  labels: { reference: string; other: string },
  config: ApiKeyConfig,
  ctx: StepContext,
): void {
  const mismatch = (field: string, detail: string) =>
    new ConfusedDeputyError(
      field,
      `${labels.other} ${detail} than ${labels.reference}; refusing to use it (field "${field}")`,
      ctx,
    );
  if (providerOf(other, config) !== providerOf(reference, config)) {
    throw mismatch(
      'provider',
      `names provider "${providerOf(other, config)}", another provider ("${providerOf(reference, config)}")`,
    );
  }
  const [a, b] = [normalizeBaseUrl(reference.baseUrl), normalizeBaseUrl(other.baseUrl)];
  if (a !== b) throw mismatch('baseUrl', `names baseUrl ${b}, another base URL (${a})`);
  const [settingsA, settingsB] = [settingsFor(reference, config), settingsFor(other, config)];
  for (const name of Object.keys(settingsA) as AdapterSettingName[]) {
    if (settingsA[name] !== settingsB[name]) throw mismatch(`api.${name}`, `has another api.${name} setting`);
  }
}

/** The key AWSCURRENT names must be a key of the account its apiKey manages. */
export function assertCurrentKeyListed(current: ApiKeySecret, listed: ListedKey[], ctx: StepContext): void {
  if (listed.some((k) => k.id === current.keyId)) return;
  // The id is not echoed: it is not a key of the account, so it may be anything someone wrote.
  throw new ConfusedDeputyError(
    'keyId',
    "AWSCURRENT names a keyId that the current key's account does not list; nothing " +
      'is created or revoked until keyId names the key apiKey holds (field "keyId")',
    ctx,
  );
}

/**
 * The pending value must be the one createSecret built: it follows AWSCURRENT. Someone allowed to
 * PutSecretValue could otherwise plant ids that make a later finishSecret revoke a key no rotator made.
 */
export function assertPendingIds(current: ApiKeySecret, pending: ApiKeySecret, ctx: StepContext): void {
  if (pending.previousKeyId !== current.keyId) {
    throw refusePending(
      'previousKeyId',
      `names previousKeyId ${pending.previousKeyId ?? '(none)'}, not the key AWSCURRENT holds (${current.keyId})`,
      ctx,
    );
  }
  const recordable = new Set([
    ...(current.initialKeyIds ?? []),
    ...(current.previousKeyId ? [current.previousKeyId] : []),
  ]);
  const unexpected = (pending.initialKeyIds ?? []).find((id) => !recordable.has(id));
  if (unexpected !== undefined) {
    throw refusePending(
      'initialKeyIds',
      "names in initialKeyIds a key that neither AWSCURRENT's " +
        `initialKeyIds nor its previousKeyId names (${unexpected})`,
      ctx,
    );
  }
}

/**
 * The keys the pending key lists: its own key under this rotation's label (createSecret made it),
 * and AWSCURRENT's key (the pending key is of the same account, not a planted key of another one).
 */
export function assertPendingKeyListed(
  current: ApiKeySecret,
  pending: ApiKeySecret,
  listed: ListedKey[],
  label: string,
  ctx: StepContext,
): void {
  if (!listed.some((k) => k.id === pending.keyId && k.label === label)) {
    throw refusePending(
      'keyId',
      `names keyId ${pending.keyId}, which the pending key's account does not list with this rotation's label ${label}`,
      ctx,
    );
  }
  if (!listed.some((k) => k.id === current.keyId)) {
    throw refusePending(
      'apiKey',
      `holds a key whose account does not list the key AWSCURRENT holds (${current.keyId}): a key of another account`,
      ctx,
    );
  }
}

const refusePending = (field: string, detail: string, ctx: StepContext) =>
  new ConfusedDeputyError(field, `AWSPENDING ${detail}; refusing to promote it (field "${field}")`, ctx);
