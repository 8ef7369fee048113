/**
 * Each rotator's local target for the proof, started with the test kit and matched by name as the
 * bench matches them (scripts/bench/targets.ts): generic-password → none, postgres-* → a throwaway
 * PostgreSQL cluster (TLS, scram-sha-256, log_statement=all), mysql-* → a throwaway MariaDB (TLS;
 * its general log on, to count writes), api-key* → the fake key API on HTTPS (one server per
 * fixture, so an injected fault reaches no other case). Alternating-users rotators get a master
 * secret (`masterarn`): on PostgreSQL a CREATEROLE role like RDS's master, on MariaDB the kit's
 * admin. Passwords reach the servers only as hashes (a SCRAM verifier, MariaDB's native hash), so
 * the server logs the leak scan reads hold none of the kit's own.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { scramSha256Verifier } from '@rotators/core/db';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { startKeyApi, type KeyApiServer } from '../keyApi.ts';
import { rememberSecret, rememberSecretJson } from '../logCapture.ts';
import { startMariaDb, type MariaDbServer } from '../mariadb.ts';
import { startPostgres, type PostgresServer } from '../postgres.ts';
import type { CallRecorder } from './recorder.ts';
import type { NewSecretOptions, TargetKind } from './types.ts';
import type { Fixture, ServerWriteCounter } from './fixture.ts';
import { httpWire, mysqlConnectWire, pgConnectWire } from './wires.ts';

export const KNOWN_TARGETS =
  'generic-password (none), postgres-* (PostgreSQL), mysql-* (MariaDB), api-key* (the fake key API)';

export function targetKind(rotator: string): TargetKind | undefined {
  if (rotator === 'generic-password') return 'none';
  if (rotator.startsWith('postgres-')) return 'postgres';
  if (rotator.startsWith('mysql-')) return 'mysql';
  if (rotator.startsWith('api-key')) return 'key-api';
  return undefined;
}

/** The api-key rotator's own HTTP factory, which the recording wire wraps. */
export type HttpFactoryLike = Parameters<typeof httpWire>[1];

/** Key API settings of the proof: short waits so faults cost little; 2 attempts per call. */
export const KEY_API_ATTEMPTS = 2;

const DDL = new RegExp(
  // A literal split in two strings (backslashes doubled) to keep lines within 120 characters.
  '\\b(CREATE|ALTER|DROP|GRANT|REVOKE|COMMENT|REASSIGN|INSERT|UPDATE|DELETE|REPLACE|RENAME|TRUNCATE|FLUSH|' +
    'SET\\s+PASSWORD|SET\\s+DEFAULT\\s+ROLE)\\b',
  'i',
);

export function newPassword(): string {
  const password = `Pf${randomBytes(18).toString('base64url')}`;
  rememberSecret(password);
  return password;
}

/** MariaDB's mysql_native_password hash: what the server stores, so the statement holds no password. */
function nativeHash(password: string): string {
  const sha1 = (data: Buffer | string) => createHash('sha1').update(data).digest();
  return `*${sha1(sha1(password)).toString('hex').toUpperCase()}`;
}

export class ProofTargets {
  private postgres?: Promise<PostgresServer>;
  private mariadb?: Promise<{ db: MariaDbServer; generalLog?: string }>;
  private readonly keyApis: KeyApiServer[] = [];
  private readonly runId = `pf${randomBytes(2).toString('hex')}`;
  private count = 0;

  /** A fixture for one rotator (a worker's own: key API fixtures have their own server). */
  async fixture(kind: TargetKind, rotator: string, options: { httpFactory?: HttpFactoryLike } = {}): Promise<Fixture> {
    switch (kind) {
      case 'none':
        return this.noTarget();
      case 'postgres':
        return this.postgresFixture(rotator.includes('alternating'));
      case 'mysql':
        return this.mysqlFixture();
      case 'key-api':
        if (!options.httpFactory)
          throw new Error(`${rotator}: no HTTP factory to wrap (src/http/client.ts createKeyApiHttp)`);
        return this.keyApiFixture(options.httpFactory);
    }
  }

  /** Server versions for the report. */
  async versions(): Promise<{ postgres?: string; mariadb?: string }> {
    const postgres = this.postgres
      ? String(
          (await (await this.postgres).query<{ server_version: string }>('SHOW server_version')).rows[0]
            ?.server_version ?? '',
        )
      : undefined;
    const mariadb = this.mariadb ? (await this.mariadb).db.version : undefined;
    return { postgres, mariadb };
  }

