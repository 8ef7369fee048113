/**
 * Logging in to MySQL / MariaDB with mysql2, under core's TLS policy.
 *
 * TLS means `ssl: { ca, rejectUnauthorized: true, verifyIdentity: true }`. mysql2 checks the
 * certificate chain with rejectUnauthorized alone but skips the host-name check unless
 * verifyIdentity is set (lib/base/connection.js startTLS), so both are always given. The ssl
 * object is built once per cold start: mysql2 caches its TLS context per ssl object.
 *
 * Host given as an IP address: mysql2 sends no servername then, and Node checks the certificate
 * against `socket._host`, which net.connect only sets for names it looked up — so it checked
 * "localhost" and accepted a certificate for localhost on 127.0.0.2 (seen in tests/tls.test.ts).
 * For IP hosts we hand mysql2 the socket with `_host` set, so the check happens before any
 * credential is sent, and check the peer certificate again after connecting as a second guard.
 */
import { isIP, connect as netConnect } from 'node:net';
import { checkServerIdentity, type TLSSocket } from 'node:tls';
import { type StepContext, TargetOperationError, safeCause } from '@rotators/core';
import { connectWithTlsPolicy, type TlsConfig, type TlsMode } from '@rotators/core/db';
import type { Connection, ConnectionOptions } from 'mysql2/promise';
import { escape as escapeValue } from 'sql-escaper';

export type ConnectFunction = (options: ConnectionOptions) => Promise<Connection>;

/**
 * Production default: one mysql2 connection per login, closed after use. The driver is loaded by the
 * first login, so the steps that log in nowhere (createSecret, finishSecret) never load it (issue 13).
 */
export const defaultConnect: ConnectFunction = async (options) => {
  const { default: mysql } = await import('mysql2/promise');
  (mysql as unknown as ParserCacheControl).setMaxParserCache(PARSER_CACHE_ENTRIES);
  return mysql.createConnection(options);
};

/**
 * mysql2 compiles a row parser (a new script of its own) for each new set of result columns
 * and keeps up to 15 000 of them. The column of SHOW GRANTS FOR is named after the account
 * ("Grants for app@%"), so every secret's users add parsers that no later query reuses: a warm
 * function rotating 500 secrets held 6 MB more heap after the last one than after the 100th
 * (docs/BENCHMARKS.md, fleet). A rotation runs a few dozen distinct queries; 64 keeps those
 * and bounds the rest.
 */
export const PARSER_CACHE_ENTRIES = 64;

/** mysql2 exports these from mysql2/promise (promise.js) without declaring them in its types. */
interface ParserCacheControl {
  setMaxParserCache(max: number): void;
}

/** mysql2 error codes that mean "this user / password is not accepted". */
export const AUTHENTICATION_CODES = [
  'ER_ACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_ACCOUNT_HAS_BEEN_LOCKED',
  // MariaDB reports a locked account as errno 4151, which mysql2 names after MySQL's 4151.
  'ER_BULK_PARSER_INCOMPLETE_ESCAPE_SEQUENCE',
  'ER_NOT_SUPPORTED_AUTH_MODE',
] as const;

export interface Login {
  host: string;
  port: number;
  user: string;
  password: string;
  database?: string | null;
}

/**
 * Every statement gets mysql2's per-query `timeout`: a statement that hangs (a network that stops
 * answering, a server that never replies) must fail inside the Lambda's time, not run into the
 * function's timeout. 3 x CONNECT_TIMEOUT_SECONDS, above the server-side lock_wait_timeout of
 * 2 x (prepareSession), so a statement queued behind a metadata lock is given up by the server first
 * and reported with the server's own code. The Terraform module's minimum timeout assumes these.
 */
export const queryTimeoutSeconds = (connectTimeoutSeconds: number) => 3 * connectTimeoutSeconds;
export const lockWaitSeconds = (connectTimeoutSeconds: number) => 2 * connectTimeoutSeconds;
const queryTimeouts = new WeakMap<Connection, number>();

export class MysqlConnector {
  constructor(
    private readonly connect: ConnectFunction,
    private readonly tls: TlsConfig,
  ) {}

  /** Connect, or throw TargetConnectionError by kind (network, timeout, tls, authentication). */
  open(
    login: Login,
    mode: TlsMode,
    purpose: string,
    ctx: StepContext,
    options: { probe?: boolean } = {},
  ): Promise<Connection> {
    return connectWithTlsPolicy(
      {
        mode,
        tls: this.tls,
        host: login.host,
        purpose,
        logger: ctx.logger,
        errorContext: ctx,
        authenticationCodes: AUTHENTICATION_CODES,
        probe: options.probe,
      },
      async (tls) => {
        const connection = await this.connect({
          host: login.host,
          port: login.port,
          user: login.user,
          password: login.password,
          database: login.database ?? undefined,
          connectTimeout: this.tls.connectTimeoutSeconds * 1000,
          charset: 'UTF8MB4_GENERAL_CI',
          multipleStatements: false,
          ssl: tls ? { ca: tls.ca, rejectUnauthorized: true, verifyIdentity: true } : undefined,
          stream: tls && isIP(login.host) ? () => socketNamed(login.host, login.port) : undefined,
        });
        if (tls) verifyPeerName(connection, login.host);
        queryTimeouts.set(connection, queryTimeoutSeconds(this.tls.connectTimeoutSeconds) * 1000);
        return connection;
      },
    );
  }

