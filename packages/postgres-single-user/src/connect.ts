/**
 * Logging in to PostgreSQL under the TLS policy of core (secret `ssl` field + environment).
 *
 * node-postgres TLS: `ssl: { ca, rejectUnauthorized: true }` is libpq's verify-full: the chain
 * must lead to one of our CAs, and Node's tls.checkServerIdentity compares the certificate with
 * the host we dialled (pg passes `host` to tls.connect, and `servername` for names), so a
 * certificate for another host fails with ERR_TLS_CERT_ALTNAME_INVALID. `ssl: false` is plaintext,
 * and only when the operator set REQUIRE_TLS=false (core's tlsPolicy.ts).
 */
import type { RotationErrorContext, RotationLogger } from '@rotators/core';
import { connectWithTlsPolicy, type TlsConfig, tlsModeFor } from '@rotators/core/db';
import { POSTGRES_AUTHENTICATION_CODES, type PostgresConnect, type PostgresSession } from '@rotators/core/postgres';
import type { PostgresSecret } from './schema.ts';
import { targetOf } from './schema.ts';

export {
  connectWithPg,
  POSTGRES_AUTHENTICATION_CODES,
  POSTGRES_WRONG_PASSWORD_CODE,
  type PostgresConnect,
  type PostgresSession,
} from '@rotators/core/postgres';

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
      tls: options.tls,
      host: target.host,
      purpose: options.purpose,
      logger: options.logger,
      errorContext: options.errorContext,
      authenticationCodes: POSTGRES_AUTHENTICATION_CODES,
      probe: options.probe,
    },
    (tls) =>
      options.connect({
        host: target.host,
        port: target.port,
        database: target.database,
        user: target.username,
        password: secret.password,
        ssl: tls ? { ca: tls.ca, rejectUnauthorized: true } : false,
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

/**
 * Run `work` on an open session, then always close it (an open transaction is rolled back by the
 * server on close); a failure to close is not the step's failure. Every session the rotator opens
 * ends here.
 */
export async function withSession<T>(
  session: PostgresSession,
  work: (session: PostgresSession) => Promise<T>,
): Promise<T> {
  try {
    return await work(session);
  } finally {
    await session.end().catch(() => undefined);
  }
}
