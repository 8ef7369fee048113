/**
 * Which secret may serve as the master is the function's configuration (MASTER_SECRET_ARNS, set by
 * the Terraform module), not the secret's: a secret's writer who names another secret the function
 * can read (another app's secret on the same server) is refused before that secret is read or
 * anything is written. Unset, the cold start says so with a WARN. Against MariaDB and moto.
 */
import { ConfusedDeputyError } from '@rotators/core';
import { capturedOutput, createSecret, readSecret, startMariaDb, type MariaDbServer } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, harness, logsIn, newPassword, snapshot } from '../helpers/harness.ts';

let db: MariaDbServer;
beforeAll(async () => {
  db = await startMariaDb();
  await db.query('CREATE DATABASE IF NOT EXISTS shop');
});
afterAll(async () => db?.stop());

describe('MASTER_SECRET_ARNS', () => {
  it(
    'a masterarn that is not one of them (here: another app secret the ' +
      'function reads) is refused before it is read; nothing written',
    async () => {
      const probeHarness = await harness(db);
      const allowedMaster = await createSecret(
        probeHarness.client,
        { username: db.adminUser, password: db.adminPassword, host: db.host, port: db.port },
        'mysql-master',
      );
      const h = await harness(db, { MASTER_SECRET_ARNS: allowedMaster });
      const ops = newPassword();
      await createUser(db, 'opsuser', ops, '%', ['GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION']);
      // Another team's app secret on the same server, which the function can read because it rotates it.
      const otherAppSecret = await h.secretFor('opsuser', ops);
      const password = newPassword();
      await createUser(db, 'mapp', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('mapp', password, { masterarn: otherAppSecret });
      const token = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', token);
      const before = await snapshot(db, ['mapp', 'mapp_clone']);
      h.probe.reset();
      const error = await h.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfusedDeputyError);
      expect((error as ConfusedDeputyError).field).toBe('masterarn');
      expect((error as Error).message).toContain(otherAppSecret);
      expect(
        h.probe.inputs.filter(
          (c) =>
            c.command === 'GetSecretValueCommand' && (c.input as { SecretId?: string }).SecretId === otherAppSecret,
        ),
      ).toEqual([]);
      expect(h.statements).toEqual([]);
      expect(await snapshot(db, ['mapp', 'mapp_clone'])).toBe(before);

      // The master the function is configured with rotates it.
      const allowed = await h.secretFor('mapp2', password, { masterarn: allowedMaster });
      await createUser(db, 'mapp2', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      await h.service.rotate(allowed);
      const current = (await readSecret<{ username: string; password: string }>(h.client, allowed, 'AWSCURRENT'))!;
      expect(await logsIn(db, current.username, current.password)).toBe(true);
    },
  );

  it('unset: any readable secret may serve, and the cold start logs a WARN saying so', async () => {
    const before = capturedOutput().length;
    await harness(db);
    expect(capturedOutput().slice(before)).toMatch(/"level":"WARN","message":"MASTER_SECRET_ARNS is unset/);
  });
});
