/**
 * The function's configuration, read once at cold start. Every variable is validated here; a value
 * that cannot be used is a ConfigurationError naming the variable, never a silent default.
 */
import { Agent } from 'node:https';
import * as z from 'zod/mini';
import { ConfigurationError, readBoolean, readCaBundle, readChoice, readInteger, readString } from '@rotators/core';
import {
  type AdapterSettingName,
  type AdapterSettings,
  SETTING_VARIABLES,
  adapterSettingsShape,
} from './adapters/settings.ts';
import { PROVIDERS, type ProviderName } from './adapters/registry.ts';
import { type HostRule, parseAllowedHosts } from './allowedHosts.ts';

export interface ApiKeyConfig {
  /** Adapter for secrets without a `provider` field. */
  provider: ProviderName;
  /** Adapter settings from the environment (a secret's `api` fields override them only with secretSettings). */
  adapterSettings: Partial<AdapterSettings>;
  /** Hosts (and ports) a secret's baseUrl may name: API_ALLOWED_HOSTS, else the provider preset's. */
  allowedHosts: HostRule[];
  /** Where allowedHosts came from, for error messages. */
  allowedHostsSource: string;
  /**
   * API_SECRET_SETTINGS: a secret's `api` fields and a `provider` other than API_PROVIDER are used.
   * Off by default: they decide what is sent and what is stored, and anyone who can write the
   * secret could set them.
   */
  secretSettings: boolean;
  /** Most pages of one key list; an API that still has a next page then is an error. */
  maxPages: number;
  /** One attempt of one request. */
  requestTimeoutMs: number;
  /** Every API call of one step together, retries and waits included: must fit the Lambda timeout. */
  stepTimeoutMs: number;
  /** Retries of one request (idempotent calls; 429 for all). */
  maxRetries: number;
  /** First backoff delay; doubles per retry, capped, with jitter. */
  retryBaseDelayMs: number;
  /** Also revoke the key the secret held before this rotator's first key, once it is older than AWSPREVIOUS. */
  revokeInitialKey: boolean;
  /** TLS trust for the key API: Node's roots, or only API_CA_BUNDLE_PATH's CAs when set. Verification is always on. */
  httpsAgent: Agent;
}

type Env = Record<string, string | undefined>;

/** Default: the function's own environment (process.env), read once at cold start. */
export function readApiKeyConfig(env: Env = process.env): ApiKeyConfig {
  const provider = readChoice(env, 'API_PROVIDER', Object.keys(PROVIDERS) as ProviderName[], 'generic');
  const { allowedHosts, allowedHostsSource } = readAllowedHosts(env, provider);
  return {
    provider,
    adapterSettings: readAdapterSettings(env),
    allowedHosts,
    allowedHostsSource,
    secretSettings: readBoolean(env, 'API_SECRET_SETTINGS', false),
    maxPages: readInteger(env, 'API_MAX_PAGES', { fallback: 20, min: 1, max: 1000 }),
    requestTimeoutMs: readInteger(env, 'API_REQUEST_TIMEOUT_SECONDS', { fallback: 5, min: 1, max: 60 }) * 1000,
    stepTimeoutMs: readInteger(env, 'API_STEP_TIMEOUT_SECONDS', { fallback: 20, min: 1, max: 840 }) * 1000,
    maxRetries: readInteger(env, 'API_MAX_RETRIES', { fallback: 3, min: 0, max: 10 }),
    retryBaseDelayMs: readInteger(env, 'API_RETRY_BASE_DELAY_MS', { fallback: 250, min: 10, max: 10_000 }),
    revokeInitialKey: readBoolean(env, 'API_REVOKE_INITIAL_KEY', false),
    // API_CA_BUNDLE_PATH replaces Node's roots (core env.ts): a private key API pins its own CA.
    httpsAgent: new Agent({ ca: readCaBundle(env, 'API_CA_BUNDLE_PATH'), rejectUnauthorized: true, keepAlive: false }),
  };
}

function readAllowedHosts(env: Env, provider: ProviderName): { allowedHosts: HostRule[]; allowedHostsSource: string } {
  const raw = readString(env, 'API_ALLOWED_HOSTS');
  if (raw)
    return { allowedHosts: parseAllowedHosts(raw, 'API_ALLOWED_HOSTS'), allowedHostsSource: 'API_ALLOWED_HOSTS' };
  const preset = PROVIDERS[provider].hosts;
  if (!preset) {
    // A generic provider has no host of its own: without a list, a secret's writer picks the host.
    throw new ConfigurationError(
      'API_ALLOWED_HOSTS',
      `Environment variable API_ALLOWED_HOSTS is required when API_PROVIDER is ${provider}: the ` +
        "host names (e.g. api.example.com, *.example.com, host:8443) a secret's baseUrl may name",
    );
  }
  return {
    allowedHosts: parseAllowedHosts(preset.join(','), `the ${provider} preset`),
    allowedHostsSource: `the ${provider} preset (API_ALLOWED_HOSTS unset)`,
  };
}

function readAdapterSettings(env: Env): Partial<AdapterSettings> {
  const settings: Partial<Record<AdapterSettingName, unknown>> = {};
  for (const [name, variable] of Object.entries(SETTING_VARIABLES) as Array<[AdapterSettingName, string]>) {
    const raw = readString(env, variable);
    if (raw === undefined) continue;
    // An empty value cannot be told from an unset one in most deployment tools; "none" means empty.
    const value =
      raw === 'none' && (name === 'authScheme' || name === 'pageSizeParam' || name.endsWith('Field')) ? '' : raw;
    const parsed = z.safeParse(adapterSettingsShape[name], value);
    if (!parsed.success) {
      throw new ConfigurationError(
        variable,
        `Environment variable ${variable} ${parsed.error.issues[0]?.message ?? 'is not valid'} (got "${raw}")`,
      );
    }
    settings[name] = parsed.data;
  }
  return settings as Partial<AdapterSettings>;
}
