/**
 * What each rotator rotates against in the benchmark, started with the test kit: nothing
 * (generic-password), a throwaway PostgreSQL cluster or MariaDB server (TLS, password
 * authentication; the zip trusts the kit's CA through TLS_CA_BUNDLE_PATH), or the fake key API
 * on HTTPS. Rotators are matched by name, so a new `postgres-*` or `mysql-*` rotator is measured
 * without a change here; one that matches nothing is reported as not measured, with the reason.
 *
 * Secrets follow AWS's conventions: engine/host/port/username/password/ssl, plus `masterarn`
 * (an admin secret) for the alternating-users rotators.
 */
import { randomBytes } from 'node:crypto';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { scramSha256Verifier } from '@rotators/core/db';
import {
  createSecret,
  type KeyApiServer,
  type MariaDbServer,
  type PostgresServer,
  startKeyApi,
  startMariaDb,
  startPostgres,
} from '@rotators/testkit';
import { escapeIdentifier, escapeLiteral } from 'pg';

type Kind = 'none' | 'postgres' | 'mysql' | 'key-api';

export interface BenchTarget {
  /** What the secret points at, for the report. */
  description: string;
  /** What the zip needs in its environment beyond the local AWS's. */
  env: Record<string, string>;
  /** A fresh secret that this rotator can rotate; its ARN. */
  newSecret(): Promise<string>;
}

export type TargetSetup = { target: BenchTarget } | { unsupported: string };

export const KNOWN_TARGETS =
  'generic-password (none), postgres-* (PostgreSQL), mysql-* (MariaDB), api-key* (the fake key API)';

export function targetKind(rotator: string): Kind | undefined {
  if (rotator === 'generic-password') return 'none';
  if (rotator.startsWith('postgres-')) return 'postgres';
  if (rotator.startsWith('mysql-')) return 'mysql';
  if (rotator.startsWith('api-key')) return 'key-api';
  return undefined;
}

/** AWS's alternating-users templates read an admin secret named by `masterarn`. */
const needsMaster = (rotator: string) => rotator.includes('alternating');
/**
 * The master secret the function may use, as the Terraform modules configure it: without it the
 * function warns at every cold start, and that log line would be timed as part of the module load.
 */
const masterSecretArns = (masterarn: string | undefined): Record<string, string> =>
  masterarn ? { MASTER_SECRET_ARNS: masterarn } : {};

const password = () => `B${randomBytes(18).toString('base64url')}`;

export class Targets {
  private postgres: Promise<PostgresServer> | undefined;
  private mariadb: Promise<MariaDbServer> | undefined;
  private keyApi: Promise<KeyApiServer> | undefined;
  private count = 0;

  constructor(private readonly client: SecretsManagerClient) {}

  /** Start every server these rotators need, at the same time. */
  async prepare(rotators: string[]): Promise<void> {
    const kinds = new Set(rotators.map(targetKind));
    await Promise.all([
      kinds.has('postgres') ? this.startPostgres() : undefined,
      kinds.has('mysql') ? this.startMariaDb() : undefined,
      kinds.has('key-api') ? this.startKeyApi() : undefined,
    ]);
  }

  async setUp(rotator: string): Promise<TargetSetup> {
    switch (targetKind(rotator)) {
      case 'none':
        return {
          target: {
            description: 'none (Secrets Manager only)',
            env: {},
            newSecret: () => createSecret(this.client, { username: 'bench', password: password() }, 'bench'),
          },
        };
      case 'postgres':
        return { target: await this.postgresTarget(rotator) };
      case 'mysql':
        return { target: await this.mysqlTarget(rotator) };
      case 'key-api':
        return { target: await this.keyApiTarget() };
      default:
        return {
          unsupported:
            `the bench has no target for "${rotator}" (scripts/bench/targets.ts knows ${KNOWN_TARGETS}): ` +
            'add one there to measure its rotations',
        };
    }
  }

  /** Server versions, for the report (undefined when that server was not needed). */
  async versions(): Promise<{ postgres?: string; mariadb?: string }> {
    const postgres = this.postgres
      ? String(
          (await (await this.postgres).query<{ server_version: string }>('SHOW server_version')).rows[0]
            ?.server_version,
        )
      : undefined;
    const mariadb = this.mariadb ? (await this.mariadb).version : undefined;
    return { postgres, mariadb };
  }

  async stop(): Promise<void> {
    const servers = [this.postgres, this.mariadb, this.keyApi].filter((server) => server !== undefined);
    await Promise.allSettled(servers.map(async (server) => (await server).stop()));
  }

