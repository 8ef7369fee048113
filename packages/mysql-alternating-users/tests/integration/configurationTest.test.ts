/**
 * RotateSecret with RotateImmediately=false: Secrets Manager runs testSecret alone, with no pending
 * user. The rotator proves the current user and the master secret log in, and changes nothing.
 */
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { rememberSecretJson, startMariaDb, type MariaDbServer } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, harness, newPassword } from '../helpers/harness.ts';

let db: MariaDbServer;
beforeAll(async () => {
  db = await startMariaDb();
});
afterAll(async () => db?.stop());

const WRITES = /^(CREATE|ALTER|GRANT|REVOKE|SET PASSWORD|SET DEFAULT|DROP)/;

describe('configuration test (testSecret alone)', () => {
  it('logs in as the current user and as the master, and writes nothing', async () => {
    const h = await harness(db);
    const password = newPassword();
    await createUser(db, 'cfg_app', password, '%', ['GRANT SELECT ON *.* TO ?@?']);
    const secretId = await h.secretFor('cfg_app', password);

    await h.service.testOnly(secretId);

    expect(h.connects.filter((c) => c.ok).map((c) => c.user)).toEqual(['cfg_app', db.adminUser]);
    expect(h.statements.filter((s) => WRITES.test(s.sql))).toEqual([]);
  });

  it('fails when the master secret does not log in', async () => {
    const h = await harness(db);
    const password = newPassword();
    await createUser(db, 'cfg_app2', password, '%', ['GRANT SELECT ON *.* TO ?@?']);
    const badMaster = {
      username: db.adminUser,
      password: newPassword(),
      host: db.host,
      port: db.port,
      engine: db.flavor,
    };
    rememberSecretJson(JSON.stringify(badMaster));
    const masterArn = (
      await h.client.send(
        new CreateSecretCommand({ Name: `mysql-master-bad/${randomUUID()}`, SecretString: JSON.stringify(badMaster) }),
      )
    ).ARN!;
    const secretId = await h.secretFor('cfg_app2', password, { masterarn: masterArn });

    await expect(h.service.testOnly(secretId)).rejects.toThrow(/master secret.*\[authentication/);
    expect(h.statements.filter((s) => WRITES.test(s.sql))).toEqual([]);
  });
});
