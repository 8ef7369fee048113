/**
 * How a password reaches the server.
 *
 * MariaDB writes statements to its general and slow logs (and audit plugins) as received, with
 * the password of `IDENTIFIED BY '…'` in clear text (seen with MariaDB 10.11). For
 * mysql_native_password accounts, MariaDB takes the stored form instead — `IDENTIFIED BY
 * PASSWORD '*<hex of SHA1(SHA1(password))>'` — which is computed here, so the clear password never
 * leaves the function. (This is the new password's hash, computed by us; a hash printed by
 * SHOW GRANTS is never sent back.) MySQL rewrites passwords in its logs itself and has no such
 * form for caching_sha2_password, so MySQL, and MariaDB accounts with other plugins (ed25519,
 * unix_socket…), get `IDENTIFIED BY ?` as a bound value.
 */
import { createHash } from 'node:crypto';
import { type StepContext, TargetOperationError } from '@rotators/core';
import type { Connection } from 'mysql2/promise';
import { run } from './connect.ts';

export type ServerFlavor = 'mariadb' | 'mysql';

export async function serverFlavor(connection: Connection, ctx: StepContext): Promise<ServerFlavor> {
  const rows = await run<{ version: string }[]>(
    connection,
    'reading the server version',
    'SELECT VERSION() AS version',
    undefined,
    ctx,
  );
  return /mariadb/i.test(String(rows[0]?.version ?? '')) ? 'mariadb' : 'mysql';
}

/** MySQL's PASSWORD() for mysql_native_password: '*' + upper hex of SHA1(SHA1(password)). */
export function nativePasswordHash(password: string): string {
  const once = createHash('sha1').update(password, 'utf8').digest();
  return `*${createHash('sha1').update(once).digest('hex').toUpperCase()}`;
}

/**
 * The `IDENTIFIED BY …` clause and its bound value for an account. `plugin` undefined means an
 * account this statement creates.
 */
export function identifiedBy(
  flavor: ServerFlavor,
  plugin: string | undefined,
  password: string,
): { clause: string; value: string } {
  const native = plugin === undefined || plugin === '' || plugin === 'mysql_native_password';
  if (flavor === 'mariadb' && native)
    return { clause: 'IDENTIFIED BY PASSWORD ?', value: nativePasswordHash(password) };
  return { clause: 'IDENTIFIED BY ?', value: password };
}

/** True when `identifiedBy` sends the hash form for an account with this plugin. */
export function sendsHash(flavor: ServerFlavor, plugin: string | undefined): boolean {
  return identifiedBy(flavor, plugin, '').clause === 'IDENTIFIED BY PASSWORD ?';
}

/**
 * MariaDB with a password-validation plugin (simple_password_check, cracklib_password_check…)
 * and strict_password_validation (the default) refuses `IDENTIFIED BY PASSWORD '<hash>'`, since
 * it cannot check a hash: ER_OPTION_PREVENTS_STATEMENT after CREATE USER … may already have run.
 * We never fall back to the clear password (it would reach the general log), so this is found
 * before any write and reported by name.
 */
export class PasswordValidationPluginError extends TargetOperationError {
  override readonly name: string = 'PasswordValidationPluginError';
}

export async function checkHashAccepted(connection: Connection, ctx: StepContext): Promise<void> {
  const plugins = await run<{ name: string }[]>(
    connection,
    'reading the password-validation plugins',
    'SELECT PLUGIN_NAME AS name FROM information_schema.PLUGINS ' +
      "WHERE PLUGIN_TYPE = 'PASSWORD VALIDATION' AND PLUGIN_STATUS = 'ACTIVE' ORDER BY PLUGIN_NAME",
    undefined,
    ctx,
  );
  if (plugins.length === 0) return;
  const [strict] = await run<{ strict: unknown }[]>(
    connection,
    'reading strict_password_validation',
    'SELECT @@GLOBAL.strict_password_validation AS strict',
    undefined,
    ctx,
  );
  if (!Number(strict?.strict)) return;
  throw new PasswordValidationPluginError(
    `MariaDB has the password-validation plugin ${plugins.map((p) => String(p.name)).join(', ')} ` +
      'with strict_password_validation on, which refuses the ' +
      "IDENTIFIED BY PASSWORD '<hash>' form this rotator uses so that the " +
      "password never reaches the server's logs in clear. Nothing was changed. " +
      'Set strict_password_validation=OFF, or uninstall the plugin; ' +
      'the rotator does not fall back to sending the password',
    ctx,
  );
}
