/**
 * postgres-alternating-users against the test kit's PostgreSQL (scram-sha-256, verified TLS) and a
 * master like RDS's (CREATEROLE, not a superuser): each stuck state a crash can leave. After
 * createSecret the pending user's new password is not set, so the stale AWSPENDING is removed;
 * after setSecret and testSecret the pending user logs in and matches the base user, so the
 * rotation is finished forward. (This rotator is new; these tests use its source as it is now.)
 */
import { randomBytes } from 'node:crypto';
import { scramSha256Verifier } from '@rotators/core/db';
import {
  canLogin,
  createSecret,
  type PostgresServer,
  rememberSecret,
  secretsManagerClient,
  startPostgres,
} from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAlternatingUsersRotator } from '../../../postgres-alternating-users/src/rotator.ts';
import {
  cli,
  currentLogsIn,
  databaseStuckExpectations,
  itRepairsEachCrashPoint,
  localRotation,
} from '../helpers/harness.ts';

let server: PostgresServer;
let env: Record<string, string>;
let masterArn: string;

function password(): string {
  const value = `P${randomBytes(18).toString('base64url')}`;
  rememberSecret(value);
  return value;
}

beforeAll(async () => {
  server = await startPostgres(process.env);
  const caFile = server.certificates?.caCertFile ?? process.env.PG_TEST_CA_FILE;
  env = caFile ? { TLS_CA_BUNDLE_PATH: caFile } : { REQUIRE_TLS: 'false' };
  const master = { username: `cli_master_${randomBytes(3).toString('hex')}`, password: password() };
  await server.query(
    `CREATE ROLE ${escapeIdentifier(master.username)} LOGIN CREATEROLE CREATEDB ` +
      `PASSWORD ${escapeLiteral(scramSha256Verifier(master.password))}`,
  );
  await server.query(`GRANT CREATE ON DATABASE postgres TO ${escapeIdentifier(master.username)}`);
  masterArn = await createSecret(
    secretsManagerClient(motoEndpoint()),
    {
      engine: 'postgres',
      host: server.host,
      port: server.port,
      username: master.username,
      password: master.password,
      ssl: env.REQUIRE_TLS !== 'false',
    },
    'cli-pg-alt-master',
  );
});
afterAll(async () => server?.stop());

async function setUp() {
  const username = `cli_alt_${randomBytes(3).toString('hex')}`;
  const initial = password();
  await server.query(
    `CREATE ROLE ${escapeIdentifier(username)} LOGIN PASSWORD ${escapeLiteral(scramSha256Verifier(initial))}`,
  );
  const { client, service } = await localRotation(createPostgresAlternatingUsersRotator({ env }), env);
  const secretId = await createSecret(
    client,
    {
      engine: 'postgres',
      host: server.host,
      port: server.port,
      dbname: 'postgres',
      username,
      password: initial,
      masterarn: masterArn,
      ssl: env.REQUIRE_TLS !== 'false',
    },
    'cli-pg-alt',
  );
  return {
    client,
    service,
    secretId,
    currentWorks: currentLogsIn(client, secretId, (user, pw) => canLogin(server, user, pw)),
  };
}

describe('postgres-alternating-users: stuck rotations', () => {
  itRepairsEachCrashPoint({ setUp, env: () => env, expected: databaseStuckExpectations('PostgreSQL') });

  it('doctor of a healthy pair: both users log in, the master logs in, the pair matches', async () => {
    const { service, secretId } = await setUp();
    await service.rotate(secretId);
    const doctor = await cli(['doctor', secretId, '--json'], { env });
    expect(doctor.json.rotator).toMatchObject({ name: 'postgres-alternating-users', chosenBy: "the secret's fields" });
    const states = Object.fromEntries(
      doctor.json.checks.map((c: { label: string; state: string }) => [c.label, c.state]),
    );
    expect(states).toEqual({ AWSCURRENT: 'works', AWSPREVIOUS: 'works', pair: 'works' });
    expect(doctor.code).toBe(0);
  });
});
