/**
 * examples/mysql-alternating-users against moto and a real MariaDB server (password auth, TLS
 * with the kit's throwaway CA): apply (the master secret and the app secret), a second plan with
 * no changes, rotations app → app_clone → app by the built zip with the environment Terraform
 * gave the function, logins checked on the server, a plan with no changes, destroy (the
 * lifecycle: scripts/terraform/exampleUnderTest.ts).
 */
import { randomBytes } from 'node:crypto';
import { type MariaDbServer, readSecret, rememberSecret, startMariaDb } from '@rotators/testkit';
import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { useExample } from '../../scripts/terraform/exampleUnderTest.ts';
import { itWiresTheMasterSecret } from './helpers.ts';

const user = 'tfapp';

type DbSecret = { username: string; password: string; masterarn: string };

describe('examples/mysql-alternating-users on moto and MariaDB', () => {
  const initialPassword = `M${randomBytes(18).toString('base64url')}`;
  rememberSecret(initialPassword);
  let db: MariaDbServer;
  const example = useExample('mysql-alternating-users', {
    namePrefix: 'tf-mysql',
    async start() {
      db = await startMariaDb();
      await db.query('CREATE DATABASE IF NOT EXISTS shop');
      await db.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', initialPassword]);
      await db.query('GRANT SELECT, INSERT ON shop.* TO ?@?', [user, '%']);
      const caFile = db.certificates?.caCertFile ?? process.env.MYSQL_TEST_CA_FILE;
      return {
        db_engine: db.flavor,
        db_host: db.host,
        db_port: String(db.port),
        db_name: 'shop',
        db_username: user,
        db_password: initialPassword,
        master_username: db.adminUser,
        master_password: db.adminPassword,
        db_ssl: caFile ? 'true' : 'false',
        // Plaintext only for a server whose CA the test does not know (an external one), and only by
        // the operator's choice.
        require_tls: caFile ? 'true' : 'false',
        // The zip runs on this machine, so a local path is what the function can read.
        ...(caFile ? { tls_ca_bundle_path: caFile } : {}),
      };
    },
    stop: async () => db?.stop(),
  });
  const { client } = example;

  example.itApplies();

  example.itDeployed('deployed the built zip with the database settings', { Timeout: 60 }, (fn) => {
    expect(fn.environment).toMatchObject({
      USERNAME_CHARACTER_LIMIT: '32',
      CONNECT_TIMEOUT_SECONDS: '5',
      // Verified TLS by default; RDS-managed masters and adoption only when asked for.
      REQUIRE_TLS: db.caCert ? 'true' : 'false',
      RDS_MANAGED_MASTER: 'false',
      ADOPT_EXISTING_CLONE: 'false',
      POWERTOOLS_SERVICE_NAME: 'mysql-alternating-users',
    });
  });

  example.itPassesConfigurationTest();

  itWiresTheMasterSecret(example);

  it("alternates the users of Terraform's secret on the server: AWSCURRENT and AWSPREVIOUS both log in", async () => {
    const { secretId, service } = await example.rotation({ maxAttempts: 1 });
    for (const expected of [`${user}_clone`, user]) {
      const { token } = await service.rotate(secretId);
      const current = (await readSecret<DbSecret>(client(), secretId, 'AWSCURRENT'))!;
      const previous = (await readSecret<DbSecret>(client(), secretId, 'AWSPREVIOUS'))!;
      expect(current.versionId).toBe(token);
      expect(current.username).toBe(expected);
      expect(await logsIn(db, current.username, current.password)).toBe(true);
      expect(await logsIn(db, previous.username, previous.password)).toBe(true);
    }
    // After two rotations the base user has a new password: the initial one is refused.
    expect(await logsIn(db, user, initialPassword)).toBe(false);
    await example.expectTerraformVersionKept();
  });

  example.itPlansNoChangesThenDestroys();
});

/**
 * Can `name` log in with `password` (verified TLS when the CA is known)? false when the server refuses
 * the password.
 */
async function logsIn(db: MariaDbServer, name: string, password: string): Promise<boolean> {
  try {
    const connection = await mysql.createConnection({
      host: db.host,
      port: db.port,
      user: name,
      password,
      ssl: db.caCert ? { ca: db.caCert, rejectUnauthorized: true } : undefined,
    });
    await connection.query('SELECT 1');
    await connection.end();
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'ER_ACCESS_DENIED_ERROR') return false;
    throw error;
  }
}
