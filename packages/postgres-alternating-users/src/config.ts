/**
 * The function's own settings for this rotator (environment, read once at cold start, all of it
 * here and through core's env reader): what it may do beyond what a secret shows. ADOPT_OWNERSHIP
 * is such a permission, so it lives here and not in the secret, whose writer must gain nothing
 * from writing it.
 */
import { ConfigurationError, createRotationLogger, type Env, readString } from '@rotators/core';
import { type MasterSecretPolicy, readMasterSecretPolicy, readTlsConfig, type TlsConfig } from '@rotators/core/db';

export interface PostgresAlternatingUsersConfig {
  /** REQUIRE_TLS, TLS_CA_BUNDLE_PATH, CONNECT_TIMEOUT_SECONDS (core's tlsPolicy.ts). */
  tls: TlsConfig;
  /** ADOPT_OWNERSHIP, ADOPT_DATABASES. */
  adoption: AdoptionConfig;
  /** MASTER_SECRET_ARNS (core's masterSecrets.ts). */
  masters: MasterSecretPolicy;
}

/** Default: the function's own environment (process.env). */
export function readPostgresAlternatingUsersConfig(env: Env = process.env): PostgresAlternatingUsersConfig {
  return {
    tls: readTlsConfig(env),
    adoption: readAdoptionConfig(env),
    masters: readMasterSecretPolicy(env, createRotationLogger('postgres-alternating-users')),
  };
}

export interface AdoptionConfig {
  /** ADOPT_OWNERSHIP=true: the master moves objects the two users own to the owner role (REASSIGN OWNED). */
  adoptOwnership: boolean;
  /** ADOPT_DATABASES: where REASSIGN OWNED runs; undefined = the secret's dbname. */
  databases?: string[];
}

export function readAdoptionConfig(env: Env): AdoptionConfig {
  const raw = readString(env, 'ADOPT_OWNERSHIP')?.toLowerCase() ?? '';
  let adoptOwnership: boolean;
  if (raw === '' || raw === 'false') adoptOwnership = false;
  else if (raw === 'true') adoptOwnership = true;
  else
    throw new ConfigurationError(
      'ADOPT_OWNERSHIP',
      `Environment variable ADOPT_OWNERSHIP must be "true" or "false" (got "${env.ADOPT_OWNERSHIP}")`,
    );

  const list = readString(env, 'ADOPT_DATABASES');
  if (!list) return { adoptOwnership };
  const databases = list.split(',').map((name) => name.trim());
  if (databases.some((name) => name === '' || /[\u0000-\u001f\u007f]/.test(name) || Buffer.byteLength(name) > 63)) {
    throw new ConfigurationError(
      'ADOPT_DATABASES',
      'Environment variable ADOPT_DATABASES must be a comma-separated list of database names ' +
        '(each 1-63 bytes, no control characters)',
    );
  }
  return { adoptOwnership, databases: [...new Set(databases)] };
}