  private startPostgres(): Promise<PostgresServer> {
    this.postgres ??= startPostgres();
    return this.postgres;
  }

  private startMariaDb(): Promise<MariaDbServer> {
    this.mariadb ??= startMariaDb();
    return this.mariadb;
  }

  private startKeyApi(): Promise<KeyApiServer> {
    this.keyApi ??= startKeyApi();
    return this.keyApi;
  }

  private name(): string {
    this.count += 1;
    return `bench${this.count}`;
  }

  private async postgresTarget(rotator: string): Promise<BenchTarget> {
    const server = await this.startPostgres();
    const caFile = server.certificates?.caCertFile;
    if (!caFile)
      throw new Error(
        'the PostgreSQL server has no test CA (PG_TEST_HOST without PG_TEST_CA_FILE?): ' +
          'the zip could not verify its TLS',
      );
    // The password reaches the server only as a SCRAM verifier, as the rotators send it (log_statement = all).
    const login = async (role: string, secret: string, attributes = '') => {
      await server.query(
        `CREATE ROLE ${escapeIdentifier(role)} LOGIN ${attributes} ` +
          `PASSWORD ${escapeLiteral(scramSha256Verifier(secret))}`,
      );
    };
    const endpoint = { host: server.host, port: server.port, ssl: true };
    let masterarn: string | undefined;
    if (needsMaster(rotator)) {
      const masterPassword = password();
      const master = `${this.name()}_master`;
      await login(master, masterPassword, 'SUPERUSER');
      masterarn = await createSecret(
        this.client,
        { engine: 'postgres', ...endpoint, username: master, password: masterPassword },
        'bench-master',
      );
    }
    return {
      description:
        "PostgreSQL on 127.0.0.1 (TLS verified with the kit's CA, scram-sha-256)" +
        (masterarn ? ', master secret a SUPERUSER' : ''),
      env: { TLS_CA_BUNDLE_PATH: caFile, ...masterSecretArns(masterarn) },
      newSecret: async () => {
        const role = this.name();
        const secret = password();
        await login(role, secret);
        return createSecret(
          this.client,
          { engine: 'postgres', ...endpoint, username: role, password: secret, ...(masterarn ? { masterarn } : {}) },
          'bench',
        );
      },
    };
  }

  private async mysqlTarget(rotator: string): Promise<BenchTarget> {
    const db = await this.startMariaDb();
    const caFile = db.certificates?.caCertFile;
    if (!caFile)
      throw new Error(
        'the MySQL server has no test CA (MYSQL_TEST_HOST without MYSQL_TEST_CA_FILE?): ' +
          'the zip could not verify its TLS',
      );
    await db.query('CREATE DATABASE IF NOT EXISTS bench');
    const endpoint = { host: db.host, port: db.port, ssl: true };
    // The kit's admin (ALL PRIVILEGES WITH GRANT OPTION, password authentication) is the master.
    const masterarn = needsMaster(rotator)
      ? await createSecret(
          this.client,
          { engine: db.flavor, ...endpoint, username: db.adminUser, password: db.adminPassword },
          'bench-master',
        )
      : undefined;
    return {
      description:
        `${db.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} on 127.0.0.1 (TLS verified with the kit's CA)` +
        (masterarn ? ', master secret the kit admin' : ''),
      env: { TLS_CA_BUNDLE_PATH: caFile, ...masterSecretArns(masterarn) },
      newSecret: async () => {
        const user = this.name();
        const secret = password();
        await db.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', secret]);
        await db.query('GRANT SELECT, INSERT ON bench.* TO ?@?', [user, '%']);
        return createSecret(
          this.client,
          {
            engine: db.flavor,
            ...endpoint,
            dbname: 'bench',
            username: user,
            password: secret,
            ...(masterarn ? { masterarn } : {}),
          },
          'bench',
        );
      },
    };
  }

  private async keyApiTarget(): Promise<BenchTarget> {
    const api = await this.startKeyApi();
    return {
      description: 'the kit fake key API on HTTPS 127.0.0.1 (generic provider)',
      env: {
        API_CA_BUNDLE_PATH: api.certificates!.caCertFile,
        // The generic provider has no hosts of its own: the function allows the fake API's.
        API_ALLOWED_HOSTS: new URL(api.baseUrl).host,
        API_REVOKE_INITIAL_KEY: 'true',
      },
      newSecret: async () => {
        const account = api.createAccount({ maxActiveKeys: 3 });
        return createSecret(this.client, { apiKey: account.key, keyId: account.keyId, baseUrl: api.baseUrl }, 'bench');
      },
    };
  }
}
