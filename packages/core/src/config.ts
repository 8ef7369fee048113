/** Engine settings, read from the environment once, when the handler is created (cold start). */
import { ConfigurationError } from './errors.ts';
import { type PasswordPolicy, type PasswordPolicyDefaults, readPasswordPolicy } from './passwordPolicy.ts';

export interface EngineConfig {
  /** Secrets Manager endpoint override (VPC endpoint, local emulator). Undefined: the SDK's default. */
  secretsManagerEndpoint?: string;
  passwordPolicy: PasswordPolicy;
}

export function readEngineConfig(
  env: Record<string, string | undefined>,
  passwordDefaults?: PasswordPolicyDefaults,
): EngineConfig {
  const endpoint = env.SECRETS_MANAGER_ENDPOINT?.trim();
  if (endpoint) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new ConfigurationError(
        'SECRETS_MANAGER_ENDPOINT',
        `Environment variable SECRETS_MANAGER_ENDPOINT is not a URL (got "${endpoint}")`,
      );
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ConfigurationError(
        'SECRETS_MANAGER_ENDPOINT',
        `Environment variable SECRETS_MANAGER_ENDPOINT must be an http(s) URL (got "${endpoint}")`,
      );
    }
  }
  return {
    secretsManagerEndpoint: endpoint || undefined,
    passwordPolicy: readPasswordPolicy(env, passwordDefaults),
  };
}
