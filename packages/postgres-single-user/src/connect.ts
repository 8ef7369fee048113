/**
 * Logging in to PostgreSQL under the TLS policy of core (secret `ssl` field + environment).
 *
 * node-postgres TLS: `ssl: { ca, rejectUnauthorized: true }` is libpq's verify-full: the chain
 * must lead to one of our CAs, and Node's tls.checkServerIdentity compares the certificate with
 * the host we dialled (pg passes `host` to tls.connect, and `servername` for names), so a
 * certificate for another host fails with ERR_TLS_CERT_ALTNAME_INVALID. `ssl: false` is plaintext,
 * and only when the operator set REQUIRE_TLS=false (core's tlsPolicy.ts).
 */
import { type RotationErrorContext, type RotationLogger } from '@rotators/core';
import { connectWithTlsPolicy, type TlsConfig, tlsModeFor } from '@rotators/core/db';
import pg from 'pg';
import type { PostgresSecret } from './schema.ts';
import { targetOf } from './schema.ts';

/** What the rotator needs from a session. pg.Client fits. */
export interface PostgresSession {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}

/** Opens a session; injected so tests can count calls or make one fail. */
export type PostgresConnect = (config: pg.ClientConfig) => Promise<PostgresSession>;

/**
 * SQLSTATEs of a refused login (kind "authentication"): invalid_password, and
 * invalid_authorization_specification (no such role, role may not log in, pg_hba.conf rejects).
 */
export const POSTGRES_AUTHENTICATION_CODES = ['28P01', '28000'] as const;
/** The one refusal that depends on the password: only it lets setSecret try the next version. */
export const POSTGRES_WRONG_PASSWORD_CODE = '28P01';

export const connectWithPg: PostgresConnect = async (config) => {
  const client = new pg.Client(config);
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

export interface LoginOptions {
  tls: TlsConfig;
  connect: PostgresConnect;
  logger: RotationLogger;
  errorContext: RotationErrorContext;
  /** For messages and logs: "AWSPENDING credentials". */
  purpose: string;
  /** A login expected to fail (is the pending password set yet?): its failure is logged at INFO. */
  probe?: boolean;
}

/** Log in as the secret's user; failures are TargetConnectionError by kind, never with a value. */
export function login(secret: PostgresSecret, options: LoginOptions): Promise<PostgresSession> {
  const target = targetOf(secret);
  const timeoutMillis = options.tls.connectTimeoutSeconds * 1000;
  return connectWithTlsPolicy(
    {
      mode: tlsModeFor(secret.ssl, options.tls, options.errorContext, `the version used for the ${options.purpose}`),
      host: target.host,
      purpose: options.purpose,
      logger: options.logger,
      errorContext: options.errorContext,
      authenticationCodes: POSTGRES_AUTHENTICATION_CODES,
      probe: options.probe,
    },
    (useTls) =>
      options.connect({
        host: target.host,
        port: target.port,
        database: target.database,
        user: target.username,
        password: secret.password,
        ssl: useTls ? { ca: options.tls.ca, rejectUnauthorized: true } : false,
        connectionTimeoutMillis: timeoutMillis,
        // A statement stuck behind a lock must not hold the Lambda until its own timeout. The
        // client's query_timeout only stops waiting: the server would go on running (or waiting
        // for a lock), so the server is told the same limit for statements and lock waits.
        query_timeout: timeoutMillis * 3,
        statement_timeout: timeoutMillis * 3,
        lock_timeout: timeoutMillis * 3,
        application_name: 'rotators/postgres-single-user',
      }),
  );
}
