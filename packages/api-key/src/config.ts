/**
 * The function's configuration, read once at cold start. Every variable is validated here; a value
 * that cannot be used is a ConfigurationError naming the variable, never a silent default.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { ConfigurationError } from '@rotators/core';
import { type AdapterSettingName, type AdapterSettings, SETTING_VARIABLES, adapterSettingsShape } from './adapters/settings.ts';
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
  /** TLS trust for the key API: Node's roots, plus API_CA_BUNDLE_PATH when set. Verification is always on. */
  httpsAgent: Agent;
}

type Env = Record<string, string | undefined>;

export function readApiKeyConfig(env: Env): ApiKeyConfig {
  const provider = (env.API_PROVIDER?.trim() || 'generic') as ProviderName;
  if (!(provider in PROVIDERS)) {
    throw new ConfigurationError('API_PROVIDER', `Environment variable API_PROVIDER must be one of ${Object.keys(PROVIDERS).join(', ')} (got "${provider}")`);
  }
  const { allowedHosts, allowedHostsSource } = readAllowedHosts(env, provider);
  return {
    provider,
    adapterSettings: readAdapterSettings(env),
    allowedHosts,
    allowedHostsSource,
    secretSettings: boolean(env, 'API_SECRET_SETTINGS', false),
    maxPages: integer(env, 'API_MAX_PAGES', 20, 1, 1000),
    requestTimeoutMs: integer(env, 'API_REQUEST_TIMEOUT_SECONDS', 5, 1, 60) * 1000,
    stepTimeoutMs: integer(env, 'API_STEP_TIMEOUT_SECONDS', 20, 1, 840) * 1000,
    maxRetries: integer(env, 'API_MAX_RETRIES', 3, 0, 10),
    retryBaseDelayMs: integer(env, 'API_RETRY_BASE_DELAY_MS', 250, 10, 10_000),
    revokeInitialKey: boolean(env, 'API_REVOKE_INITIAL_KEY', false),
    httpsAgent: new Agent({ ca: readCa(env), rejectUnauthorized: true, keepAlive: false }),
  };
}

function readAllowedHosts(env: Env, provider: ProviderName): { allowedHosts: HostRule[]; allowedHostsSource: string } {
  const raw = env.API_ALLOWED_HOSTS?.trim();
  if (raw) return { allowedHosts: parseAllowedHosts(raw, 'API_ALLOWED_HOSTS'), allowedHostsSource: 'API_ALLOWED_HOSTS' };
  const preset = PROVIDERS[provider].hosts;
  if (!preset) {
    // A generic provider has no host of its own: without a list, a secret's writer picks the host.
    throw new ConfigurationError('API_ALLOWED_HOSTS', `Environment variable API_ALLOWED_HOSTS is required when API_PROVIDER is ${provider}: the host names (e.g. api.example.com, *.example.com, host:8443) a secret's baseUrl may name`);
  }
  return { allowedHosts: parseAllowedHosts(preset.join(','), `the ${provider} preset`), allowedHostsSource: `the ${provider} preset (API_ALLOWED_HOSTS unset)` };
}

function readAdapterSettings(env: Env): Partial<AdapterSettings> {
  const settings: Partial<Record<AdapterSettingName, unknown>> = {};
  for (const [name, variable] of Object.entries(SETTING_VARIABLES) as Array<[AdapterSettingName, string]>) {
    const raw = env[variable]?.trim();
    if (!raw) continue;
    // An empty value cannot be told from an unset one in most deployment tools; "none" means empty.
    const value = raw === 'none' && (name === 'authScheme' || name === 'pageSizeParam' || name.endsWith('Field')) ? '' : raw;
    const parsed = adapterSettingsShape[name].safeParse(value);
    if (!parsed.success) {
      throw new ConfigurationError(variable, `Environment variable ${variable} ${parsed.error.issues[0]?.message ?? 'is not valid'} (got "${raw}")`);
    }
    settings[name] = parsed.data;
  }
  return settings as Partial<AdapterSettings>;
}

function readCa(env: Env): string[] | undefined {
  const path = env.API_CA_BUNDLE_PATH?.trim();
  if (!path) return undefined;
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigurationError('API_CA_BUNDLE_PATH', `Environment variable API_CA_BUNDLE_PATH names a file that cannot be read: ${path}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigurationError('API_CA_BUNDLE_PATH', `Environment variable API_CA_BUNDLE_PATH must name a PEM file of CA certificates: ${path}`);
  }
  // Added to Node's roots, not instead of them, so public providers keep working.
  return [...rootCertificates, pem];
}

function integer(env: Env, variable: string, fallback: number, min: number, max: number): number {
  const raw = env[variable]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigurationError(variable, `Environment variable ${variable} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function boolean(env: Env, variable: string, fallback: boolean): boolean {
  const raw = env[variable]?.trim();
  if (!raw) return fallback;
  if (/^(true|1|yes|y|on)$/i.test(raw)) return true;
  if (/^(false|0|no|n|off)$/i.test(raw)) return false;
  throw new ConfigurationError(variable, `Environment variable ${variable} must be true or false (got "${raw}")`);
}
