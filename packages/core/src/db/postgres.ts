/// <reference path="./pg-utils.d.ts" />
/**
 * What both PostgreSQL rotators share: the secret's port field and the server's defaults and name
 * limit; about node-postgres, the session they need, the login refusals, and the driver itself,
 * loaded by the first login rather than at cold start, so the steps that log in nowhere
 * (createSecret, finishSecret) never load it (issue 13). SQL escaping is pg's own (libpq's rules),
 * from the module that holds it, which does not load the driver.
 */
import type pg from 'pg';

import pgUtils from 'pg/lib/utils.js';
import * as z from 'zod/mini';

// A CommonJS module: Node's own ES module loader (tsx, the CLI) offers only its default export.
export const { escapeIdentifier, escapeLiteral } = pgUtils;

/** PostgreSQL truncates identifiers to NAMEDATALEN - 1 = 63 bytes: a longer name would address another role. */
export const MAX_ROLE_NAME_BYTES = 63;
export const DEFAULT_PORT = 5432;
export const DEFAULT_DATABASE = 'postgres';

/** A secret's `port`: an integer or a string of digits, 1 to 65535. */
export const portField = z.union([
  z
    .int({ error: 'must be an integer' })
    .check(z.gte(1, { error: 'must be from 1 to 65535' }), z.lte(65535, { error: 'must be from 1 to 65535' })),
  z.string().check(
    z.regex(/^\d{1,5}$/, { error: 'must be a port number', abort: true }),
    z.refine((value) => Number(value) >= 1 && Number(value) <= 65535, { error: 'must be from 1 to 65535' }),
  ),
]);

/** What a rotator needs from a session. pg.Client fits. */
export interface PostgresSession {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}

/** Opens a session; injected so tests can record statements, count calls or make one fail. */
export type PostgresConnect = (config: pg.ClientConfig) => Promise<PostgresSession>;

/**
 * SQLSTATEs of a refused login (kind "authentication"): invalid_password, and
 * invalid_authorization_specification (no such role, role may not log in, pg_hba.conf rejects).
 */
export const POSTGRES_AUTHENTICATION_CODES = ['28P01', '28000'] as const;
/** The one refusal that depends on the password. */
export const POSTGRES_WRONG_PASSWORD_CODE = '28P01';

/** Production default: one pg.Client per login, closed by the caller. */
export const connectWithPg: PostgresConnect = async (config) => {
  const { default: driver } = await import('pg');
  const client = new driver.Client(config);
  // A session dropped by the server later must not become an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
};
