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
import type { StepContext } from '@rotators/core';
import type { Connection } from 'mysql2/promise';
import { run } from './connect.ts';

export type ServerFlavor = 'mariadb' | 'mysql';

export async function serverFlavor(connection: Connection, ctx: StepContext): Promise<ServerFlavor> {
  const rows = await run<{ version: string }[]>(connection, 'reading the server version', 'SELECT VERSION() AS version', undefined, ctx);
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
export function identifiedBy(flavor: ServerFlavor, plugin: string | undefined, password: string): { clause: string; value: string } {
  const native = plugin === undefined || plugin === '' || plugin === 'mysql_native_password';
  if (flavor === 'mariadb' && native) return { clause: 'IDENTIFIED BY PASSWORD ?', value: nativePasswordHash(password) };
  return { clause: 'IDENTIFIED BY ?', value: password };
}
