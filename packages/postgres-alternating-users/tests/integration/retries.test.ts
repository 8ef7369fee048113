/**
 * Secrets Manager retries whole rotations and a Lambda can stop between any two statements: every
 * step run twice changes nothing the second time, a stop at any statement of setSecret (the roles
 * transaction, the adoption transaction) is followed by a retry that completes the rotation, and a
 * COMMIT whose reply was lost is recognised (the pending user logs in, the password is left alone).
 */
import { type PostgresServer, readSecret, startPostgres } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertServerLogHasNoPasswords,
  baseEnv,
  canLogin,
  createLoginRole,
  createMaster,
  createSecrets,
  EXTERNAL_SERVER,
  id,
  isWrite,
  type Master,
  NEEDS_OWN_CLUSTER,
  recordedPasswordStatements,
  roleName,
  rotationSetup,
  runAs,
  type SessionFaults,
  testPassword,
} from '../helpers/postgres.ts';

let server: PostgresServer;
let master: Master;

beforeAll(async () => {
  server = await startPostgres();
  master = await createMaster(server);
});

afterAll(async () => {
  await server?.stop();
});

type Version = { username: string; password: string };

/**
 * A base user owning a table, its secret, and a rotation service (ADOPT_OWNERSHIP on, so setSecret
 * has both transactions).
 */
async function newPair(name: string, faults: SessionFaults = {}, maxAttempts = 1) {
  const base = roleName(name);
  const password = testPassword();
  await createLoginRole(server, base, password);
  await server.query(`GRANT CREATE ON SCHEMA public TO ${id(base)}`);
  await runAs(server, base, password, `CREATE TABLE ${id(`${base}_t`)} (id int)`);
  const setup = await rotationSetup(baseEnv(server, { ADOPT_OWNERSHIP: 'true' }), faults, maxAttempts);
  const { secretId } = await createSecrets(server, setup.admin, master, { username: base, password });
  return { ...setup, base, secretId };
}

/** The end state every rotation must reach, whatever happened on the way. */
async function expectRotated(
  admin: Awaited<ReturnType<typeof newPair>>['admin'],
  secretId: string,
  base: string,
  expected: string,
) {
  const current = (await readSecret<Version>(admin, secretId, 'AWSCURRENT'))!;
  const previous = (await readSecret<Version>(admin, secretId, 'AWSPREVIOUS'))!;
  expect(current.username).toBe(expected);
  expect(await canLogin(server, previous.username, previous.password)).toBe(true);
  const { rows } = await runAs(
    server,
    current.username,
    current.password,
    `SELECT current_user AS c, (SELECT relowner::regrole::text FROM pg_class WHERE relname = '${base}_t') AS t`,
  );
  expect(rows[0]).toEqual({ c: `${base}_owner`, t: `${base}_owner` });
}

describe('retries converge', () => {
  it(
    'every step twice, rotations 1 and 2: ' + 'the second run of each writes nothing, and the rotation completes',
    async () => {
      const { service, admin, secretId, base, recorder, probe } = await newPair('twice');
      for (const expected of [`${base}_clone`, base]) {
        const token = await service.start(secretId);
        for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
          await service.runStep(secretId, step, token);
          recorder.reset();
          probe.reset();
          await service.runStep(secretId, step, token);
          expect(recorder.statements.filter(isWrite), `${step} again`).toEqual([]);
          expect(
            recorder.statements.filter((sql) => sql === 'BEGIN'),
            `${step} again`,
          ).toEqual([]);
          expect(
            probe.count('PutSecretValueCommand') + probe.count('UpdateSecretVersionStageCommand'),
            `${step} again`,
          ).toBe(0);
        }
        await service.cleanUpPending(secretId, token);
        await expectRotated(admin, secretId, base, expected);
      }
    },
  );

  it('a stop at any statement of setSecret (roles and adoption transactions), rotation 1 and 2: ' +
    'the retried rotation completes', {
    timeout: 600_000,
  }, async () => {
    const covered: string[] = [];
    for (let k = 0; ; k += 1) {
      let seen = -1;
      let failed: string | undefined;
      // Fail the k-th statement that is not a read, once: a Lambda that stops there.
      const faults: SessionFaults = {
        failWith: (sql) => {
          if (failed || sql.startsWith('SELECT')) return undefined;
          seen += 1;
          if (seen !== k) return undefined;
          failed = sql.replace(/'SCRAM-SHA-256\$[^']*'/, "'<verifier>'");
          return Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
        },
      };
      const { service, admin, secretId, base } = await newPair(`stop${k}`, faults, 2);
      const first = await service.rotate(secretId);
      await expectRotated(admin, secretId, base, `${base}_clone`);
      const second = await service.rotate(secretId);
      await expectRotated(admin, secretId, base, base);
      if (!failed) break;
      expect(first.attempts + second.attempts).toBe(3);
      covered.push(failed);
    }
    // The premise: every statement setSecret sends in rotations 1 and 2 (11 + 9 + 3) was a stopping point.
    expect(covered.length).toBeGreaterThanOrEqual(20);
    for (const kind of [
      'BEGIN',
      'CREATE ROLE',
      'COMMENT ON ROLE',
      'GRANT',
      'ALTER ROLE',
      'REASSIGN OWNED',
      'REVOKE',
      'COMMIT',
    ]) {
      expect(
        covered.some((sql) => sql.startsWith(kind)),
        kind,
      ).toBe(true);
    }
    expect(covered.some((sql) => / PASSWORD '<verifier>'/.test(sql))).toBe(true);
  });

  it(
    'a COMMIT that happened but whose reply was lost: the retry finds the pending user logging in and leaves the ' +
      'password alone',
    async () => {
      let lost = false;
      const { service, admin, secretId, base, recorder } = await newPair('lost_commit', {
        failAfter: (sql, index) => {
          if (lost || sql !== 'COMMIT' || !recorder.statements.slice(0, index).some((s) => / PASSWORD /.test(s)))
            return undefined;
          lost = true;
          return Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
        },
      });
      const token = await service.start(secretId);
      await service.runStep(secretId, 'createSecret', token);
      await expect(service.runStep(secretId, 'setSecret', token)).rejects.toThrow(/COMMIT failed/);
      const pending = (await readSecret<Version>(admin, secretId, 'AWSPENDING', token))!;
      expect(await canLogin(server, pending.username, pending.password)).toBe(true);
      recorder.reset();
      await service.runStep(secretId, 'setSecret', token);
      expect(recorder.statements.some((sql) => / PASSWORD /.test(sql))).toBe(false);
      for (const step of ['testSecret', 'finishSecret'] as const) await service.runStep(secretId, step, token);
      await service.cleanUpPending(secretId, token);
      await expectRotated(admin, secretId, base, `${base}_clone`);
    },
  );

  it.skipIf(EXTERNAL_SERVER)(`the server log holds no password ${NEEDS_OWN_CLUSTER}`, () => {
    assertServerLogHasNoPasswords(server, recordedPasswordStatements());
  });
});
