/**
 * Logging in to PostgreSQL under core's TLS policy, and running statements whose failures never
 * carry statement text (a statement may hold a SCRAM verifier; pg errors can quote it).
 *
 * node-postgres TLS: `ssl: { ca, rejectUnauthorized: true }` is libpq's verify-full (chain to one of
 * our CAs, and Node's checkServerIdentity against the host dialled). `ssl: false` only when the
 * operator set REQUIRE_TLS=false and the secret says "ssl": false (core's tlsPolicy.ts).
 */
import { type StepContext, TargetOperationError, safeCause } from '@rotators/core';
import { connectWithTlsPolicy, type TlsConfig, type TlsMode } from '@rotators/core/db';
import { POSTGRES_AUTHENTICATION_CODES, type PostgresConnect, type PostgresSession } from '@rotators/core/postgres';

export {
  connectWithPg,
  POSTGRES_AUTHENTICATION_CODES,
  type PostgresConnect,
  type PostgresSession,
} from '@rotators/core/postgres';

export interface Login {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

export class PostgresConnector {
  constructor(
    private readonly connect: PostgresConnect,
    private readonly tls: TlsConfig,
  ) {}

  /** Connect, or throw TargetConnectionError by kind (network, timeout, tls, authentication), never with a value. */
  open(
    login: Login,
    mode: TlsMode,
    purpose: string,
    ctx: StepContext,
    options: { probe?: boolean } = {},
  ): Promise<PostgresSession> {
    const timeoutMillis = this.tls.connectTimeoutSeconds * 1000;
    return connectWithTlsPolicy(
      {
        mode,
        tls: this.tls,
        host: login.host,
        purpose,
        logger: ctx.logger,
        errorContext: ctx,
        authenticationCodes: POSTGRES_AUTHENTICATION_CODES,
        probe: options.probe,
      },
      (tls) =>
        this.connect({
          host: login.host,
          port: login.port,
          database: login.database,
          user: login.user,
          password: login.password,
          ssl: tls ? { ca: tls.ca, rejectUnauthorized: true } : false,
          connectionTimeoutMillis: timeoutMillis,
          // A statement stuck behind a lock must not hold the Lambda until its own timeout: the
          // client stops waiting (query_timeout) and the server gives up too (statement and lock
          // timeouts), so a transaction left waiting is rolled back on the server.
          query_timeout: timeoutMillis * 3,
          statement_timeout: timeoutMillis * 3,
          lock_timeout: timeoutMillis * 3,
          application_name: 'rotators/postgres-alternating-users',
        }),
    );
  }

  /** Open, run `work`, always close (an open transaction is rolled back by the server on close). */
  async with<T>(
    login: Login,
    mode: TlsMode,
    purpose: string,
    ctx: StepContext,
    work: (session: PostgresSession) => Promise<T>,
    options: { probe?: boolean } = {},
  ): Promise<T> {
    const session = await this.open(login, mode, purpose, ctx, options);
    try {
      return await work(session);
    } finally {
      await session.end().catch(() => undefined);
    }
  }
}

/**
 * One statement. A failure becomes TargetOperationError naming what was being done and the
 * SQLSTATE only: the server's message, detail or the statement may quote a value.
 */
export async function run(
  session: PostgresSession,
  what: string,
  sql: string,
  params: unknown[] | undefined,
  ctx: StepContext,
): Promise<Record<string, unknown>[]> {
  try {
    return (await session.query(sql, params)).rows;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new TargetOperationError(
      `${ctx.step}: ${what} failed${typeof code === 'string' ? ` (SQLSTATE ${code})` : ''}`,
      ctx,
      { cause: safeCause(error) },
    );
  }
}

/** Statements in one transaction: all or nothing, so a stop between two leaves nothing half done. */
export async function inTransaction(
  session: PostgresSession,
  statements: Statement[],
  ctx: StepContext,
): Promise<void> {
  if (statements.length === 0) return;
  await run(session, 'BEGIN', 'BEGIN', undefined, ctx);
  for (const statement of statements) await run(session, statement.what, statement.sql, undefined, ctx);
  await run(session, 'COMMIT', 'COMMIT', undefined, ctx);
}

/** A statement the rotator plans, with what it does in words (for errors and logs: never the SQL). */
export interface Statement {
  what: string;
  sql: string;
}
