/**
 * What the rotator needs to know about each account (`user`@`host`) of a user: its TLS
 * requirement and authentication plugin (one read of mysql.user, a table in MySQL and a view in
 * MariaDB ≥ 10.4 with the same columns), its stored password hash (only compared, never logged
 * or sent back), and whether it is locked (SHOW CREATE USER: MySQL keeps that in
 * mysql.user.account_locked, MariaDB in mysql.global_priv, both print it there).
 */
import type { StepContext } from '@rotators/core';
import type { Connection } from 'mysql2/promise';
import { run } from './connect.ts';
import { tokenize } from './grantParser.ts';
import type { TlsRequirement } from './tlsRequirement.ts';

export interface Account {
  tls: TlsRequirement;
  /** e.g. mysql_native_password, caching_sha2_password, ed25519. */
  plugin: string;
  /** mysql.user.authentication_string: compared with a hash we compute, nothing else. */
  storedHash: string;
  locked: boolean;
  /** Created by this setSecret call (its TLS requirement has not been set yet). */
  created?: boolean;
}

const text = (value: unknown): string =>
  Buffer.isBuffer(value) ? value.toString('utf8') : value == null ? '' : String(value);

/** Every account of `user`: host → what we know of it. Empty when the user does not exist. */
export async function readAccounts(
  connection: Connection,
  user: string,
  ctx: StepContext,
): Promise<Map<string, Account>> {
  const rows = await run<Record<string, unknown>[]>(
    connection,
    `reading the accounts of user ${user} from mysql.user`,
    'SELECT Host AS host, ssl_type AS type, ssl_cipher AS cipher, x509_issuer AS issuer, ' +
      'x509_subject AS subject, plugin, authentication_string AS hash FROM mysql.user WHERE User = ? ORDER BY Host',
    [user],
    ctx,
  );
  const accounts = new Map<string, Account>();
  for (const row of rows) {
    const host = text(row.host);
    accounts.set(host, {
      tls: {
        type: text(row.type).toUpperCase(),
        cipher: text(row.cipher),
        issuer: text(row.issuer),
        subject: text(row.subject),
      },
      plugin: text(row.plugin),
      storedHash: text(row.hash),
      locked: await isLocked(connection, user, host, ctx),
    });
  }
  return accounts;
}

/** `ACCOUNT LOCK` in SHOW CREATE USER, found as keywords (never inside a quoted hash or comment). */
async function isLocked(connection: Connection, user: string, host: string, ctx: StepContext): Promise<boolean> {
  const rows = await run<Record<string, unknown>[]>(
    connection,
    `reading the lock state of ${user}@${host}`,
    'SHOW CREATE USER ?@?',
    [user, host],
    ctx,
  );
  const tokens = tokenize(text(Object.values(rows[0] ?? {})[0]));
  return tokens.some(
    (token, i) =>
      token.kind === 'word' &&
      token.value.toUpperCase() === 'ACCOUNT' &&
      tokens[i + 1]?.kind === 'word' &&
      tokens[i + 1]!.value.toUpperCase() === 'LOCK',
  );
}
