/**
 * The function's configuration, read once at cold start, all of it here and through core's env
 * reader: a value that cannot be used is a ConfigurationError naming the variable. These are the
 * operator's settings; nothing a secret says can widen them.
 */
import { createRotationLogger, type Env, readBoolean, readInteger } from '@rotators/core';
import { type MasterSecretPolicy, readMasterSecretPolicy, readTlsConfig, type TlsConfig } from '@rotators/core/db';
import { CLONE_SUFFIX, DEFAULT_USERNAME_CHARACTER_LIMIT } from './usernames.ts';

export interface MysqlAlternatingUsersConfig {
  /** REQUIRE_TLS, TLS_CA_BUNDLE_PATH, CONNECT_TIMEOUT_SECONDS (core's tlsPolicy.ts). */
  tls: TlsConfig;
  /** USERNAME_CHARACTER_LIMIT. */
  usernameLimit: number;
  /** ADOPT_EXISTING_CLONE. */
  adoptExisting: boolean;
  /** MASTER_SECRET_ARNS (core's masterSecrets.ts). */
  masters: MasterSecretPolicy;
  /** RDS_MANAGED_MASTER. */
  rdsManaged: boolean;
}

/** Default: the function's own environment (process.env). */
export function readMysqlAlternatingUsersConfig(env: Env = process.env): MysqlAlternatingUsersConfig {
  return {
    tls: readTlsConfig(env),
    usernameLimit: readUsernameCharacterLimit(env),
    adoptExisting: readAdoptExisting(env),
    masters: readMasterSecretPolicy(env, createRotationLogger('mysql-alternating-users')),
    rdsManaged: readRdsManagedMaster(env),
  };
}

/** USERNAME_CHARACTER_LIMIT: 16 for MySQL < 5.7.8, 32 (default) for MySQL 5.7.8+/8, 80 for MariaDB. */
export function readUsernameCharacterLimit(env: Env): number {
  return readInteger(env, 'USERNAME_CHARACTER_LIMIT', {
    fallback: DEFAULT_USERNAME_CHARACTER_LIMIT,
    min: CLONE_SUFFIX.length + 1,
    max: 255,
  });
}

/**
 * ADOPT_EXISTING_CLONE: may setSecret take over a pending user that nothing on the server shows
 * to be this secret's (see ownership.ts)? Also the one-time migration for clones made by a
 * version of this rotator that kept no record: one rotation with it set records them.
 * Default false; "true" lets setSecret take over an existing pending user and record it as this secret's.
 */
export function readAdoptExisting(env: Env): boolean {
  return readBoolean(env, 'ADOPT_EXISTING_CLONE', false);
}

/**
 * RDS_MANAGED_MASTER: default false; true accepts RDS-managed master secrets, their server found through the
 * RDS API (rdsMaster.ts).
 */
export function readRdsManagedMaster(env: Env): boolean {
  return readBoolean(env, 'RDS_MANAGED_MASTER', false);
}
