/**
 * examples/postgres-alternating-users against moto and a real PostgreSQL cluster (scram-sha-256, TLS
 * with the kit's throwaway CA): apply (the master secret and the app secret), a second plan with no
 * changes, the configuration test, the master secret readable by the role, rotations app →
 * app_clone → app by the built zip with the environment Terraform gave the function (the base
 * user's table adopted, as adopt_ownership asks), logins and ownership checked on the server, a
 * plan with no changes, destroy (the lifecycle: scripts/terraform/exampleUnderTest.ts).
 */
import { randomBytes } from 'node:crypto';
import { scramSha256Verifier } from '@rotators/core/db';
import { canLogin, type PostgresServer, readSecret, rememberSecret, startPostgres } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import pg, { escapeIdentifier as id, escapeLiteral } from 'pg';
import { describe, expect, it } from 'vitest';
import { useExample } from '../../scripts/terraform/exampleUnderTest.ts';
import { itWiresTheMasterSecret, postgresVariables } from './helpers.ts';

const user = 'tf_pg_app';
const master = 'tf_pg_master';
const table = 'tf_pg_shared';

type DbSecret = { username: string; password: string; masterarn: string };

describe('examples/postgres-alternating-users on moto and PostgreSQL', () => {
  const initialPassword = `P${randomBytes(18).toString('base64url')}`;
  const masterPassword = `M${randomBytes(18).toString('base64url')}`;
  rememberSecret(initialPassword);
  rememberSecret(masterPassword);
  let server: PostgresServer;

  /** Run `sql` as `name` (verified TLS when the CA is known). */
  async function runAs(name: string, password: string, sql: string) {
    const client = new pg.Client({
      host: server.host,
      port: server.port,
      user: name,
      password,
      database: 'postgres',
      ssl: server.caCert ? { ca: server.caCert, rejectUnauthorized: true } : false,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  const example = useExample('postgres-alternating-users', {
    namePrefix: 'tf-pgalt',
    async start() {
      server = await startPostgres();
      const caFile = server.certificates?.caCertFile ?? process.env.PG_TEST_CA_FILE;
      // Passwords reach the server only as verifiers, so its log never holds them.
      for (const role of [`${user}_clone`, `${user}_owner`, user, master])
        await server.query(`DROP ROLE IF EXISTS ${id(role)}`);
      // A master like RDS's: CREATEROLE, not a superuser, may create in the app's database.
      await server.query(
        `CREATE ROLE ${id(master)} LOGIN CREATEROLE PASSWORD ${escapeLiteral(scramSha256Verifier(masterPassword))}`,
      );
      await server.query(`GRANT CREATE ON DATABASE postgres TO ${id(master)}`);
      // An existing base user that owns a table: adopt_ownership moves it to the owner role.
      await server.query(
        `CREATE ROLE ${id(user)} LOGIN PASSWORD ${escapeLiteral(scramSha256Verifier(initialPassword))}`,
      );
      await server.query(`GRANT CREATE ON SCHEMA public TO ${id(user)}`);
      await runAs(user, initialPassword, `CREATE TABLE ${id(table)} (id int); INSERT INTO ${id(table)} VALUES (1)`);
      return {
        ...postgresVariables(server, user, initialPassword),
        master_username: master,
        master_password: masterPassword,
        adopt_ownership: 'true',
        master_ssl: caFile ? 'true' : 'false',
        // Plaintext only for a server whose CA the test does not know (an external one), and only by
        // the operator's choice.
        require_tls: caFile ? 'true' : 'false',
      };
    },
    stop: async () => server?.stop(),
  });
  const { client } = example;

  example.itApplies();

  example.itDeployed('deployed the built zip with the database settings', { Timeout: 120 }, async (fn) => {
    expect(fn.environment).toMatchObject({
      CONNECT_TIMEOUT_SECONDS: '5',
      REQUIRE_TLS: server.caCert ? 'true' : 'false',
      ADOPT_OWNERSHIP: 'true',
      POWERTOOLS_SERVICE_NAME: 'postgres-alternating-users',
      SECRETS_MANAGER_ENDPOINT: motoEndpoint(),
    });
    expect(fn.environment.EXCLUDE_CHARACTERS).toBeUndefined();
  });

  example.itPassesConfigurationTest();

  itWiresTheMasterSecret(example);

  it(
    "alternates the users of Terraform's secret: both log in acting as the owner role, " +
      "and the base user's table, now the owner role's, takes both users' rows",
    async () => {
      const { secretId, service } = await example.rotation({ maxAttempts: 1 });
      for (const [rotation, expected] of [`${user}_clone`, user].entries()) {
        const { token } = await service.rotate(secretId);
        const current = (await readSecret<DbSecret>(client(), secretId, 'AWSCURRENT'))!;
        const previous = (await readSecret<DbSecret>(client(), secretId, 'AWSPREVIOUS'))!;
        expect(current.versionId).toBe(token);
        expect(current.username).toBe(expected);
        for (const version of [current, previous]) {
          await runAs(version.username, version.password, `INSERT INTO ${id(table)} VALUES (2)`);
          const { rows } = await runAs(
            version.username,
            version.password,
            `SELECT current_user AS c, (SELECT relowner::regrole::text FROM pg_class WHERE relname = '${table}') AS t`,
          );
          expect(rows[0]).toEqual({ c: `${user}_owner`, t: `${user}_owner` });
        }
        expect((await server.query(`SELECT count(*)::int AS n FROM ${id(table)}`)).rows[0]!.n).toBe(
          1 + 2 * (rotation + 1),
        );
      }
      // After two rotations the base user has a new password: the initial one is refused.
      expect(await canLogin(server, user, initialPassword)).toBe(false);
      await example.expectTerraformVersionKept();
      expect(example.fn.zip.output()).toContain('ADOPT_OWNERSHIP: objects of');
    },
  );

  example.itPlansNoChangesThenDestroys();
});
