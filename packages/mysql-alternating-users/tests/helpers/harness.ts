/**
 * What every MySQL rotation test needs: a handler on the rotator wired to the local Secrets
 * Manager and to the test kit's database, a count of database connections the rotator opens,
 * secrets that name the database, and ways to look at the database from outside.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import type { RDSClient } from '@aws-sdk/client-rds';
import { createRotationHandler } from '@rotators/core';
import {
  createSecret,
  ensureRotationFunction,
  instrumentClient,
  type MariaDbServer,
  rememberSecret,
  RotationService,
  secretsManagerClient,
} from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import mysql, { type ConnectionOptions } from 'mysql2/promise';
import { AUTHENTICATION_CODES, type ConnectFunction, defaultConnect } from '../../src/connect.ts';
import { createMysqlAlternatingUsersRotator } from '../../src/rotator.ts';

export interface ConnectRecord {
  user: string;
  host: string;
  port: number;
  tls: boolean;
  /** mysql2's connectTimeout, in milliseconds, as the rotator set it. */
  connectTimeout: number | undefined;
  ok?: boolean;
  /** host:port the socket really went to, when the harness routed the host name. */
  routedTo?: string;
  code?: string;
  message?: string;
}

/** A PEM file with the CA the rotator should trust for this server (undefined: none known). */
export function caFileFor(db: MariaDbServer, which: 'server' | 'other' = 'server'): string | undefined {
  // A server the kit started has its CA files in its own folder, removed by stop().
  if (db.certificates) return which === 'server' ? db.certificates.caCertFile : db.certificates.otherCaCertFile;
  const pem = which === 'server' ? db.caCert : db.otherCaCert;
  if (!pem) return undefined;
  // An external server: one file per CA for the whole run, not one per call.
  let file = caFiles.get(pem);
  if (!file) {
    file = join(tmpdir(), `rotators-ca-${randomBytes(6).toString('hex')}.pem`);
    writeFileSync(file, pem);
    caFiles.set(pem, file);
  }
  return file;
}
const caFiles = new Map<string, string>();

export interface HarnessOptions {
  /**
   * Where a host name really is: e.g. an RDS endpoint name of moto's mapped to the loopback server.
   * The connection keeps the name (TLS checks the certificate against it); only the socket goes to `to`.
   */
  route?: (host: string, port: number) => { host: string; port: number } | undefined;
  /** RDS client for RDS_MANAGED_MASTER (moto's RDS). */
  rds?: RDSClient;
}

export async function harness(db: MariaDbServer, env: Record<string, string> = {}, options: HarnessOptions = {}) {
  const endpoint = motoEndpoint();
  const client = secretsManagerClient(endpoint);
  const functionClient = secretsManagerClient(endpoint);
  const probe = instrumentClient(functionClient);
  const connects: ConnectRecord[] = [];
  /** Every statement the rotator sent, in order, with the user it was logged in as. */
  const statements: { user: string; connection: number; sql: string; timeout: number | undefined }[] = [];
  let failStatement: ((sql: string, previous: string[]) => boolean) | undefined;
  let beforeStatement: ((sql: string) => void) | undefined;
  const route = options.route;
  const connect: ConnectFunction = async (options: ConnectionOptions) => {
    const record: ConnectRecord = {
      user: String(options.user),
      host: String(options.host),
      port: Number(options.port),
      tls: options.ssl !== undefined,
      connectTimeout: options.connectTimeout,
    };
    connects.push(record);
    let connection: Awaited<ReturnType<ConnectFunction>>;
    const routed = route?.(String(options.host), Number(options.port));
    if (routed) {
      record.routedTo = `${routed.host}:${routed.port}`;
      options = { ...options, stream: () => netConnect(routed.port, routed.host) };
    }
    try {
      connection = await defaultConnect(options);
      record.ok = true;
    } catch (error) {
      record.ok = false;
      record.code = (error as { code?: string }).code;
      record.message = (error as Error).message;
      throw error;
    }
    const connectionNumber = connects.length;
    const query = connection.query.bind(connection) as (sql: unknown, values?: unknown) => Promise<unknown>;
    // The rotator passes { sql, values, timeout }; a plain string would mean a statement without a timeout.
    (connection as unknown as { query: typeof query }).query = async (options: unknown, values?: unknown) => {
      const sql = typeof options === 'string' ? options : String((options as { sql: string }).sql);
      const timeout = typeof options === 'string' ? undefined : (options as { timeout?: number }).timeout;
      const previous = statements.filter((s) => s.connection === connectionNumber).map((s) => s.sql);
      statements.push({ user: record.user, connection: connectionNumber, sql, timeout });
      beforeStatement?.(sql);
      if (failStatement?.(sql, previous)) {
        failStatement = undefined;
        throw Object.assign(new Error('injected failure: the function stopped here'), { code: 'ECONNRESET' });
      }
      return query(options, values);
    };
    return connection;
  };
  const caFile = caFileFor(db);
  // An external server whose CA is not given: its secrets say ssl: false, which only REQUIRE_TLS=false allows.
  const fullEnv = { ...(caFile ? { TLS_CA_BUNDLE_PATH: caFile } : { REQUIRE_TLS: 'false' }), ...env };
  const rotator = createMysqlAlternatingUsersRotator({ connect, env: fullEnv, rds: options.rds });
  const handler = createRotationHandler(rotator, { client: functionClient, env: fullEnv });
  const service = new RotationService({
    client,
    invoke: handler,
    rotationLambdaArn: await ensureRotationFunction(endpoint),
  });
  const masterArn = await createSecret(
    client,
    { username: db.adminUser, password: db.adminPassword, host: db.host, port: db.port, engine: db.flavor },
    'mysql-master',
  );

  return {
    endpoint,
    client,
    probe,
    connects,
    statements,
    /**
     * The first statement for which `when(sql, statements sent before it on the same connection)` is true fails as if
     * the function had stopped there (a crash or a timeout); later statements run normally.
     */
    failStatementWhen(when: (sql: string, previous: string[]) => boolean) {
      failStatement = when;
    },
    /** Called with each statement right before the rotator sends it (e.g. to make the network stop answering). */
    beforeEachStatement(callback: (sql: string) => void) {
      beforeStatement = callback;
    },
    handler,
    service,
    masterArn,
    /** TLS is verified when the CA is known; otherwise the secrets say ssl: false. */
    ssl: caFile !== undefined,
    /** A secret for an existing user, pointing at the test server. */
    async secretFor(username: string, password: string, extra: Record<string, unknown> = {}): Promise<string> {
      return createSecret(
        client,
        {
          engine: db.flavor,
          host: db.host,
          port: db.port,
          username,
          password,
          masterarn: masterArn,
          ssl: caFile !== undefined,
          ...extra,
        },
        'mysql-app',
      );
    },
  };
}

