/** One step's view of a secret's provider: its resolved adapter settings, HTTP client and adapter. */
import { ConfusedDeputyError, type StepContext } from '@rotators/core';
import { GENERIC_DEFAULTS, type AdapterSettingName, type AdapterSettings } from './adapters/settings.ts';
import { PROVIDERS, type ProviderName } from './adapters/registry.ts';
import type { KeyProviderAdapter } from './adapters/types.ts';
import { describeRules, isHostAllowed } from './allowedHosts.ts';
import type { ApiKeyConfig } from './config.ts';
import { createKeyApiHttp, type KeyApiHttp, type KeyApiHttpOptions } from './http/client.ts';
import { type ApiKeySecret, normalizeBaseUrl } from './schema.ts';

// The schema (rotatorSchema) already refuses a secret's own settings without API_SECRET_SETTINGS;
// they are also left out here, so nothing that skipped that parse can bring them in.
function providerOf(secret: ApiKeySecret, config: ApiKeyConfig): ProviderName {
  return config.secretSettings ? ((secret.provider as ProviderName | undefined) ?? config.provider) : config.provider;
}

/** Precedence: the secret's `api` fields (with API_SECRET_SETTINGS), then the environment, then the provider's preset, then the defaults. */
export function settingsFor(secret: ApiKeySecret, config: ApiKeyConfig): AdapterSettings {
  const preset = PROVIDERS[providerOf(secret, config)].preset;
  const fromSecret = config.secretSettings ? (secret.api as Partial<AdapterSettings> | undefined) : undefined;
  return { ...GENERIC_DEFAULTS, ...preset, ...config.adapterSettings, ...fromSecret };
}

/** Builds the HTTP client for a step; injected so tests can count or fail calls. */
export type HttpFactory = (options: KeyApiHttpOptions) => KeyApiHttp;

/**
 * The adapter for one step: one HTTP client, so all the step's calls share one time budget.
 * `version` names the secret version for errors ("AWSCURRENT", "AWSPENDING").
 */
export function openSession(secret: ApiKeySecret, version: string, config: ApiKeyConfig, ctx: StepContext, createHttp: HttpFactory = createKeyApiHttp): KeyProviderAdapter {
  assertAllowedHost(secret, version, config, ctx);
  const settings = settingsFor(secret, config);
  const errorContext = ctx;
  const baseUrl = normalizeBaseUrl(secret.baseUrl);
  const http = createHttp({ baseUrl, authHeader: settings.authHeader, authScheme: settings.authScheme, config, logger: ctx.logger, errorContext });
  return PROVIDERS[providerOf(secret, config)].create({ settings, http, errorContext, baseUrl, maxPages: config.maxPages });
}

/** No request leaves for a host the function's configuration does not name (SSRF). */
function assertAllowedHost(secret: ApiKeySecret, version: string, config: ApiKeyConfig, ctx: StepContext): void {
  const url = new URL(secret.baseUrl);
  if (isHostAllowed(url, config.allowedHosts)) return;
  throw new ConfusedDeputyError(
    'baseUrl',
    `${version} names baseUrl ${normalizeBaseUrl(secret.baseUrl)}, whose host ${url.host} is not allowed by ${config.allowedHostsSource} (${describeRules(config.allowedHosts)}); refusing to send anything to it (field "baseUrl")`,
    ctx,
  );
}

/**
 * The confused-deputy guard: a version may only be used against the provider, base URL and API
 * settings the other version names. Otherwise a planted pending value could make the rotator send
 * a key to another server, or revoke keys of another account.
 */
export function assertSameProvider(reference: ApiKeySecret, other: ApiKeySecret, labels: { reference: string; other: string }, config: ApiKeyConfig, ctx: StepContext): void {
  const mismatch = (field: string, detail: string) =>
    new ConfusedDeputyError(field, `${labels.other} ${detail} than ${labels.reference}; refusing to use it (field "${field}")`, ctx);
  if (providerOf(other, config) !== providerOf(reference, config)) {
    throw mismatch('provider', `names provider "${providerOf(other, config)}", another provider ("${providerOf(reference, config)}")`);
  }
  const [a, b] = [normalizeBaseUrl(reference.baseUrl), normalizeBaseUrl(other.baseUrl)];
  if (a !== b) throw mismatch('baseUrl', `names baseUrl ${b}, another base URL (${a})`);
  const [settingsA, settingsB] = [settingsFor(reference, config), settingsFor(other, config)];
  for (const name of Object.keys(settingsA) as AdapterSettingName[]) {
    if (settingsA[name] !== settingsB[name]) throw mismatch(`api.${name}`, `has another api.${name} setting`);
  }
}