  /** Open, run `work`, always close. */
  async with<T>(
    login: Login,
    mode: TlsMode,
    purpose: string,
    ctx: StepContext,
    work: (connection: Connection) => Promise<T>,
    options: { probe?: boolean } = {},
  ): Promise<T> {
    const connection = await this.open(login, mode, purpose, ctx, options);
    try {
      return await work(connection);
    } finally {
      await close(connection, this.tls.connectTimeoutSeconds);
    }
  }
}

/**
 * COM_QUIT, bounded: after a query timeout mysql2 still waits for that query's answer, and a QUIT
 * queued behind it would wait for ever, so such a connection is destroyed instead.
 */
async function close(connection: Connection, seconds: number): Promise<void> {
  if (timedOut.has(connection)) {
    connection.destroy();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([
    connection.end().then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), seconds * 1000);
    }),
  ]);
  clearTimeout(timer);
  if (!ended) connection.destroy();
}

function socketNamed(host: string, port: number) {
  const socket = netConnect(port, host);
  (socket as unknown as { _host: string })._host = host;
  return socket;
}

/** Throws ERR_TLS_CERT_ALTNAME_INVALID (a TLS failure) when the certificate does not name `host`. */
function verifyPeerName(connection: Connection, host: string): void {
  const stream = (connection as unknown as { connection?: { stream?: Partial<TLSSocket> } }).connection?.stream;
  // A resumed TLS session shows no certificate; mysql2 only keeps sessions whose first handshake
  // passed verification (lib/tls_session_cache.js), keyed by host and port.
  if (stream?.isSessionReused?.()) return;
  const certificate = stream?.getPeerCertificate?.(true);
  const error =
    certificate && Object.keys(certificate).length > 0
      ? checkServerIdentity(host, certificate)
      : new Error('no peer certificate on a TLS connection');
  if (error) {
    connection.destroy();
    throw Object.assign(error, { code: (error as { code?: string }).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID' });
  }
}

/**
 * Run one statement; a failure becomes TargetOperationError naming what was being done and the
 * server's error code only (server messages can quote statement text, which may hold a password).
 */
export async function run<T = unknown>(
  connection: Connection,
  what: string,
  sql: string,
  values: unknown[] | undefined,
  ctx: StepContext,
): Promise<T> {
  try {
    return await query<T>(connection, sql, values);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new TargetOperationError(`${what} failed${typeof code === 'string' ? `: ${code}` : ''}`, ctx, {
      cause: safeCause(error),
    });
  }
}

/** One statement with the connection's query timeout; driver errors are passed on as they are (callers wrap them). */
export async function query<T = unknown>(connection: Connection, sql: string, values?: unknown[]): Promise<T> {
  try {
    const [result] = await connection.query({
      sql,
      values,
      timeout: queryTimeouts.get(connection) ?? DEFAULT_QUERY_TIMEOUT_MS,
    });
    return result as T;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'PROTOCOL_SEQUENCE_TIMEOUT') timedOut.add(connection);
    throw error;
  }
}
const timedOut = new WeakSet<Connection>();

// A connection that did not come from MysqlConnector (none in production) still gets a bound.
const DEFAULT_QUERY_TIMEOUT_MS = queryTimeoutSeconds(5) * 1000;

/** Our session must not run with NO_BACKSLASH_ESCAPES: mysql2's escaping relies on backslashes. */
export async function prepareSession(connection: Connection, ctx: StepContext, lockWaitSeconds: number): Promise<void> {
  // A GRANT or ALTER USER queued behind a metadata lock must give up on the server, not run on
  // after the Lambda has timed out and reported failure.
  await run(connection, 'setting lock_wait_timeout', 'SET SESSION lock_wait_timeout = ?', [lockWaitSeconds], ctx);
  const rows = await run<{ mode: string }[]>(
    connection,
    'reading sql_mode',
    'SELECT @@SESSION.sql_mode AS mode',
    undefined,
    ctx,
  );
  const modes = String(rows[0]?.mode ?? '').split(',');
  if (modes.includes('NO_BACKSLASH_ESCAPES')) {
    await run(
      connection,
      'setting sql_mode',
      'SET SESSION sql_mode = ?',
      [modes.filter((m) => m !== 'NO_BACKSLASH_ESCAPES').join(',')],
      ctx,
    );
  }
}

/** `'user'@'host'` through mysql2's escaping (sql-escaper). */
export function account(user: string, host: string): string {
  return `${escapeValue(user)}@${escapeValue(host)}`;
}
