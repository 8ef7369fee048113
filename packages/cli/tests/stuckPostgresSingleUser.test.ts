/**
 * postgres-single-user against the test kit's PostgreSQL (scram-sha-256, verified TLS): each stuck
 * state a crash can leave. After createSecret the server still has the old password, so the stale
 * AWSPENDING is removed; after setSecret (and testSecret) the server already has the new one and
 * AWSCURRENT is locked out, so the rotation is finished forward. doctor says which version logs in,
 * over TLS, using the rotator's own connection code.
 */
import { randomBytes } from 'node:crypto';
import { createRotationHandler } from '@rotators/core';
import { scramSha256Verifier } from '@rotators/core/db';
import { canLogin, createSecret, ensureRotationFunction, type PostgresServer, readSecret, rememberSecret, RotationService, secretsManagerClient, startPostgres } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresSingleUserRotator } from '../../postgres-single-user/src/rotator.ts';
import { anHourLater, cli, type CrashPoint, provesStuckRepair, stopAfter } from './helpers.ts';

let server: PostgresServer;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startPostgres(process.env);
  const caFile = server.certificates?.caCertFile ?? process.env.PG_TEST_CA_FILE;
  env = caFile ? { TLS_CA_BUNDLE_PATH: caFile } : { REQUIRE_TLS: 'false' };
});
afterAll(async () => server?.stop());

let roles = 0;
async function setUp() {
  const username = `cli_pg_${randomBytes(3).toString('hex')}_${(roles += 1)}`;
  const password = `P${randomBytes(18).toString('base64url')}`;
  rememberSecret(password);
  await server.query(`CREATE ROLE ${escapeIdentifier(username)} LOGIN PASSWORD ${escapeLiteral(scramSha256Verifier(password))}`);
  const client = secretsManagerClient(motoEndpoint());
  const handler = createRotationHandler(createPostgresSingleUserRotator({ env }), { client, env });
  const service = new RotationService({ client, invoke: handler, rotationLambdaArn: await ensureRotationFunction(motoEndpoint()), maxAttempts: 1 });
  const secretId = await createSecret(
    client,
    { engine: 'postgres', host: server.host, port: server.port, username, password, dbname: 'postgres', ssl: env.REQUIRE_TLS !== 'false' },
    'cli-pg',
  );
  const currentWorks = async () => {
    const current = (await readSecret<{ username: string; password: string }>(client, secretId, 'AWSCURRENT'))!;
    return canLogin(server, current.username, current.password);
  };
  return { client, service, secretId, currentWorks, username };
}

const EXPECTED: Record<CrashPoint, { explains: RegExp; action: 'finish' | 'remove-pending' }> = {
  createSecret: { explains: /stopped after createSecret: AWSPENDING holds a new value that does not work on PostgreSQL .*AWSCURRENT still works/, action: 'remove-pending' },
  setSecret: { explains: /stopped before finishSecret: AWSPENDING already works on PostgreSQL/, action: 'finish' },
  testSecret: { explains: /stopped before finishSecret: AWSPENDING already works on PostgreSQL/, action: 'finish' },
};

describe('postgres-single-user: stuck rotations', () => {
  for (const step of Object.keys(EXPECTED) as CrashPoint[]) {
    it(`after ${step}: stuck, explained, dry run changes nothing, --apply leaves a working AWSCURRENT`, async () => {
      const { client, service, secretId, currentWorks } = await setUp();
      await service.rotate(secretId);
      const token = await stopAfter(service, client, secretId, step);
      if (step !== 'createSecret') expect(await currentWorks(), 'setSecret has locked AWSCURRENT out').toBe(false);
      await provesStuckRepair({ client, service, secretId, token, env, currentWorks }, EXPECTED[step]);
    });
  }

  it('doctor shows which version logs in and that TLS was used, from the rotator\'s own connections', async () => {
    const { client, service, secretId } = await setUp();
    await service.rotate(secretId);
    const token = await stopAfter(service, client, secretId, 'setSecret');
    const doctor = await cli(['doctor', secretId, '--json'], { env, now: anHourLater() });
    const checks = Object.fromEntries(doctor.json.checks.map((c: { label: string }) => [c.label, c]));
    expect(doctor.json.rotator).toMatchObject({ name: 'postgres-single-user', chosenBy: "the secret's fields", target: 'PostgreSQL' });
    expect(checks.AWSPENDING).toMatchObject({ versionId: token, state: 'works' });
    expect(checks.AWSPENDING.connections).toEqual([{ purpose: 'AWSPENDING credentials', host: server.host, tls: env.REQUIRE_TLS !== 'false' }]);
    // setSecret changed the password: AWSCURRENT and AWSPREVIOUS are refused, and the error says so without a value.
    expect(checks.AWSCURRENT).toMatchObject({ state: 'fails', error: { name: 'TargetConnectionError', kind: 'authentication', code: '28P01' } });
    expect(checks.AWSPREVIOUS.state).toBe('fails');
    expect(doctor.json.diagnosis.join(' ')).toMatch(/AWSCURRENT no longer logs in: clients that read AWSCURRENT are locked out/);
    const text = await cli(['doctor', secretId], { env, now: anHourLater() });
    expect(text.out).toMatch(/AWSPENDING +\S+ +logs in, passes testSecret +\S+ over TLS/);
    expect(text.out).toMatch(/AWSCURRENT +\S+ +refused +TargetConnectionError: /);
    expect(text.out).toMatch(/AWSPREVIOUS +\S+ +refused \(expected: postgres-single-user retires the old one\)/);
  });

  it('--rotator is used as given; a rotator that cannot read the secret says which field, and repair changes nothing', async () => {
    const { client, service, secretId } = await setUp();
    await stopAfter(service, client, secretId, 'createSecret');
    const wrong = await cli(['doctor', secretId, '--rotator', 'mysql-alternating-users', '--json'], { env, now: anHourLater() });
    expect(wrong.json.rotator).toMatchObject({ name: 'mysql-alternating-users', chosenBy: '--rotator' });
    expect(wrong.json.checks[0]).toMatchObject({ label: 'AWSCURRENT', state: 'invalid', error: { name: 'SecretValueError' } });
    expect(wrong.json.checks[0].error.message).toMatch(/"engine"|"masterarn"/);
    const before = await readSecret(client, secretId, 'AWSCURRENT');
    const repair = await cli(['repair', secretId, '--rotator', 'mysql-alternating-users', '--apply', '--json'], { env, now: anHourLater() });
    expect(repair.code).toBe(1);
    expect(repair.json.plan.blocked).toBeTruthy();
    expect(repair.json.applied).toEqual([]);
    expect((await readSecret(client, secretId, 'AWSCURRENT'))!.versionId).toBe(before!.versionId);
  });
});
