/**
 * AWSPENDING may differ from AWSCURRENT only in `username` and `password` (issue #18 items 2 and
 * 3): a pending value planted by whoever can write the secret, naming another database, another
 * master secret, another TLS setting or anything else, is refused with ConfusedDeputyError naming
 * the field — at setSecret, testSecret and finishSecret — before the rotator opens a connection,
 * with the secret's versions and labels, and the server's accounts, unchanged. Against a real
 * MariaDB and moto; the cases come from the schema, so a field added later is covered too.
 */
import { ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';
import { ConfusedDeputyError } from '@rotators/core';
import {
  createSecret,
  pendingFieldCases,
  plantPending,
  readSecret,
  startMariaDb,
  type MariaDbServer,
} from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlAlternatingUsersRotator } from '../../src/rotator.ts';
import { mysqlSecretSchema } from '../../src/schema.ts';
import { createUser, harness, newPassword, snapshot } from '../helpers/harness.ts';

type Secret = { username: string; password: string; versionId: string; [key: string]: unknown };

let db: MariaDbServer;
beforeAll(async () => {
  db = await startMariaDb();
  await db.query('CREATE DATABASE IF NOT EXISTS shop');
  await db.query('CREATE DATABASE IF NOT EXISTS other');
});
afterAll(async () => db?.stop());

const rotatedFields = createMysqlAlternatingUsersRotator({ env: {} }).rotatedFields;

/** A secret rotated once (so both users exist and "nothing changed" covers both), and a new rotation's token. */
async function started(user: string) {
  const h = await harness(db);
  const password = newPassword();
  await createUser(db, user, password, '%', ['GRANT SELECT ON shop.* TO ?@?', 'GRANT SELECT ON other.* TO ?@?']);
  const secretId = await h.secretFor(user, password, { dbname: 'shop' });
  await h.service.rotate(secretId);
  const token = await h.service.start(secretId);
  await h.service.runStep(secretId, 'createSecret', token);
  const { versionId: _v, ...current } = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
  return { h, secretId, token, current };
}

async function versions(h: Awaited<ReturnType<typeof harness>>, secretId: string) {
  return (await h.client.send(new ListSecretVersionIdsCommand({ SecretId: secretId }))).Versions?.map((v) => [
    v.VersionId,
    v.VersionStages,
  ]);
}

async function expectRefusedEverywhere(
  user: string,
  change: (
    current: Record<string, unknown>,
    h: Awaited<ReturnType<typeof harness>>,
  ) => Promise<Record<string, unknown>>,
  field: string,
) {
  const { h, secretId, token, current } = await started(user);
  const pending = await change(current, h);
  await plantPending(h.client, secretId, token, { ...pending, username: user, password: newPassword() });
  const versionsBefore = await versions(h, secretId);
  const before = await snapshot(db, [user, `${user}_clone`]);
  h.connects.length = 0;
  h.probe.reset();
  for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const) {
    const error = await h.service.runStep(secretId, step, token).catch((e: unknown) => e);
    expect(error, step).toBeInstanceOf(ConfusedDeputyError);
    expect((error as ConfusedDeputyError).field, step).toBe(field);
    expect((error as Error).message).toContain(secretId);
  }
  // No statement on the server: the rotator never connected.
  expect(h.connects).toEqual([]);
  expect(await snapshot(db, [user, `${user}_clone`])).toBe(before);
  expect(h.probe.count('PutSecretValueCommand') + h.probe.count('UpdateSecretVersionStageCommand')).toBe(0);
  expect(await versions(h, secretId)).toEqual(versionsBefore);
  return h;
}

describe('a planted AWSPENDING that differs in a field the rotation does not change', () => {
  it('dbname (another database): refused at every step, nothing written', async () => {
    await expectRefusedEverywhere('pf_dbname', async (current) => ({ ...current, dbname: 'other' }), 'dbname');
  });

  it(
    'masterarn (another master secret, on the same server): refused ' +
      'at every step, the other master never read, nothing written',
    async () => {
      let otherMaster = '';
      const h = await expectRefusedEverywhere(
        'pf_master',
        async (current, h) => {
          otherMaster = await createSecret(
            h.client,
            { username: db.adminUser, password: db.adminPassword, host: db.host, port: db.port },
            'mysql-master',
          );
          return { ...current, masterarn: otherMaster };
        },
        'masterarn',
      );
      expect(h.probe.inputs.map((call) => call.input.SecretId)).not.toContain(otherMaster);
    },
  );

  it('ssl (plaintext asked for in AWSPENDING only): refused at every step, nothing written', async () => {
    await expectRefusedEverywhere('pf_ssl', async (current) => ({ ...current, ssl: !current.ssl }), 'ssl');
  });
});

describe('every field of the schema and an unknown one', () => {
  const sample = {
    engine: 'mariadb',
    host: '127.0.0.1',
    port: 3306,
    username: 'pf_all',
    password: 'x-current',
    dbname: 'shop',
    masterarn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:m-AbCdEf',
    ssl: true,
  };
  const fields = pendingFieldCases(mysqlSecretSchema as never, sample, rotatedFields).map((c) => c.field);

  it('covers every key of the schema but username and password, plus an unknown one', () => {
    expect(new Set(fields)).toEqual(
      new Set([
        ...Object.keys(mysqlSecretSchema.shape).filter((f) => !rotatedFields.includes(f as never)),
        'plantedUnknownField',
      ]),
    );
  });

  it(
    'each case, planted into a real rotation: ConfusedDeputyError naming ' +
      'that field at setSecret and testSecret, no connection, nothing written',
    async () => {
      const { h, secretId, token, current } = await started('pf_all');
      const cases = pendingFieldCases(mysqlSecretSchema as never, current, rotatedFields);
      expect(new Set(cases.map((c) => c.field))).toEqual(new Set(fields));
      const versionsBefore = await versions(h, secretId);
      const before = await snapshot(db, ['pf_all', 'pf_all_clone']);
      h.connects.length = 0;
      for (const { field, change, pending } of cases) {
        await plantPending(h.client, secretId, token, { ...pending, username: 'pf_all', password: newPassword() });
        h.probe.reset();
        for (const step of ['setSecret', 'testSecret'] as const) {
          const error = await h.service.runStep(secretId, step, token).catch((e: unknown) => e);
          expect(error, `${field} ${change} at ${step}`).toBeInstanceOf(ConfusedDeputyError);
          expect((error as ConfusedDeputyError).field, `${field} ${change} at ${step}`).toBe(field);
        }
        expect(h.probe.count('PutSecretValueCommand') + h.probe.count('UpdateSecretVersionStageCommand')).toBe(0);
      }
      expect(h.connects).toEqual([]);
      expect(await snapshot(db, ['pf_all', 'pf_all_clone'])).toBe(before);
      // Only the planted value of the pending version changed; no label moved.
      expect((await versions(h, secretId))?.map(([, stages]) => stages)).toEqual(
        versionsBefore?.map(([, stages]) => stages),
      );
    },
  );
});