  /** Logs of the servers the leak scan reads: the PostgreSQL statement log, MariaDB's general log. */
  async serverLogs(): Promise<Array<{ source: string; text?: string; unavailable?: string }>> {
    const logs: Array<{ source: string; text?: string; unavailable?: string }> = [];
    if (this.postgres) {
      const server = await this.postgres;
      logs.push(
        server.canReadLog
          ? { source: 'PostgreSQL server log (log_statement=all)', text: server.readLog() }
          : { source: 'PostgreSQL server log', unavailable: 'external server (PG_TEST_HOST): its log is not readable' },
      );
    }
    if (this.mariadb) {
      const { generalLog } = await this.mariadb;
      logs.push(
        generalLog && existsSync(generalLog)
          ? { source: 'MariaDB general log', text: readFileSync(generalLog, 'utf8') }
          : {
              source: 'MariaDB general log',
              unavailable: 'external server (MYSQL_TEST_HOST): its log is not readable',
            },
      );
    }
    return logs;
  }

  async stop(): Promise<void> {
    const stops: Array<Promise<unknown>> = this.keyApis.map((api) => api.stop());
    if (this.postgres) stops.push(this.postgres.then((s) => s.stop()));
    if (this.mariadb) stops.push(this.mariadb.then(({ db }) => db.stop()));
    await Promise.allSettled(stops);
  }

  private name(prefix: string): string {
    this.count += 1;
    return `${this.runId}${prefix}${this.count}`;
  }

  private noTarget(): Fixture {
    return {
      kind: 'none',
      description: 'none (Secrets Manager only): AWSCURRENT must hold a password',
      env: {},
      factoryOptions: () => ({}),
      newSecret: async (client, options) => {
        const value = { username: 'proof', password: newPassword() };
        return {
          secretId: await storeSecret(client, await applyOverride(value, options), 'proof-generic'),
          aliases: {},
        };
      },
      logsIn: async (value) => typeof value.password === 'string' && value.password.length > 0,
    };
  }

  private startPostgres(): Promise<PostgresServer> {
    this.postgres ??= startPostgres();
    return this.postgres;
  }

  private async postgresFixture(alternating: boolean): Promise<Fixture> {
    const server = await this.startPostgres();
    const caFile = server.certificates?.caCertFile ?? process.env.PG_TEST_CA_FILE;
    const ssl = caFile !== undefined;
    const createRole = async (name: string, password: string, attributes = '') =>
      server.query(
        `CREATE ROLE ${pg.escapeIdentifier(name)} LOGIN ${attributes} ` +
          `PASSWORD ${pg.escapeLiteral(scramSha256Verifier(password))}`,
      );
    const endpoint = { engine: 'postgres', host: server.host, port: server.port, ssl };
    let master: { name: string; arn?: string } | undefined;
    const masterArn = async (client: SecretsManagerClient) => {
      if (!master) {
        const name = this.name('m');
        const password = newPassword();
        await createRole(name, password, 'CREATEROLE CREATEDB');
        await server.query(`GRANT CREATE ON DATABASE postgres TO ${pg.escapeIdentifier(name)}`);
        master = { name };
        master.arn = await storeSecret(client, { ...endpoint, username: name, password }, 'proof-pg-master');
      }
      return master;
    };
    return {
      kind: 'postgres',
      description:
        `PostgreSQL on ${server.host} (TLS verified with the kit's CA, scram-sha-256, log_statement=all)` +
        `${alternating ? ', master secret a CREATEROLE role' : ''}`,
      env: caFile ? { TLS_CA_BUNDLE_PATH: caFile } : { REQUIRE_TLS: 'false' },
      factoryOptions: (recorder: () => CallRecorder) => ({ connect: pgConnectWire(recorder) }),
      newSecret: async (client, options) => {
        const base = this.name('u');
        const password = newPassword();
        await createRole(base, password);
        const aliases: Record<string, string> = {
          [base]: 'app',
          [`${base}_clone`]: 'app_clone',
          [`${base}_owner`]: 'app_owner',
        };
        const value: Record<string, unknown> = { ...endpoint, username: base, password, dbname: 'postgres' };
        if (alternating) {
          const m = await masterArn(client);
          value.masterarn = m.arn;
          aliases[m.name] = 'master';
        }
        return { secretId: await storeSecret(client, await applyOverride(value, options), 'proof-pg'), aliases };
      },
      logsIn: (value) => pgLogsIn(server, value),
      serverWrites: server.canReadLog
        ? logWrites('DDL/DCL/DML in the PostgreSQL statement log', () => server.readLog(), /statement: /)
        : undefined,
      serverLog: server.canReadLog ? () => server.readLog() : undefined,
    };
  }

