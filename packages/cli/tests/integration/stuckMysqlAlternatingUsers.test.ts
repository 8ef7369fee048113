/**
 * mysql-alternating-users against the test kit's MariaDB (password authentication, verified TLS):
 * each stuck state a crash can leave. After createSecret the pending user's new password is not
 * set, so the stale AWSPENDING is removed (AWSCURRENT's user is untouched); after setSecret and
 * testSecret the pending user logs in with equal privileges, so the rotation is finished forward.
 * doctor also reports the master secret's login and whether both users' privileges are equal.
 */
import { randomBytes } from 'node:crypto';
import { createSecret, type MariaDbServer, rememberSecret, startMariaDb } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlAlternatingUsersRotator } from '../../../mysql-alternating-users/src/rotator.ts';
import { logsIn } from '../../../mysql-alternating-users/tests/helpers/harness.ts';
import {
  anHourLater,
  cli,
  currentLogsIn,
  databaseStuckExpectations,
  itRepairsEachCrashPoint,
  localRotation,
  stopAfter,
} from '../helpers/harness.ts';

let db: MariaDbServer;
let env: Record<string, string>;

beforeAll(async () => {
  db = await startMariaDb();
  await db.query('CREATE DATABASE IF NOT EXISTS cli_shop');
  const caFile = db.certificates?.caCertFile ?? process.env.MYSQL_TEST_CA_FILE;
  env = caFile ? { TLS_CA_BUNDLE_PATH: caFile } : { REQUIRE_TLS: 'false' };
});
afterAll(async () => db?.stop());

async function setUp() {
  const user = `cli${randomBytes(3).toString('hex')}`;
  const password = `Pw-${randomBytes(15).toString('base64url')}`;
  rememberSecret(password);
  await db.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', password]);
  await db.query('GRANT SELECT, INSERT ON cli_shop.* TO ?@?', [user, '%']);
  const { client, service } = await localRotation(createMysqlAlternatingUsersRotator({ env }), env);
  const masterArn = await createSecret(
    client,
    { username: db.adminUser, password: db.adminPassword, host: db.host, port: db.port, engine: db.flavor },
    'cli-mysql-master',
  );
  const secretId = await createSecret(
    client,
    {
      engine: db.flavor,
      host: db.host,
      port: db.port,
      username: user,
      password,
      masterarn: masterArn,
      ssl: env.REQUIRE_TLS !== 'false',
    },
    'cli-mysql',
  );
  return {
    client,
    service,
    secretId,
    currentWorks: currentLogsIn(client, secretId, (user, password) => logsIn(db, user, password)),
    user,
  };
}

describe('mysql-alternating-users: stuck rotations', () => {
  itRepairsEachCrashPoint({ setUp, env: () => env, expected: databaseStuckExpectations('MySQL') });

  it(
    'doctor: both users log in over TLS, the master secret logs in, ' +
      'the privileges are equal — until a grant reaches only one user',
    async () => {
      const { service, secretId, user } = await setUp();
      await service.rotate(secretId);
      const healthy = await cli(['doctor', secretId, '--json'], { env });
      expect(healthy.code).toBe(0);
      const checks = Object.fromEntries(healthy.json.checks.map((c: { label: string }) => [c.label, c]));
      expect(checks.AWSCURRENT.state).toBe('works');
      expect(checks.AWSPREVIOUS.state).toBe('works');
      const tls = env.REQUIRE_TLS !== 'false';
      expect(checks.AWSCURRENT.connections).toEqual([
        { purpose: 'AWSCURRENT credentials', host: db.host, tls },
        { purpose: 'master secret', host: db.host, tls },
      ]);
      expect(checks.pair).toMatchObject({ state: 'works' });

      await db.query('GRANT UPDATE ON cli_shop.* TO ?@?', [user, '%']);
      const drifted = await cli(['doctor', secretId, '--json'], { env });
      expect(drifted.code).toBe(1);
      const pair = drifted.json.checks.find((c: { label: string }) => c.label === 'pair');
      expect(pair.state).toBe('fails');
      expect(pair.error.message).toMatch(/privileges differ.*UPDATE/);
      expect(drifted.json.diagnosis.join(' ')).toMatch(/The two users' privileges differ/);
      const text = await cli(['doctor', secretId], { env });
      expect(text.out).toMatch(/USERS +\S+ +privileges differ/);
    },
  );

  it(
    'a stuck rotation is reported for the whole region too, ' + 'and doctor names the master secret in its findings',
    async () => {
      const { client, service, secretId } = await setUp();
      await service.rotate(secretId);
      const token = await stopAfter(service, client, secretId, 'setSecret');
      const all = await cli(['status', '--all', '--json'], { env, now: anHourLater() });
      expect(all.json.secrets.find((s: { arn: string }) => s.arn === secretId)).toMatchObject({
        verdict: 'stuck',
        pending: { versionId: token },
      });
      const text = await cli(['doctor', secretId], { env, now: anHourLater() });
      expect(text.out).toMatch(/AWSPENDING +\S+ +logs in, passes testSecret +\S+ over TLS; master secret \S+ over TLS/);
    },
  );
});