/** A generated database password, remembered by the log-leak guard. */
export function newPassword(): string {
  const password = `Pw-${randomBytes(15).toString('base64url')}`;
  rememberSecret(password);
  return password;
}

/** Create `user`@`host` with a password, as a DBA would, then apply `grants` (each with ?@? for the account). */
export async function createUser(
  db: MariaDbServer,
  user: string,
  password: string,
  host = '%',
  grants: string[] = [],
): Promise<void> {
  await db.query('CREATE USER ?@? IDENTIFIED BY ?', [user, host, password]);
  for (const grant of grants) await db.query(grant, [user, host]);
}

/** Can `user` log in with `password` (over verified TLS when the CA is known)? */
export async function logsIn(db: MariaDbServer, user: string, password: string, database?: string): Promise<boolean> {
  try {
    const connection = await mysql.createConnection({
      host: db.host,
      port: db.port,
      user,
      password,
      database,
      ssl: db.caCert ? { ca: db.caCert, rejectUnauthorized: true, verifyIdentity: true } : undefined,
    });
    await connection.query('SELECT 1');
    await connection.end();
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if ((AUTHENTICATION_CODES as readonly (string | undefined)[]).includes(code)) return false;
    throw error;
  }
}

/** SHOW GRANTS lines for user@host with the grantee replaced, so two users' lines compare. */
export async function grantLines(db: MariaDbServer, user: string, host = '%'): Promise<string[]> {
  const rows = await db.query<Record<string, string>>('SHOW GRANTS FOR ?@?', [user, host]);
  const grantee = `${mysql.escapeId(user, true)}@${mysql.escapeId(host, true)}`;
  return rows
    .map((row) => String(Object.values(row)[0]))
    .map((line) =>
      line
        .split(grantee)
        .join('<grantee>')
        .replace(/ IDENTIFIED BY PASSWORD '[^']*'/, ''),
    )
    .sort();
}

/**
 * Everything the server knows about these users: their mysql.user rows (authentication string
 * included) and SHOW GRANTS of every account. Equal snapshots = nothing changed.
 */
export async function snapshot(db: MariaDbServer, users: string[]): Promise<string> {
  const rows = await db.query<Record<string, unknown>>(
    'SELECT * FROM mysql.user WHERE User IN (?) ORDER BY User, Host',
    [users],
  );
  const grants: string[][] = [];
  for (const row of rows) {
    const found = await db.query<Record<string, string>>('SHOW GRANTS FOR ?@?', [String(row.User), String(row.Host)]);
    grants.push(found.map((g) => String(Object.values(g)[0])));
  }
  return JSON.stringify({ rows, grants }, (_key, value) =>
    value?.type === 'Buffer' ? Buffer.from(value.data).toString('hex') : value,
  );
}

export async function accountHosts(db: MariaDbServer, user: string): Promise<string[]> {
  return (await db.query<{ Host: string }>('SELECT Host FROM mysql.user WHERE User = ? ORDER BY Host', [user])).map(
    (r) => r.Host,
  );
}

/** Is `user`@`host` locked (ACCOUNT LOCK)? SHOW CREATE USER prints it on MySQL and MariaDB alike. */
export async function isLocked(db: MariaDbServer, user: string, host: string): Promise<boolean> {
  const [row] = await db.query<Record<string, string>>('SHOW CREATE USER ?@?', [user, host]);
  return / ACCOUNT LOCK\b/.test(String(Object.values(row!)[0]).replace(/'(?:[^'\\]|\\.|'')*'/g, "''"));
}

/** mysql.user's stored hash of `user`@`host`: to prove a password was, or was not, changed. */
export async function storedHash(db: MariaDbServer, user: string, host: string): Promise<string> {
  const [row] = await db.query<{ hash: string }>(
    'SELECT authentication_string AS hash FROM mysql.user WHERE User = ? AND Host = ?',
    [user, host],
  );
  return String(row?.hash);
}