  private startMariaDb(): Promise<{ db: MariaDbServer; generalLog?: string }> {
    this.mariadb ??= (async () => {
      const db = await startMariaDb();
      await db.query('CREATE DATABASE IF NOT EXISTS proof');
      if (db.external || !db.directory) return { db };
      const generalLog = join(db.directory, 'proof-general.log');
      await db.query('SET GLOBAL general_log_file = ?', [generalLog]);
      await db.query("SET GLOBAL log_output = 'FILE'");
      await db.query('SET GLOBAL general_log = 1');
      return { db, generalLog };
    })();
    return this.mariadb;
  }

  private async mysqlFixture(): Promise<Fixture> {
    const { db, generalLog } = await this.startMariaDb();
    const caFile = db.certificates?.caCertFile ?? process.env.MYSQL_TEST_CA_FILE;
    const ssl = caFile !== undefined;
    const endpoint = { engine: db.flavor, host: db.host, port: db.port, ssl };
    let masterArn: string | undefined;
    return {
      kind: 'mysql',
      description:
        `${db.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} ${db.version} on ${db.host} ` +
        "(TLS verified with the kit's CA), master secret the kit's admin",
      env: caFile ? { TLS_CA_BUNDLE_PATH: caFile } : { REQUIRE_TLS: 'false' },
      factoryOptions: (recorder: () => CallRecorder) => ({ connect: mysqlConnectWire(recorder) }),
      newSecret: async (client, options) => {
        masterArn ??= await storeSecret(
          client,
          { ...endpoint, username: db.adminUser, password: db.adminPassword },
          'proof-mysql-master',
        );
        const user = this.name('u');
        const password = newPassword();
        if (db.flavor === 'mariadb')
          await db.query('CREATE USER ?@? IDENTIFIED BY PASSWORD ?', [user, '%', nativeHash(password)]);
        else await db.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', password]);
        await db.query('GRANT SELECT, INSERT ON proof.* TO ?@?', [user, '%']);
        const value = { ...endpoint, dbname: 'proof', username: user, password, masterarn: masterArn };
        const aliases = { [user]: 'app', [`${user}_clone`]: 'app_clone', [db.adminUser]: 'master' };
        return { secretId: await storeSecret(client, await applyOverride(value, options), 'proof-mysql'), aliases };
      },
      logsIn: (value) => mysqlLogsIn(db, value),
      serverWrites: generalLog
        ? logWrites(
            'DDL/DCL/DML in the MariaDB general log',
            () => (existsSync(generalLog) ? readFileSync(generalLog, 'utf8') : ''),
            /\bQuery\s+/,
          )
        : undefined,
      serverLog: generalLog ? () => (existsSync(generalLog) ? readFileSync(generalLog, 'utf8') : '') : undefined,
    };
  }

  private async keyApiFixture(httpFactory: HttpFactoryLike): Promise<Fixture> {
    const api = await startKeyApi();
    this.keyApis.push(api);
    const caCert = api.certificates!.caCert;
    return {
      kind: 'key-api',
      description:
        'the kit fake key API on HTTPS 127.0.0.1 (generic provider, 3 active keys per account, ' +
        'key values shown once, API_REVOKE_INITIAL_KEY=true)',
      env: {
        API_CA_BUNDLE_PATH: api.certificates!.caCertFile,
        API_ALLOWED_HOSTS: new URL(api.baseUrl).host,
        API_REVOKE_INITIAL_KEY: 'true',
        API_MAX_RETRIES: String(KEY_API_ATTEMPTS - 1),
        API_RETRY_BASE_DELAY_MS: '10',
        API_REQUEST_TIMEOUT_SECONDS: '2',
      },
      factoryOptions: (recorder: () => CallRecorder) => ({
        createHttp: httpWire(recorder, httpFactory, api, KEY_API_ATTEMPTS),
      }),
      newSecret: async (client, options) => {
        const account = api.createAccount({ maxActiveKeys: 3 });
        const value = { apiKey: account.key, keyId: account.keyId, baseUrl: api.baseUrl };
        return {
          secretId: await storeSecret(client, await applyOverride(value, options), 'proof-api-key'),
          aliases: {},
          accountId: account.accountId,
        };
      },
      logsIn: async (value) => {
        if (typeof value.apiKey !== 'string' || !/^[\x21-\x7e]+$/.test(value.apiKey)) return false;
        const status = await httpsStatus(`${api.baseUrl}/whoami`, caCert, value.apiKey);
        if (status === 200) return true;
        if (status === 401) return false;
        throw new Error(`GET /whoami answered ${status}`);
      },
      leftovers: async (client, secret, strict) => {
        if (!secret.accountId) return [];
        const held = strict ? await labelledKeyIds(client, secret.secretId) : await allKeyIds(client, secret.secretId);
        return api
          .keys(secret.accountId)
          .filter((k) => !k.revoked && (strict || k.label.startsWith('rotators:')) && !held.has(k.id))
          .map(
            (k) =>
              `key ${k.label.startsWith('rotators:') ? 'made by the rotator' : `"${k.label}"`} still active ` +
              `but held by ${strict ? 'neither AWSCURRENT nor AWSPREVIOUS' : 'no version'}`,
          );
      },
      foreign: async () => {
        const other = api.createAccount({ maxActiveKeys: 3 });
        return { apiKey: other.key, keyId: other.keyId };
      },
      serverWrites: {
        source: 'POST/PUT/DELETE in the key API request log',
        mark: async () => api.requests().length,
        since: async (mark) =>
          api
            .requests()
            .slice(mark)
            .filter((r) => r.method !== 'GET' && r.method !== 'HEAD').length,
      },
    };
  }
}

