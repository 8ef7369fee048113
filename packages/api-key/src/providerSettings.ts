/** Which provider, and which adapter settings, apply to a secret under the function's configuration. */
import { GENERIC_DEFAULTS, type AdapterSettings } from './adapters/settings.ts';
import { PROVIDERS, type ProviderName } from './adapters/registry.ts';
import type { ApiKeyConfig } from './config.ts';
import type { ApiKeySecret } from './schema.ts';

// The schema (rotatorSchema) already refuses a secret's own settings without API_SECRET_SETTINGS;
// they are also left out here, so nothing that skipped that parse can bring them in.
export function providerOf(secret: ApiKeySecret, config: ApiKeyConfig): ProviderName {
  return config.secretSettings ? ((secret.provider as ProviderName | undefined) ?? config.provider) : config.provider;
}

/**
 * Precedence: the secret's `api` fields (with API_SECRET_SETTINGS), then the environment, then the provider's
 * preset, then the defaults.
 */
export function settingsFor(secret: ApiKeySecret, config: ApiKeyConfig): AdapterSettings {
  const preset = PROVIDERS[providerOf(secret, config)].preset;
  const fromSecret = config.secretSettings ? (secret.api as Partial<AdapterSettings> | undefined) : undefined;
  return { ...GENERIC_DEFAULTS, ...preset, ...config.adapterSettings, ...fromSecret };
}
