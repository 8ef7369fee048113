/**
 * Names and hostile inputs against a real MariaDB: the 26/27-character boundary, user names with
 * quotes, backticks, %, _, spaces and non-ASCII letters, and the confused-deputy checks. Every
 * refusal is a typed error naming the field and the secret, with the database and the secret
 * unchanged.
 */
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ConfusedDeputyError, SecretValueError, TargetConnectionError, TargetOperationError } from '@rotators/core';
import { createSecret, readSecret, rememberSecretJson, startMariaDb, type MariaDbServer } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MasterRightsError } from '../../src/masterRights.ts';
import { UsernameTooLongError } from '../../src/usernames.ts';
import { accountHosts, createUser, grantLines, harness, logsIn, newPassword, snapshot } from '../helpers/harness.ts';

type Secret = { username: string; password: string; versionId: string; [key: string]: unknown };

let db: MariaDbServer;
beforeAll(async () => {
  db = await startMariaDb();
  await db.query('CREATE DATABASE IF NOT EXISTS shop');
  // A database whose name needs quoting and holds a placeholder character.
  await db.query('CREATE DATABASE IF NOT EXISTS `we?ird``db`');
});
afterAll(async () => db?.stop());

const allUsers = async () =>
  (await db.query<{ u: string }>("SELECT CONCAT(User, '@', Host) AS u FROM mysql.user ORDER BY u")).map((r) => r.u);

