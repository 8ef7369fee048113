/**
 * What each example rotates against, started locally: nothing (generic-password), a throwaway
 * PostgreSQL cluster, a throwaway MariaDB server, or the fake key API (HTTPS on 127.0.0.1). Each
 * gives the example's Terraform variables and a check of the result that prints no value.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { scramSha256Verifier } from '@rotators/postgres-single-user';
import { startKeyApi, startMariaDb, startPostgres } from '@rotators/testkit';
import mysql from 'mysql2/promise';
import pg, { escapeIdentifier, escapeLiteral } from 'pg';

export interface Versions {
  current: Record<string, unknown>;
  previous: Record<string, unknown> | undefined;
}

export interface Target {
  /** Variables of terraform/examples/<rotator> beyond endpoint, name and zip_path. */
  variables: Record<string, string>;
  /** One line saying what was proven against the target (never a value). */
  check(versions: Versions): Promise<string>;
  stop(): Promise<void>;
}

export type TargetFactory = () => Promise<Target>;

const password = (prefix: string) => `${prefix}${randomBytes(18).toString('base64url')}`;

export const targets: Record<string, TargetFactory> = {
  'generic-password': async () => {
    const initial = password('G');
    return {
      variables: { initial_password: initial, username: 'reporting' },
      async check({ current }) {
        return current.password !== initial && current.username === 'reporting'
          ? 'the password is new; username is kept'
          : 'UNEXPECTED: the password did not change';
      },
      stop: async () => {},
    };
  },

  'postgres-single-user': async () => {
    const server = await startPostgres();
    const initial = password('P');
    const role = 'demo_app';
    // The role gets its password as a SCRAM verifier, so the server log never holds it.
    await server.query(
      `CREATE ROLE ${escapeIdentifier(role)} LOGIN PASSWORD ${escapeLiteral(scramSha256Verifier(initial))}`,
    );
    const caFile = server.certificates?.caCertFile;
    const logsIn = async (secret: string) => {
      const client = new pg.Client({
        host: server.host,
        port: server.port,
        user: role,
        password: secret,
        database: 'postgres',
        ssl: server.caCert ? { ca: server.caCert } : false,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return true;
      } catch {
        return false;
      } finally {
        await client.end().catch(() => undefined);
      }
    };
    return {
      variables: {
        db_host: server.host,
        db_port: String(server.port),
        db_username: role,
        db_password: initial,
        db_ssl: caFile ? 'true' : 'false',
        ...(caFile ? { tls_ca_bundle_path: caFile } : {}),
      },
      async check({ current }) {
        const [now, before] = [await logsIn(String(current.password)), await logsIn(initial)];
        return (
          `PostgreSQL: AWSCURRENT logs in as ${role}: ${yesNo(now)}; ` +
          `the initial password: ${before ? 'still works (UNEXPECTED)' : 'refused'}`
        );
      },
      stop: () => server.stop(),
    };
  },

  'postgres-alternating-users': async () => {
    const server = await startPostgres();
    const [initial, masterPassword] = [password('A'), password('M')];
    const [role, master, table] = ['demo_pg_app', 'demo_pg_master', 'demo_shared'];
    // A master like RDS's (CREATEROLE, not a superuser) and a base user that already owns a table:
    // the example sets adopt_ownership, so the first rotation moves the table to demo_pg_app_owner.
    await server.query(
      `CREATE ROLE ${escapeIdentifier(master)} LOGIN CREATEROLE ` +
        `PASSWORD ${escapeLiteral(scramSha256Verifier(masterPassword))}`,
    );
    await server.query(`GRANT CREATE ON DATABASE postgres TO ${escapeIdentifier(master)}`);
    await server.query(
      `CREATE ROLE ${escapeIdentifier(role)} LOGIN PASSWORD ${escapeLiteral(scramSha256Verifier(initial))}`,
    );
    await server.query(`GRANT CREATE ON SCHEMA public TO ${escapeIdentifier(role)}`);
    const caFile = server.certificates?.caCertFile;
    const session = async (user: unknown, secret: unknown) => {
      const client = new pg.Client({
        host: server.host,
        port: server.port,
        user: String(user),
        password: String(secret),
        database: 'postgres',
        ssl: server.caCert ? { ca: server.caCert } : false,
      });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    };
    const setup = await session(role, initial);
    await setup.query(
      `CREATE TABLE ${escapeIdentifier(table)} (id int, by_user text); ` +
        `INSERT INTO ${escapeIdentifier(table)} VALUES (1, current_user)`,
    );
    await setup.end();
    /** Logs in, adds a row to the shared table; what the session acted as, or undefined when it cannot. */
    const useTable = async (user: unknown, secret: unknown) => {
      try {
        const client = await session(user, secret);
        try {
          await client.query(`INSERT INTO ${escapeIdentifier(table)} VALUES (2, session_user)`);
          return String((await client.query('SELECT current_user AS c')).rows[0].c);
        } finally {
          await client.end().catch(() => undefined);
        }
      } catch {
        return undefined;
      }
    };
    return {
      variables: {
        db_host: server.host,
        db_port: String(server.port),
        db_username: role,
        db_password: initial,
        master_username: master,
        master_password: masterPassword,
        adopt_ownership: 'true',
        db_ssl: caFile ? 'true' : 'false',
        master_ssl: caFile ? 'true' : 'false',
        ...(caFile ? { tls_ca_bundle_path: caFile } : {}),
      },
      async check({ current, previous }) {
        const [now, before] = [
          await useTable(current.username, current.password),
          previous ? await useTable(previous.username, previous.password) : undefined,
        ];
        const { rows } = await server.query(
          `SELECT relowner::regrole::text AS owner, (SELECT count(*)::int FROM ${escapeIdentifier(table)}) AS n ` +
            'FROM pg_class WHERE relname = $1',
          [table],
        );
        const shared = rows[0]
          ? `the shared table (owner ${rows[0].owner}) survived with ${rows[0].n} rows`
          : 'the shared table is GONE (UNEXPECTED)';
        return (
          `PostgreSQL: AWSCURRENT (${String(current.username)}) ` +
          `logs in and writes as ${now ?? 'NOTHING (UNEXPECTED)'}; ` +
          `AWSPREVIOUS (${String(previous?.username)}) as ${before ?? 'NOTHING (UNEXPECTED)'}; ${shared}`
        );
      },
      stop: () => server.stop(),
    };
  },

  'mysql-alternating-users': async () => {
    const db = await startMariaDb();
    const initial = password('M');
    const user = 'demo_app';
    await db.query('CREATE DATABASE IF NOT EXISTS shop');
    await db.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', initial]);
    await db.query('GRANT SELECT, INSERT ON shop.* TO ?@?', [user, '%']);
    const caFile = db.certificates?.caCertFile;
    const logsIn = async (name: unknown, secret: unknown) => {
      try {
        const connection = await mysql.createConnection({
          host: db.host,
          port: db.port,
          user: String(name),
          password: String(secret),
          ssl: db.caCert ? { ca: db.caCert } : undefined,
        });
        await connection.end();
        return true;
      } catch {
        return false;
      }
    };
    return {
      variables: {
        db_engine: db.flavor,
        db_host: db.host,
        db_port: String(db.port),
        db_name: 'shop',
        db_username: user,
        db_password: initial,
        master_username: db.adminUser,
        master_password: db.adminPassword,
        db_ssl: caFile ? 'true' : 'false',
        ...(caFile ? { tls_ca_bundle_path: caFile } : {}),
      },
      async check({ current, previous }) {
        const now = await logsIn(current.username, current.password);
        const before = previous ? await logsIn(previous.username, previous.password) : false;
        return (
          `MariaDB: AWSCURRENT (${String(current.username)}) logs in: ${yesNo(now)}; ` +
          `AWSPREVIOUS (${String(previous?.username)}) logs in: ${yesNo(before)}`
        );
      },
      stop: () => db.stop(),
    };
  },

  'api-key': async () => {
    const api = await startKeyApi();
    const account = api.createAccount({ maxActiveKeys: 3 });
    const status = (key: unknown) =>
      new Promise<number>((resolve) => {
        const req = request(
          `${api.baseUrl}/whoami`,
          { ca: api.certificates!.caCert, headers: { authorization: `Bearer ${String(key)}` } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', () => resolve(0));
        req.end();
      });
    return {
      variables: {
        base_url: api.baseUrl,
        key_id: account.keyId,
        initial_api_key: account.key,
        ca_bundle_path: api.certificates!.caCertFile,
        revoke_initial_key: 'true',
      },
      async check({ current, previous }) {
        const [now, before, initial] = [
          await status(current.apiKey),
          await status(previous?.apiKey),
          await status(account.key),
        ];
        return (
          `key API: AWSCURRENT key ${label(now)}, AWSPREVIOUS key ${label(before)}, ` +
          `the initial key ${label(initial)}`
        );
      },
      stop: () => api.stop(),
    };
  },
};

const yesNo = (value: boolean) => (value ? 'yes' : 'no');
const label = (status: number) => (status === 200 ? 'works' : status === 401 ? 'revoked' : `HTTP ${status}`);