/** A secret whose SecretString is this value's JSON, or this text as it is (hostile input). */
export async function storeSecret(
  client: SecretsManagerClient,
  value: Record<string, unknown> | string,
  prefix: string,
): Promise<string> {
  const secretString = typeof value === 'string' ? value : JSON.stringify(value);
  rememberSecretJson(secretString);
  const out = await client.send(
    new CreateSecretCommand({ Name: `${prefix}/${randomUUID()}`, SecretString: secretString }),
  );
  return out.ARN!;
}

async function applyOverride(
  value: Record<string, unknown>,
  options?: NewSecretOptions,
): Promise<Record<string, unknown> | string> {
  return options?.override ? options.override(value) : value;
}

/** Writes in a log file since a mark (its length then), by statement verb. */
function logWrites(source: string, read: () => string, statementMarker: RegExp): ServerWriteCounter {
  return {
    source,
    mark: async () => read().length,
    since: async (mark) =>
      read()
        .slice(mark)
        .split('\n')
        .filter((line) => {
          const at = line.search(statementMarker);
          if (at < 0) return false;
          const statement = line.slice(at).replace(statementMarker, '').trimStart();
          return DDL.test(statement.split(/\s+/).slice(0, 3).join(' '));
        }).length,
  };
}

async function pgLogsIn(server: PostgresServer, value: Record<string, unknown>): Promise<boolean> {
  if (typeof value.username !== 'string' || typeof value.password !== 'string') return false;
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user: value.username,
    password: value.password,
    database: 'postgres',
    ssl: server.caCert ? { ca: server.caCert, rejectUnauthorized: true } : false,
    connectionTimeoutMillis: 10_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '28P01' || code === '28000') return false;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const MYSQL_REFUSED = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_ACCOUNT_HAS_BEEN_LOCKED',
  'ER_BULK_PARSER_INCOMPLETE_ESCAPE_SEQUENCE',
  'ER_NOT_SUPPORTED_AUTH_MODE',
]);

async function mysqlLogsIn(db: MariaDbServer, value: Record<string, unknown>): Promise<boolean> {
  if (typeof value.username !== 'string' || typeof value.password !== 'string') return false;
  try {
    const connection = await mysql.createConnection({
      host: db.host,
      port: db.port,
      user: value.username,
      password: value.password,
      database: typeof value.dbname === 'string' ? value.dbname : undefined,
      ssl: db.caCert ? { ca: db.caCert, rejectUnauthorized: true, verifyIdentity: true } : undefined,
      connectTimeout: 10_000,
    });
    await connection.end().catch(() => connection.destroy());
    return true;
  } catch (error) {
    if (MYSQL_REFUSED.has(String((error as { code?: string }).code))) return false;
    throw error;
  }
}

function httpsStatus(url: string, ca: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'GET', ca, headers: { authorization: `Bearer ${key}` }, timeout: 10_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Key ids AWSCURRENT and AWSPREVIOUS hold. */
async function labelledKeyIds(client: SecretsManagerClient, secretId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const stage of ['AWSCURRENT', 'AWSPREVIOUS']) {
    const out = await client
      .send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }))
      .catch(() => undefined);
    const keyId = out?.SecretString ? (JSON.parse(out.SecretString) as { keyId?: unknown }).keyId : undefined;
    if (typeof keyId === 'string') ids.add(keyId);
  }
  return ids;
}

/** Key ids any version holds, labelled or not. */
async function allKeyIds(client: SecretsManagerClient, secretId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const arn = (await client.send(new DescribeSecretCommand({ SecretId: secretId }))).ARN ?? secretId;
  const listed = await client.send(new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: true }));
  for (const version of listed.Versions ?? []) {
    const out = await client
      .send(new GetSecretValueCommand({ SecretId: arn, VersionId: version.VersionId }))
      .catch(() => undefined);
    try {
      const keyId = out?.SecretString ? (JSON.parse(out.SecretString) as { keyId?: unknown }).keyId : undefined;
      if (typeof keyId === 'string') ids.add(keyId);
    } catch {
      // not JSON: holds no key
    }
  }
  return ids;
}