describe('user name length (USERNAME_CHARACTER_LIMIT, default 32)', () => {
  it('a 26-character base name rotates: the 32-character clone exists and logs in', async () => {
    const h = await harness(db);
    const name = 'a'.repeat(26);
    const password = newPassword();
    await createUser(db, name, password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
    const secretId = await h.secretFor(name, password);
    await h.service.rotate(secretId);
    const current = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
    expect(current.username).toBe(`${name}_clone`);
    expect([...current.username].length).toBe(32);
    expect(await logsIn(db, current.username, current.password)).toBe(true);
  });

  it(
    'a 27-character base name is refused in createSecret, ' + 'naming "username" and the secret, before any write',
    async () => {
      const h = await harness(db);
      const name = 'b'.repeat(27);
      const password = newPassword();
      await createUser(db, name, password);
      const secretId = await h.secretFor(name, password);
      const usersBefore = await allUsers();
      const token = await h.service.start(secretId);
      h.probe.reset();

      const error = await h.service.runStep(secretId, 'createSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsernameTooLongError);
      expect(error).toBeInstanceOf(SecretValueError);
      expect((error as UsernameTooLongError).name).toBe('UsernameTooLongError');
      expect((error as UsernameTooLongError).fields).toEqual(['username']);
      expect((error as Error).message).toContain('"username"');
      expect((error as Error).message).toContain('limit of 32');
      expect((error as Error).message).toContain(secretId);
      expect(h.probe.count('PutSecretValueCommand')).toBe(0);
      expect(h.probe.count('GetRandomPasswordCommand')).toBe(0);
      expect(h.connects).toEqual([]);
      expect(await allUsers()).toEqual(usersBefore);
    },
  );

  it('USERNAME_CHARACTER_LIMIT=80 (MariaDB) lets the 27-character name through', async (context) => {
    if (db.flavor !== 'mariadb') context.skip('MySQL allows 32 characters: the 33-character clone cannot exist there');
    const h = await harness(db, { USERNAME_CHARACTER_LIMIT: '80' });
    const name = 'c'.repeat(27);
    const password = newPassword();
    await createUser(db, name, password);
    const secretId = await h.secretFor(name, password);
    await h.service.rotate(secretId);
    expect((await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!.username).toBe(`${name}_clone`);
  });
});

describe('names that need quoting', () => {
  it.each([
    ["o'hara", 'a single quote'],
    ['back`tick', 'a backtick'],
    ['per%cent', 'a percent sign'],
    ['under_score', 'an underscore'],
    ['with space', 'a space'],
    ['pérez_ü', 'non-ASCII letters'],
    // 26 characters, so the clone fits MySQL's 32 as well.
    ["x'@'%';DROP USER victim;--", 'an injection attempt'],
    ['back\\slash\\', 'backslashes'],
    ['que?ry', 'a question mark (mysql2’s placeholder)'],
  ])('%s (%s): two rotations, exact clone name, equal privileges, nothing injected', async (name) => {
    const h = await harness(db, { USERNAME_CHARACTER_LIMIT: '80' });
    const victimPassword = newPassword();
    await db.query("CREATE USER IF NOT EXISTS 'victim'@'%' IDENTIFIED BY ?", [victimPassword]);
    await db.query("ALTER USER 'victim'@'%' IDENTIFIED BY ?", [victimPassword]);
    const password = newPassword();
    await createUser(db, name, password, '%', [
      'GRANT SELECT ON shop.* TO ?@?',
      'GRANT SELECT, INSERT ON `we?ird``db`.* TO ?@? WITH GRANT OPTION',
    ]);
    const usersBefore = await allUsers();
    const secretId = await h.secretFor(name, password);

    await h.service.rotate(secretId);
    await h.service.rotate(secretId);
    const current = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
    const previous = (await readSecret<Secret>(h.client, secretId, 'AWSPREVIOUS'))!;
    expect(current.username).toBe(name);
    expect(previous.username).toBe(`${name}_clone`);
    expect(await accountHosts(db, `${name}_clone`)).toEqual(['%']);
    expect(await grantLines(db, `${name}_clone`)).toEqual(await grantLines(db, name));
    expect((await grantLines(db, `${name}_clone`)).join('\n')).toContain(
      'ON `we?ird``db`.* TO <grantee> WITH GRANT OPTION',
    );
    expect(await logsIn(db, current.username, current.password)).toBe(true);
    expect(await logsIn(db, previous.username, previous.password)).toBe(true);
    // Exactly one account more (the clone); the victim still logs in with its own password.
    expect(await allUsers()).toEqual([...usersBefore, `${name}_clone@%`].sort());
    expect(await logsIn(db, 'victim', victimPassword)).toBe(true);
  });
});

describe('a server running with NO_BACKSLASH_ESCAPES', () => {
  it('the master session drops it, so a name with a backslash and a quote is escaped correctly', async () => {
    const h = await harness(db, { USERNAME_CHARACTER_LIMIT: '80' });
    const name = "bs\\' OR '1'='1";
    const password = newPassword();
    await createUser(db, name, password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
    const usersBefore = await allUsers();
    const [{ mode }] = (await db.query<{ mode: string }>('SELECT @@GLOBAL.sql_mode AS mode')) as [{ mode: string }];
    await db.query("SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, ',NO_BACKSLASH_ESCAPES')");
    try {
      const secretId = await h.secretFor(name, password);
      await h.service.rotate(secretId);
      const current = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
      expect(current.username).toBe(`${name}_clone`);
      expect(await logsIn(db, current.username, current.password)).toBe(true);
    } finally {
      await db.query('SET GLOBAL sql_mode = ?', [mode]);
    }
    expect(await allUsers()).toEqual([...usersBefore, `${name}_clone@%`].sort());
    expect(await grantLines(db, `${name}_clone`)).toEqual(await grantLines(db, name));
  });
});

describe('an existing pending user that is not this secret’s is never taken over', () => {
  async function refused(h: Awaited<ReturnType<typeof harness>>, secretId: string, users: string[]) {
    const before = await snapshot(db, users);
    const token = await h.service.start(secretId);
    await h.service.runStep(secretId, 'createSecret', token);
    const error = await h.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfusedDeputyError);
    expect((error as ConfusedDeputyError).field).toBe('username');
    expect((error as Error).message).toContain('ADOPT_EXISTING_CLONE');
    expect((error as Error).message).toContain(secretId);
    expect(await snapshot(db, users)).toBe(before);
    expect(h.statements.filter((s) => /^(CREATE|ALTER|GRANT|REVOKE|SET DEFAULT)/.test(s.sql))).toEqual([]);
  }

  it('a secret for svc_clone does not use an unrelated existing svc as its source or reset its password', async () => {
    const h = await harness(db);
    const svcPassword = newPassword();
    await createUser(db, 'svc', svcPassword, '%', ['GRANT ALL PRIVILEGES ON shop.* TO ?@?']);
    const password = newPassword();
    await createUser(db, 'svc_clone', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
    await refused(h, await h.secretFor('svc_clone', password), ['svc', 'svc_clone']);
    expect(await logsIn(db, 'svc', svcPassword)).toBe(true);
  });

  it(
    'a locked app_clone that the server’s record does not show ' +
      'as this secret’s is refused (lock state is no evidence)',
    async () => {
      const h = await harness(db);
      await createUser(db, 'lkd_clone', newPassword(), '%');
      await db.query("ALTER USER 'lkd_clone'@'%' ACCOUNT LOCK");
      const password = newPassword();
      await createUser(db, 'lkd', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      await refused(h, await h.secretFor('lkd', password), ['lkd', 'lkd_clone']);
    },
  );

  it(
    'a pre-existing unrelated app_clone is refused when ' + 'rotating app; ADOPT_EXISTING_CLONE=true adopts it',
    async () => {
      const h = await harness(db);
      const otherPassword = newPassword();
      await createUser(db, 'pre_clone', otherPassword, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      const password = newPassword();
      await createUser(db, 'pre', password, '%', ['GRANT SELECT, INSERT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('pre', password);
      await refused(h, secretId, ['pre', 'pre_clone']);
      expect(await logsIn(db, 'pre_clone', otherPassword)).toBe(true);

      const adopting = await harness(db, { ADOPT_EXISTING_CLONE: 'true' });
      const adoptedSecret = await adopting.secretFor('pre', password);
      await adopting.service.rotate(adoptedSecret);
      const current = (await readSecret<Secret>(adopting.client, adoptedSecret, 'AWSCURRENT'))!;
      expect(current.username).toBe('pre_clone');
      expect(await logsIn(db, 'pre_clone', current.password)).toBe(true);
      expect(await grantLines(db, 'pre_clone')).toEqual(await grantLines(db, 'pre'));
    },
  );
});

describe('confused-deputy checks: a clear error, the database unchanged', () => {
  async function rotatedOnce(user: string) {
    const h = await harness(db);
    const password = newPassword();
    await createUser(db, user, password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
    const secretId = await h.secretFor(user, password);
    await h.service.rotate(secretId); // the clone exists, so "unchanged" covers both users
    return { h, secretId };
  }

  it.each([
    ['username', { username: 'victim' }],
    ['host', { host: '127.0.0.2' }],
    ['port', { port: 1 }],
    ['engine', { engine: 'mysql' }],
  ])('pending value for another %s: refused before any connection', async (field, change) => {
    const { h, secretId } = await rotatedOnce(`deputy_${field}`);
    const token = await h.service.start(secretId);
    const { versionId: _v, ...currentValue } = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
    // AWSCURRENT is the clone after one rotation, so the genuine pending user is the base user.
    const tampered = JSON.stringify({
      ...currentValue,
      username: `deputy_${field}`,
      password: newPassword(),
      ...change,
    });
    rememberSecretJson(tampered);
    await h.client.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        SecretString: tampered,
        VersionStages: ['AWSPENDING'],
      }),
    );
    const before = await snapshot(db, [`deputy_${field}`, `deputy_${field}_clone`, 'victim']);
    h.connects.length = 0;

    const error = await h.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfusedDeputyError);
    expect((error as ConfusedDeputyError).field).toBe(field);
    // The engine's pending guard (or, behind it, the rotator's own) names the field.
    expect((error as Error).message).toContain(`"${field}"`);
    expect((error as Error).message).toContain(secretId);
    expect(h.connects).toEqual([]);
    expect(await snapshot(db, [`deputy_${field}`, `deputy_${field}_clone`, 'victim'])).toBe(before);
  });

  it('a master secret for another host: refused before the master connects', async () => {
    const { h, secretId } = await rotatedOnce('deputy_master');
    const otherMaster = await createSecret(
      h.client,
      { username: db.adminUser, password: db.adminPassword, host: 'db.elsewhere.example', port: db.port },
      'mysql-master',
    );
    const { versionId: _v, ...value } = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
    await h.client.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        SecretString: JSON.stringify({ ...value, masterarn: otherMaster }),
        VersionStages: ['AWSCURRENT'],
      }),
    );
    const before = await snapshot(db, ['deputy_master', 'deputy_master_clone']);
    h.connects.length = 0;

    const token = await h.service.start(secretId);
    await h.service.runStep(secretId, 'createSecret', token);
    const error = await h.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfusedDeputyError);
    expect((error as ConfusedDeputyError).field).toBe('masterarn');
    expect((error as Error).message).toContain('db.elsewhere.example');
    expect((error as Error).message).toContain(secretId);
    expect(h.connects.map((c) => c.user)).not.toContain(db.adminUser);
    expect(await snapshot(db, ['deputy_master', 'deputy_master_clone'])).toBe(before);
  });

  it('a master without rights: a clear error, nothing changed', async () => {
    const h = await harness(db);
    const weakPassword = newPassword();
    await createUser(db, 'weakmaster', weakPassword);
    const weakMaster = await createSecret(
      h.client,
      { username: 'weakmaster', password: weakPassword, host: db.host, port: db.port },
      'mysql-master',
    );
    const password = newPassword();
    await createUser(db, 'weakapp', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
    const secretId = await h.secretFor('weakapp', password, { masterarn: weakMaster });
    const before = await snapshot(db, ['weakapp', 'weakapp_clone', 'weakmaster']);

    const token = await h.service.start(secretId);
    await h.service.runStep(secretId, 'createSecret', token);
    const error = await h.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetOperationError);
    expect((error as Error).message).toMatch(
      /reading the accounts of user weakapp from mysql\.user failed: ER_TABLEACCESS_DENIED_ERROR/,
    );
    expect((error as Error).message).toContain(secretId);
    expect(await snapshot(db, ['weakapp', 'weakapp_clone', 'weakmaster'])).toBe(before);
  });

  it(
    'a master that can read mysql.user and create users but not grant: ' +
      'MasterRightsError naming the missing right, nothing written',
    async () => {
      const h = await harness(db);
      const masterPassword = newPassword();
      await createUser(db, 'partmaster', masterPassword, '%', [
        'GRANT SELECT ON mysql.* TO ?@?',
        'GRANT CREATE USER ON *.* TO ?@?',
        'GRANT SELECT, INSERT, UPDATE, CREATE ON rotators.* TO ?@?',
      ]);
      const partMaster = await createSecret(
        h.client,
        { username: 'partmaster', password: masterPassword, host: db.host, port: db.port },
        'mysql-master',
      );
      const password = newPassword();
      await createUser(db, 'partapp', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('partapp', password, { masterarn: partMaster });
      const before = await snapshot(db, ['partapp', 'partapp_clone', 'partmaster']);
      const token = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', token);
      const error = await h.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MasterRightsError);
      expect(error).toBeInstanceOf(TargetOperationError);
      expect((error as MasterRightsError).missing).toEqual(['GRANT OPTION ON `shop`.*']);
      expect((error as Error).message).toContain(secretId);
      expect(await snapshot(db, ['partapp', 'partapp_clone', 'partmaster'])).toBe(before);
      expect(h.statements.filter((s) => /^(CREATE|ALTER|GRANT|REVOKE|SET DEFAULT)/.test(s.sql))).toEqual([]);

      // GRANT OPTION on that one object is enough: the same rotation then completes.
      await db.query("GRANT SELECT ON shop.* TO 'partmaster'@'%' WITH GRANT OPTION");
      for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const)
        await h.service.runStep(secretId, step, token);
      expect(await grantLines(db, 'partapp_clone')).toEqual(await grantLines(db, 'partapp'));
    },
  );

  it(
    'a master with a wrong password: an authentication ' + 'failure, nothing changed, no password in the message',
    async () => {
      const h = await harness(db);
      const wrong = newPassword();
      const badMaster = await createSecret(
        h.client,
        { username: db.adminUser, password: wrong, host: db.host, port: db.port },
        'mysql-master',
      );
      const password = newPassword();
      await createUser(db, 'badmasterapp', password);
      const secretId = await h.secretFor('badmasterapp', password, { masterarn: badMaster });
      const before = await snapshot(db, ['badmasterapp', 'badmasterapp_clone']);
      const token = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', token);
      const error = await h.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetConnectionError);
      expect((error as TargetConnectionError).kind).toBe('authentication');
      expect((error as Error).message).toContain('master secret');
      expect((error as Error).message).not.toContain(wrong);
      expect(await snapshot(db, ['badmasterapp', 'badmasterapp_clone'])).toBe(before);
    },
  );

  it('current credentials that no longer log in: an authentication failure before the master is read', async () => {
    const h = await harness(db);
    const password = newPassword();
    await createUser(db, 'stale', password);
    const secretId = await h.secretFor('stale', newPassword());
    const token = await h.service.start(secretId);
    await h.service.runStep(secretId, 'createSecret', token);
    h.probe.reset();
    const error = await h.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetConnectionError);
    expect((error as TargetConnectionError).kind).toBe('authentication');
    expect((error as Error).message).toContain('AWSCURRENT credentials');
    expect(h.probe.inputs.map((c) => c.input.SecretId)).not.toContain(h.masterArn);
    expect(await accountHosts(db, 'stale_clone')).toEqual([]);
  });
});
