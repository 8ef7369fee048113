/**
 * postgres-single-user against the test kit's PostgreSQL (scram-sha-256, verified TLS): each stuck
 * state a crash can leave. After createSecret the server still has the old password, so the stale
 * AWSPENDING is removed; after setSecret (and testSecret) the server already has the new one and
 * AWSCURRENT is locked out, so the rotation is finished forward. doctor says which version logs in,
 * over TLS, using the rotator's own connection code.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { scramSha256Verifier } from '@rotators/core/db';
import {
  canLogin,
  createSecret,
  type PostgresServer,
  readSecret,
  rememberSecret,
  startPostgres,
} from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresSingleUserRotator } from '../../../postgres-single-user/src/rotator.ts';
import {
  anHourLater,
  cli,
  currentLogsIn,
  databaseStuckExpectations,
  itRepairsEachCrashPoint,
  localRotation,
  rememberVersions,
  stopAfter,
} from '../helpers/harness.ts';

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
  roles += 1;
  const username = `cli_pg_${randomBytes(3).toString('hex')}_${roles}`;
  const password = `P${randomBytes(18).toString('base64url')}`;
  rememberSecret(password);
  await server.query(
    `CREATE ROLE ${escapeIdentifier(username)} LOGIN PASSWORD ${escapeLiteral(scramSha256Verifier(password))}`,
  );
  const { client, service } = await localRotation(createPostgresSingleUserRotator({ env }), env);
  const secretId = await createSecret(
    client,
    {
      engine: 'postgres',
      host: server.host,
      port: server.port,
      username,
      password,
      dbname: 'postgres',
      ssl: env.REQUIRE_TLS !== 'false',
    },
    'cli-pg',
  );
  return {
    client,
    service,
    secretId,
    currentWorks: currentLogsIn(client, secretId, (user, pw) => canLogin(server, user, pw)),
    username,
  };
}

describe('postgres-single-user: stuck rotations', () => {
  itRepairsEachCrashPoint({
    setUp,
    env: () => env,
    expected: databaseStuckExpectations('PostgreSQL'),
    async afterStop(step, { currentWorks }) {
      if (step !== 'createSecret') expect(await currentWorks(), 'setSecret has locked AWSCURRENT out').toBe(false);
    },
  });

  it("doctor shows which version logs in and that TLS was used, from the rotator's own connections", async () => {
    const { client, service, secretId } = await setUp();
    await service.rotate(secretId);
    const token = await stopAfter(service, client, secretId, 'setSecret');
    const doctor = await cli(['doctor', secretId, '--json'], { env, now: anHourLater() });
    const checks = Object.fromEntries(doctor.json.checks.map((c: { label: string }) => [c.label, c]));
    expect(doctor.json.rotator).toMatchObject({
      name: 'postgres-single-user',
      chosenBy: "the secret's fields",
      target: 'PostgreSQL',
    });
    expect(checks.AWSPENDING).toMatchObject({ versionId: token, state: 'works' });
    expect(checks.AWSPENDING.connections).toEqual([
      { purpose: 'AWSPENDING credentials', host: server.host, tls: env.REQUIRE_TLS !== 'false' },
    ]);
    // setSecret changed the password: AWSCURRENT and AWSPREVIOUS are refused, and the error says so without a value.
    expect(checks.AWSCURRENT).toMatchObject({
      state: 'fails',
      error: { name: 'TargetConnectionError', kind: 'authentication', code: '28P01' },
    });
    expect(checks.AWSPREVIOUS.state).toBe('fails');
    expect(doctor.json.diagnosis.join(' ')).toMatch(
      /AWSCURRENT no longer logs in: clients that read AWSCURRENT are locked out/,
    );
    const text = await cli(['doctor', secretId], { env, now: anHourLater() });
    expect(text.out).toMatch(/AWSPENDING +\S+ +logs in, passes testSecret +\S+ over TLS/);
    expect(text.out).toMatch(/AWSCURRENT +\S+ +refused +TargetConnectionError: /);
    expect(text.out).toMatch(/AWSPREVIOUS +\S+ +refused \(expected: postgres-single-user retires the old one\)/);
    // --verbose: the rotator's own JSON log lines on stderr, with the engine's keys, stdout unchanged.
    const verbose = await cli(['doctor', secretId, '--verbose'], { env, now: anHourLater() });
    expect(verbose.out).toMatch(/AWSPENDING +\S+ +logs in, passes testSecret/);
    const lines = verbose.err
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'Connected with AWSPENDING credentials',
        secretId,
        clientRequestToken: token,
        rotator: 'postgres-single-user',
        tls: env.REQUIRE_TLS !== 'false',
      }),
    );
    expect(
      lines.filter((l) => l.message === 'Could not connect with AWSPENDING credentials').map((l) => l.failure),
    ).toContain('authentication');
  });

  it(
    '--rotator is used as given; ' +
      'a rotator that cannot read the secret says which field, and repair changes nothing',
    async () => {
      const { client, service, secretId } = await setUp();
      await stopAfter(service, client, secretId, 'createSecret');
      const wrong = await cli(['doctor', secretId, '--rotator', 'mysql-alternating-users', '--json'], {
        env,
        now: anHourLater(),
      });
      expect(wrong.json.rotator).toMatchObject({ name: 'mysql-alternating-users', chosenBy: '--rotator' });
      expect(wrong.json.checks[0]).toMatchObject({
        label: 'AWSCURRENT',
        state: 'invalid',
        error: { name: 'SecretValueError' },
      });
      expect(wrong.json.checks[0].error.message).toMatch(/"engine"|"masterarn"/);
      const before = await readSecret(client, secretId, 'AWSCURRENT');
      const repair = await cli(['repair', secretId, '--rotator', 'mysql-alternating-users', '--apply', '--json'], {
        env,
        now: anHourLater(),
      });
      expect(repair.code).toBe(1);
      expect(repair.json.plan.blocked).toBeTruthy();
      expect(repair.json.applied).toEqual([]);
      expect((await readSecret(client, secretId, 'AWSCURRENT'))!.versionId).toBe(before!.versionId);
    },
  );

  it(
    'a removal that races with the function finishing setSecret is turned into a finish: ' +
      'AWSCURRENT never stays broken',
    async () => {
      const { client, service, secretId, currentWorks, username } = await setUp();
      await service.rotate(secretId);
      const token = await stopAfter(service, client, secretId, 'createSecret');
      const pending = (await readSecret<{ password: string }>(client, secretId, 'AWSPENDING', token))!;
      // Between repair's checks and its label removal, the function (retried by Secrets Manager)
      // finishes setSecret: the server takes the pending password the moment the removal goes out.
      let raced = false;
      const proxy = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', async () => {
          const input = JSON.parse(body || '{}') as { VersionStage?: string; RemoveFromVersionId?: string };
          if (
            !raced &&
            req.headers['x-amz-target'] === 'secretsmanager.UpdateSecretVersionStage' &&
            input.VersionStage === 'AWSPENDING' &&
            input.RemoveFromVersionId === token
          ) {
            raced = true;
            await server.query(
              `ALTER ROLE ${escapeIdentifier(username)} ` +
                `PASSWORD ${escapeLiteral(scramSha256Verifier(pending.password))}`,
            );
          }
          const upstream = new URL(motoEndpoint());
          const forward = request(
            { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
            (upstreamRes) => {
              res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
              upstreamRes.pipe(res);
            },
          );
          forward.end(body);
        });
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      try {
        const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
        const repaired = await cli(['repair', secretId, '--apply', '--json'], { env, now: anHourLater(), endpoint });
        await rememberVersions(client, secretId);
        expect(raced).toBe(true);
        expect(repaired.json.plan.actions.map((a: { kind: string }) => a.kind)).toEqual(['remove-pending']);
        expect(repaired.json.applied.map((a: { kind: string; ok: boolean }) => `${a.kind}:${a.ok}`)).toEqual([
          'remove-pending:true',
          'recover:true',
        ]);
        expect(repaired.json.applied[1].detail).toMatch(
          /AWSPENDING was put back and the rotation finished forward instead/,
        );
        expect(repaired.json.after).toMatchObject({
          verdict: 'healthy',
          current: { versionId: token, state: 'works' },
        });
        expect(repaired.code).toBe(0);
        expect(await currentWorks()).toBe(true);
      } finally {
        await new Promise((resolve) => proxy.close(resolve));
      }
    },
  );
});
