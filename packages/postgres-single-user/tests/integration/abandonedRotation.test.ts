/**
 * A rotation abandoned after its setSecret, against a real PostgreSQL (scram-sha-256, TLS) and the
 * local Secrets Manager. Its setSecret gave the role the password of its AWSPENDING version; then
 * that label moved on (a new rotation with another token) or was removed by hand (AWS's advice for
 * a stuck rotation), and the role's password is held by a version no label names. The next
 * setSecret must still log in, with that version (the engine's `newerUnlabelled`), after
 * AWSPENDING, AWSCURRENT and AWSPREVIOUS; and such a version, which anyone who can write AWSPENDING
 * can write, is never used to log in as another role or anywhere else.
 */
import { randomUUID } from 'node:crypto';
import {
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import {
  ConfusedDeputyError,
  createRotationLogger,
  type StepContext,
  TargetConnectionError,
  VersionNotPendingError,
} from '@rotators/core';
import {
  capturedOutput,
  createSecret,
  ensureRotationFunction,
  type PostgresServer,
  plantUnlabelled,
  readSecret,
  rememberSecretJson,
  startPostgres,
} from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresSingleUserRotator } from '../../src/rotator.ts';
import type { PostgresSecret } from '../../src/schema.ts';
import {
  assertServerLogHasNoPasswords,
  caFileOf,
  canLogin,
  createLoginRole,
  EXTERNAL_SERVER,
  NEEDS_OWN_CLUSTER,
  recordedAlterRoles,
  recordingConnect,
  roleName,
  rotationSetup,
  setRolePassword,
  testPassword,
} from '../helpers/postgres.ts';

let server: PostgresServer;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  server = await startPostgres(process.env);
  const caFile = caFileOf(server);
  env = caFile ? { TLS_CA_BUNDLE_PATH: caFile } : { REQUIRE_TLS: 'false' };
});

afterAll(async () => {
  await server?.stop();
});

function secretFor(username: string, password: string) {
  return {
    engine: 'postgres',
    host: server.host,
    port: server.port,
    username,
    password,
    dbname: 'postgres',
    ssl: caFileOf(server) !== undefined,
  };
}

async function newRoleAndSecret(username: string) {
  const password = testPassword();
  await createLoginRole(server, username, password);
  const setup = await rotationSetup(env);
  const secretId = await createSecret(setup.admin, secretFor(username, password), 'pg-single-abandoned');
  return { ...setup, secretId, password, username };
}

/** The password of a version, by id. */
async function passwordOf(
  admin: SecretsManagerClient,
  secretId: string,
  versionId: string,
  stage: 'AWSPENDING' | 'AWSCURRENT' | 'AWSPREVIOUS',
): Promise<string> {
  return (await readSecret(admin, secretId, stage, versionId))!.password as string;
}

/** What an operator does to a stuck rotation (AWS's troubleshooting guide): take AWSPENDING off its version. */
async function removePending(admin: SecretsManagerClient, secretId: string, token: string): Promise<void> {
  await admin.send(
    new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSPENDING', RemoveFromVersionId: token }),
  );
}

/**
 * A rotation that ran createSecret and setSecret, then was abandoned (AWSPENDING removed). Returns
 * its version id and password.
 */
async function abandonAfterSetSecret(
  setup: Awaited<ReturnType<typeof newRoleAndSecret>>,
): Promise<{ versionId: string; password: string }> {
  const { admin, service, secretId } = setup;
  const versionId = await service.start(secretId);
  await service.runStep(secretId, 'createSecret', versionId);
  await service.runStep(secretId, 'setSecret', versionId);
  const password = await passwordOf(admin, secretId, versionId, 'AWSPENDING');
  await removePending(admin, secretId, versionId);
  return { versionId, password };
}

describe('postgres-single-user: a rotation abandoned after its setSecret', () => {
  it(
    'the next rotation (another token) logs in with the abandoned version, completes, ' +
      'and the role logs in with the new AWSCURRENT',
    async () => {
      const setup = await newRoleAndSecret(roleName('abandoned'));
      const { admin, service, secretId, recorder, probe, username } = setup;
      await service.rotate(secretId); // so that AWSPREVIOUS exists and is tried too
      const current = (await readSecret(admin, secretId, 'AWSCURRENT'))!.password as string;
      const previous = (await readSecret(admin, secretId, 'AWSPREVIOUS'))!.password as string;
      const a = await abandonAfterSetSecret(setup);
      // The premise: only the unlabelled version holds the role's password.
      expect((await service.stages(secretId))[a.versionId]).toEqual([]);
      expect(await canLogin(server, username, a.password)).toBe(true);
      expect(await canLogin(server, username, current)).toBe(false);
      expect(await canLogin(server, username, previous)).toBe(false);

      recorder.reset();
      probe.reset();
      const { token: b, attempts } = await service.rotate(secretId);
      expect(attempts).toBe(1);
      const newCurrent = (await readSecret(admin, secretId, 'AWSCURRENT'))!;
      expect(newCurrent.versionId).toBe(b);
      expect(await canLogin(server, username, newCurrent.password as string)).toBe(true);
      expect(await canLogin(server, username, a.password)).toBe(false);
      // setSecret: AWSPENDING, AWSCURRENT, AWSPREVIOUS refused, then the abandoned version; testSecret: AWSPENDING.
      expect(recorder.attempts.map((x) => x.password)).toEqual([
        newCurrent.password,
        current,
        previous,
        a.password,
        newCurrent.password,
      ]);
      expect(recorder.attempts.every((x) => x.user === username && x.tls === (caFileOf(server) !== undefined))).toBe(
        true,
      );
      expect(recorder.statements.filter((sql) => sql.startsWith('ALTER ROLE'))).toHaveLength(1);
      // One listing, and the abandoned version read once, by its id.
      expect(probe.count('ListSecretVersionIdsCommand')).toBe(1);
      expect(
        probe.inputs.filter((c) => c.command === 'GetSecretValueCommand' && c.input.VersionId === a.versionId),
      ).toHaveLength(1);
      expect(capturedOutput()).toContain(`logged in with version ${a.versionId}, which no staging label holds`);
    },
  );

  it(
    "moto's way (RotateSecret while A is unfinished moves AWSPENDING to B): B completes while A's later steps fail " +
      'the preamble',
    async () => {
      const setup = await newRoleAndSecret(roleName('overlap'));
      const { admin, service, secretId, username } = setup;
      const a = await service.start(secretId);
      await service.runStep(secretId, 'createSecret', a);
      await service.runStep(secretId, 'setSecret', a);
      const aPassword = await passwordOf(admin, secretId, a, 'AWSPENDING');
      // The test kit's service refuses this, as AWS does; moto lets it through and moves AWSPENDING.
      const b = randomUUID();
      await admin.send(
        new RotateSecretCommand({
          SecretId: secretId,
          ClientRequestToken: b,
          RotationLambdaARN: await ensureRotationFunction(motoEndpoint()),
          RotationRules: { AutomaticallyAfterDays: 30 },
        }),
      );
      expect((await service.stages(secretId))[a]).toEqual([]);

      await expect(service.runStep(secretId, 'testSecret', a)).rejects.toBeInstanceOf(VersionNotPendingError);
      for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const)
        await service.runStep(secretId, step, b);
      await expect(service.runStep(secretId, 'finishSecret', a)).rejects.toBeInstanceOf(VersionNotPendingError);
      await service.cleanUpPending(secretId, b);

      const current = (await readSecret(admin, secretId, 'AWSCURRENT'))!;
      expect(current.versionId).toBe(b);
      expect(await canLogin(server, username, current.password as string)).toBe(true);
      expect(await canLogin(server, username, aPassword)).toBe(false);
      // And the next rotation goes through at once.
      expect((await service.rotate(secretId)).attempts).toBe(1);
    },
  );

  it('two abandoned in a row: the newest is tried first, and the third rotation completes', async () => {
    const setup = await newRoleAndSecret(roleName('twice'));
    const { admin, service, secretId, recorder, username } = setup;
    const a = await abandonAfterSetSecret(setup);
    const b = await abandonAfterSetSecret(setup); // its setSecret logged in with A's version
    expect(await canLogin(server, username, b.password)).toBe(true);

    recorder.reset();
    await service.rotate(secretId);
    const current = (await readSecret(admin, secretId, 'AWSCURRENT'))!.password as string;
    expect(await canLogin(server, username, current)).toBe(true);
    const unlabelledTried = recorder.attempts
      .map((x) => x.password)
      .filter((p) => p === a.password || p === b.password);
    expect(unlabelledTried).toEqual([b.password]);
  });

  it('a version without a label that is older than AWSCURRENT is not tried', async () => {
    const setup = await newRoleAndSecret(roleName('older'));
    const { admin, service, secretId, recorder, username } = setup;
    const { versionId: _v, ...value } = (await readSecret(admin, secretId, 'AWSCURRENT'))!;
    const oldPassword = testPassword();
    await plantUnlabelled(admin, secretId, { ...value, password: oldPassword });
    await service.rotate(secretId); // AWSCURRENT is now newer than the planted version
    await setRolePassword(server, username, oldPassword);

    const token = await service.start(secretId);
    await service.runStep(secretId, 'createSecret', token);
    recorder.reset();
    const error = await service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetConnectionError);
    expect((error as TargetConnectionError).kind).toBe('authentication');
    expect(recorder.attempts.map((x) => x.password)).not.toContain(oldPassword);
    expect(recorder.statements).toEqual([]);
  });

  it(
    'versions that cannot be used, newer than the abandoned one (more of them than are handed over), do not keep ' +
      'the rotation locked out',
    async () => {
      const setup = await newRoleAndSecret(roleName('junk_newer'));
      const { admin, service, secretId, recorder, username } = setup;
      const a = await abandonAfterSetSecret(setup);
      // Newer than A, anyone who can write the secret can add these; so does a rotation abandoned
      // before its createSecret (RotateSecret's version without a value).
      const junk = [
        await plantUnlabelled(admin, secretId, '{"password": "unterminated'),
        await plantUnlabelled(admin, secretId, new TextEncoder().encode('binary only')),
        await service.start(secretId),
      ];
      await removePending(admin, secretId, junk[2]!);
      const stages = await service.stages(secretId);
      for (const versionId of [a.versionId, ...junk]) expect(stages[versionId]).toEqual([]);

      recorder.reset();
      const { attempts } = await service.rotate(secretId);
      expect(attempts).toBe(1);
      const current = (await readSecret(admin, secretId, 'AWSCURRENT'))!.password as string;
      expect(await canLogin(server, username, current)).toBe(true);
      expect(recorder.attempts.map((x) => x.password)).toContain(a.password);
      for (const versionId of junk) {
        expect(
          capturedOutput()
            .split('\n')
            .some((line) => line.includes(versionId) && line.includes('"level":"WARN"')),
          versionId,
        ).toBe(true);
      }
    },
  );

  describe(
    'AWSPREVIOUS naming another server (the secret was re-pointed): skipped, and the versions without a label ' +
      'are still tried',
    () => {
      /**
       * A secret first stored for another host, then re-pointed (a new AWSCURRENT) at the test server:
       * AWSPREVIOUS names the old host.
       */
      async function rePointedSecret(username: string) {
        const password = testPassword();
        await createLoginRole(server, username, password);
        const setup = await rotationSetup(env);
        const secretId = await createSecret(
          setup.admin,
          { ...secretFor(username, testPassword()), host: 'old-db.invalid' },
          'pg-single-abandoned',
        );
        const value = JSON.stringify(secretFor(username, password));
        rememberSecretJson(value);
        await setup.admin.send(
          new PutSecretValueCommand({ SecretId: secretId, SecretString: value, VersionStages: ['AWSCURRENT'] }),
        );
        expect((await readSecret(setup.admin, secretId, 'AWSPREVIOUS'))!.host).toBe('old-db.invalid');
        return { ...setup, secretId, password, username };
      }

      it(
        'a rotation abandoned after its setSecret is recovered: the next rotation completes, ' +
          'nothing is sent to the old host',
        async () => {
          const setup = await rePointedSecret(roleName('repointed'));
          const { admin, service, secretId, recorder, username } = setup;
          const a = await abandonAfterSetSecret(setup);
          recorder.reset();
          const { attempts } = await service.rotate(secretId);
          expect(attempts).toBe(1);
          const current = (await readSecret(admin, secretId, 'AWSCURRENT'))!.password as string;
          expect(await canLogin(server, username, current)).toBe(true);
          // setSecret: AWSPENDING, AWSCURRENT, then A (AWSPREVIOUS skipped); testSecret: AWSPENDING.
          expect(recorder.attempts.map((x) => x.password)).toEqual([current, setup.password, a.password, current]);
          expect(recorder.attempts.every((x) => x.config.host === server.host)).toBe(true);
          const warn = capturedOutput()
            .split('\n')
            .find((line) => line.includes('AWSPREVIOUS names another host than AWSPENDING') && line.includes(secretId));
          expect(warn, 'a WARN says AWSPREVIOUS was skipped').toBeDefined();
          expect(warn).not.toContain('old-db.invalid');
        },
      );

      it("when nothing logs in, the error is still the ConfusedDeputyError naming AWSPREVIOUS's field", async () => {
        const setup = await rePointedSecret(roleName('repointed_none'));
        const { service, secretId, recorder, probe, username } = setup;
        const outOfBand = testPassword();
        await setRolePassword(server, username, outOfBand);
        const token = await service.start(secretId);
        await service.runStep(secretId, 'createSecret', token);
        recorder.reset();
        probe.reset();
        const error = await service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConfusedDeputyError);
        expect((error as ConfusedDeputyError).field).toBe('host');
        expect((error as Error).message).toContain('AWSPREVIOUS field "host"');
        // The versions without a label were looked for before giving up; only the role's own server was dialled.
        expect(probe.count('ListSecretVersionIdsCommand')).toBe(1);
        expect(recorder.attempts.map((x) => x.config.host)).toEqual([server.host, server.host]);
        expect(recorder.statements).toEqual([]);
        expect(await canLogin(server, username, outOfBand)).toBe(true);
      });
    },
  );

  describe(
    'hostile: a version without a label naming another role, server or database (anyone with PutSecretValue ' +
      'can write one)',
    () => {
      it.each([
        ['username', (victim: string) => ({ username: victim })],
        ['host', () => ({ host: '127.0.0.2' })],
        ['port', () => ({ port: 1 })],
        ['dbname', () => ({ dbname: 'template1' })],
        ['ssl', () => ({ ssl: caFileOf(server) === undefined })],
      ])(
        'another %s: skipped with a WARN naming the version id, never used to log in; nothing changed',
        async (field, change) => {
          const victim = roleName(`victim_${field}`);
          const victimPassword = testPassword();
          await createLoginRole(server, victim, victimPassword);
          const setup = await newRoleAndSecret(roleName(`deputy_${field}`));
          const { admin, service, secretId, recorder, username } = setup;
          // The role's password is one no version holds (so setSecret reaches the unlabelled versions).
          const outOfBand = testPassword();
          await setRolePassword(server, username, outOfBand);
          const token = await service.start(secretId);
          await service.runStep(secretId, 'createSecret', token);
          const { versionId: _v, ...value } = (await readSecret(admin, secretId, 'AWSCURRENT'))!;
          const planted = await plantUnlabelled(admin, secretId, {
            ...value,
            password: victimPassword,
            ...change(victim),
          });

          recorder.reset();
          const error = await service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(TargetConnectionError);
          expect((error as TargetConnectionError).kind).toBe('authentication');
          // Only the secret's own role, at its own server and database, and never the planted password.
          for (const attempt of recorder.attempts) {
            expect(attempt.config).toMatchObject({
              user: username,
              host: server.host,
              port: server.port,
              database: 'postgres',
            });
            expect(attempt.password).not.toBe(victimPassword);
          }
          expect(recorder.attempts).toHaveLength(2); // AWSPENDING, AWSCURRENT
          expect(recorder.statements).toEqual([]);
          const warn = capturedOutput()
            .split('\n')
            .find((line) => line.includes(planted) && line.includes('"level":"WARN"'));
          expect(warn, 'a WARN names the planted version').toBeDefined();
          expect(JSON.parse(warn!).fields).toEqual([field]);
          expect(await canLogin(server, victim, victimPassword)).toBe(true);
          expect(await canLogin(server, username, outOfBand)).toBe(true);
        },
      );

      it("the rotator's own check holds without the engine's: a version naming another role is not tried", async () => {
        // The engine already refuses such a version (it holds it to AWSCURRENT like AWSPENDING); here
        // the rotator is handed one directly, as if that guard were loosened.
        const victim = roleName('victim_direct');
        const victimPassword = testPassword();
        await createLoginRole(server, victim, victimPassword);
        const username = roleName('deputy_direct');
        const password = testPassword();
        await createLoginRole(server, username, password);
        await setRolePassword(server, username, testPassword());
        const recorder = recordingConnect();
        const rotator = createPostgresSingleUserRotator({ env, connect: recorder.connect });
        const current = secretFor(username, password) as PostgresSecret;
        const pending = { ...current, password: testPassword() };
        const ctx: StepContext = {
          secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:direct-AbCdEf',
          step: 'setSecret',
          token: randomUUID(),
          logger: createRotationLogger('postgres-single-user'),
          readSecret: () => Promise.reject(new Error('not used')),
        };
        const error = await rotator
          .setPending(
            {
              current,
              pending,
              newerUnlabelled: async () => [
                { versionId: 'planted-version', value: { ...current, username: victim, password: victimPassword } },
              ],
            },
            ctx,
          )
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TargetConnectionError);
        expect(recorder.attempts.map((x) => x.user)).toEqual([username, username]);
        expect(capturedOutput()).toContain(
          'version planted-version (no staging label) names another username than AWSCURRENT; ' +
            'its password is not tried',
        );
        expect(await canLogin(server, victim, victimPassword)).toBe(true);
      });
    },
  );

  // Last in the file (tests run in order): covers every statement the tests above caused.
  it.skipIf(EXTERNAL_SERVER)(
    `the server log of this file holds no password, and does hold the ALTER ROLE statements ${NEEDS_OWN_CLUSTER}`,
    () => {
      assertServerLogHasNoPasswords(server, recordedAlterRoles());
    },
  );
});
