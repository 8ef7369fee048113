/**
 * Whoever can write a secret cannot steer the master onto accounts that are not that secret's:
 * ownership of a pair of users is read from the server (`rotators`.`accounts`, written by the
 * rotator when it creates an account), never from a secret version; the AWSCURRENT login is
 * proven on every setSecret; an account the rotator did not lock is never unlocked by it.
 * Against a real MariaDB and moto.
 */
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ConfusedDeputyError, TargetConnectionError, TargetOperationError } from '@rotators/core';
import { capturedOutput, readSecret, rememberSecretJson, startMariaDb, type MariaDbServer } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountHosts,
  createUser,
  grantLines,
  harness,
  isLocked,
  logsIn,
  newPassword,
  snapshot,
} from '../helpers/harness.ts';

type Secret = { username: string; password: string; versionId: string; [key: string]: unknown };

let db: MariaDbServer;
beforeAll(async () => {
  db = await startMariaDb();
  await db.query('CREATE DATABASE IF NOT EXISTS shop');
});
afterAll(async () => db?.stop());

const WRITES = /^(CREATE|ALTER|GRANT|REVOKE|SET DEFAULT|SET PASSWORD|INSERT|UPDATE|DELETE|DROP|REPLACE)/;
const writesOf = (h: Awaited<ReturnType<typeof harness>>) =>
  h.statements.filter((s) => WRITES.test(s.sql)).map((s) => s.sql);

async function ownershipRows(users: string[]) {
  try {
    return await db.query<{ user: string; host: string; secret_arn: string; locked_by_rotator: number }>(
      'SELECT user, host, secret_arn, locked_by_rotator FROM rotators.accounts WHERE user IN (?) ORDER BY user, host',
      [users],
    );
  } catch {
    return [];
  }
}

/** A second secret, written by someone who holds `username`'s password, whose AWSPREVIOUS claims `previousUsername`. */
async function forgedSecret(
  h: Awaited<ReturnType<typeof harness>>,
  username: string,
  password: string,
  previousUsername: string,
): Promise<string> {
  const secretId = await h.secretFor(previousUsername, newPassword());
  const { versionId: _v, ...value } = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
  const current = JSON.stringify({ ...value, username, password });
  rememberSecretJson(current);
  // PutSecretValue with AWSCURRENT moves AWSPREVIOUS to the version naming previousUsername.
  await h.client.send(
    new PutSecretValueCommand({ SecretId: secretId, SecretString: current, VersionStages: ['AWSCURRENT'] }),
  );
  expect((await readSecret<Secret>(h.client, secretId, 'AWSPREVIOUS'))!.username).toBe(previousUsername);
  return secretId;
}

async function refusedSetSecret(h: Awaited<ReturnType<typeof harness>>, secretId: string) {
  const token = await h.service.start(secretId);
  await h.service.runStep(secretId, 'createSecret', token);
  h.statements.length = 0;
  return h.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
}

describe('ownership lives on the server, not in a secret version', () => {
  it(
    'a writer who holds X_clone’s credentials and writes another ' +
      'secret (AWSPREVIOUS forged to X) cannot take over X',
    async () => {
      const legit = await harness(db);
      const xPassword = newPassword();
      await createUser(db, 'own', xPassword, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      const legitSecret = await legit.secretFor('own', xPassword);
      await legit.service.rotate(legitSecret); // own_clone made by the rotator, for legitSecret
      const clone = (await readSecret<Secret>(legit.client, legitSecret, 'AWSCURRENT'))!;
      expect(clone.username).toBe('own_clone');

      const h = await harness(db);
      const attackerSecret = await forgedSecret(h, 'own_clone', clone.password, 'own');
      const before = await snapshot(db, ['own', 'own_clone']);
      const error = await refusedSetSecret(h, attackerSecret);
      expect(error).toBeInstanceOf(ConfusedDeputyError);
      expect((error as ConfusedDeputyError).field).toBe('username');
      expect((error as Error).message).toContain(legitSecret);
      expect((error as Error).message).toContain(attackerSecret);
      expect(writesOf(h)).toEqual([]);
      expect(await snapshot(db, ['own', 'own_clone'])).toBe(before);
      expect(await logsIn(db, 'own', xPassword)).toBe(true);
      // What the server knows: the rotator made own_clone for the legitimate secret.
      expect(await ownershipRows(['own', 'own_clone'])).toEqual([
        { user: 'own_clone', host: '%', secret_arn: legitSecret, locked_by_rotator: 0 },
      ]);
      // The legitimate secret still rotates the pair.
      await legit.service.rotate(legitSecret);
      expect((await readSecret<Secret>(legit.client, legitSecret, 'AWSCURRENT'))!.username).toBe('own');
    },
  );

  it('a forged AWSPREVIOUS is no evidence: an unrelated existing user is not taken over', async () => {
    const h = await harness(db);
    const victimPassword = newPassword();
    await createUser(db, 'prev', victimPassword, '%', ['GRANT ALL PRIVILEGES ON shop.* TO ?@?']);
    const clonePassword = newPassword();
    await createUser(db, 'prev_clone', clonePassword, '%', ['GRANT SELECT ON shop.* TO ?@?']);
    const secretId = await forgedSecret(h, 'prev_clone', clonePassword, 'prev');
    const before = await snapshot(db, ['prev', 'prev_clone']);
    const error = await refusedSetSecret(h, secretId);
    expect(error).toBeInstanceOf(ConfusedDeputyError);
    expect((error as ConfusedDeputyError).field).toBe('username');
    expect((error as Error).message).toContain('ADOPT_EXISTING_CLONE');
    expect(writesOf(h)).toEqual([]);
    expect(await snapshot(db, ['prev', 'prev_clone'])).toBe(before);
    expect(await logsIn(db, 'prev', victimPassword)).toBe(true);
  });

  it(
    'a retried setSecret whose AWSPENDING already logs in still proves the AWSCURRENT ' +
      'login: a current password that no longer works stops it, nothing written',
    async () => {
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'stale2', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('stale2', password);
      const token = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', token);
      await h.service.runStep(secretId, 'setSecret', token);
      // The current user's password changes behind the secret's back; privileges differ too.
      await db.query("ALTER USER 'stale2'@'%' IDENTIFIED BY ?", [newPassword()]);
      await db.query("GRANT INSERT ON shop.* TO 'stale2'@'%'");
      const before = await snapshot(db, ['stale2', 'stale2_clone']);
      h.statements.length = 0;
      h.connects.length = 0;
      const error = await h.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetConnectionError);
      expect((error as TargetConnectionError).kind).toBe('authentication');
      expect((error as Error).message).toContain('AWSCURRENT credentials');
      expect(h.connects.map((c) => [c.user, c.ok])).toEqual([
        ['stale2_clone', true],
        ['stale2', false],
      ]);
      expect(writesOf(h)).toEqual([]);
      expect(await snapshot(db, ['stale2', 'stale2_clone'])).toBe(before);
    },
  );

  it(
    'a pair made before the record existed, whose AWSPREVIOUS still logs in ' +
      'as the pending user: recorded with a WARN and rotated, no setting needed',
    async () => {
      const password = newPassword();
      await createUser(db, 'mig', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      const h = await harness(db);
      const secretId = await h.secretFor('mig', password);
      await h.service.rotate(secretId); // mig_clone current; AWSPREVIOUS mig, whose password still works
      // As an older version of the rotator left it: the same pair, no record.
      await db.query('DELETE FROM rotators.accounts WHERE user IN (?)', [['mig', 'mig_clone']]);
      const before = capturedOutput().length;
      await h.service.rotate(secretId);
      const current = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
      expect(current.username).toBe('mig');
      expect(await logsIn(db, 'mig', current.password)).toBe(true);
      expect((await ownershipRows(['mig', 'mig_clone'])).map((r) => [r.user, r.secret_arn])).toEqual([
        ['mig', secretId],
        ['mig_clone', secretId],
      ]);
      expect(capturedOutput().slice(before)).toMatch(
        '"level":"WARN","message":"AWSPREVIOUS logs in as the pending user of a pair ' +
          'with no record: account recorded as this secret\'s"',
      );
      await h.service.rotate(secretId);
      const next = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
      expect(await logsIn(db, next.username, next.password)).toBe(true);
    },
  );

  it(
    'a pair with no record whose AWSPREVIOUS does not log in: refused naming ' +
      'ADOPT_EXISTING_CLONE, nothing written; one rotation with it set records the pair',
    async () => {
      const password = newPassword();
      await createUser(db, 'mig2', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      const h = await harness(db);
      const secretId = await h.secretFor('mig2', password);
      await h.service.rotate(secretId); // mig2_clone current
      await db.query('DELETE FROM rotators.accounts WHERE user IN (?)', [['mig2', 'mig2_clone']]);
      // mig2's password changed out of band: nothing on the server shows this secret holds mig2.
      await db.query("ALTER USER 'mig2'@'%' IDENTIFIED BY ?", [newPassword()]);
      const before = await snapshot(db, ['mig2', 'mig2_clone']);
      const error = await refusedSetSecret(h, secretId);
      expect(error).toBeInstanceOf(ConfusedDeputyError);
      expect((error as Error).message).toContain('ADOPT_EXISTING_CLONE');
      expect(writesOf(h)).toEqual([]);
      expect(await snapshot(db, ['mig2', 'mig2_clone'])).toBe(before);
      // The refused rotation is left pending, as Secrets Manager would leave it; the operator's setting runs it again.
      const migrating = await harness(db, { ADOPT_EXISTING_CLONE: 'true' });
      const token = (await readSecret<Secret>(h.client, secretId, 'AWSPENDING'))!.versionId;
      for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const)
        await migrating.service.runStep(secretId, step, token);
      await migrating.service.cleanUpPending(secretId, token);
      expect((await ownershipRows(['mig2', 'mig2_clone'])).map((r) => [r.user, r.secret_arn])).toEqual([
        ['mig2', secretId],
        ['mig2_clone', secretId],
      ]);
      await h.service.rotate(secretId);
      await h.service.rotate(secretId);
      const current = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
      expect(await logsIn(db, current.username, current.password)).toBe(true);
    },
  );
});

describe('a login proves one account, not every account of the user name (review finding)', () => {
  it(
    'another account of the same user name at another host, with its own password ' +
      'and more privileges: refused before any write, nothing copied or changed',
    async () => {
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'multi', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      // A DBA's account of the same name, elsewhere, with another password and every privilege on shop.
      const dbaPassword = newPassword();
      await createUser(db, 'multi', dbaPassword, '10.50.%', ['GRANT ALL PRIVILEGES ON shop.* TO ?@?']);
      const secretId = await h.secretFor('multi', password);
      const before = await snapshot(db, ['multi', 'multi_clone']);
      const error = await refusedSetSecret(h, secretId);
      expect(error).toBeInstanceOf(ConfusedDeputyError);
      expect((error as ConfusedDeputyError).field).toBe('username');
      expect((error as Error).message).toContain("'multi'@'10.50.%'");
      expect((error as Error).message).toContain(secretId);
      expect(writesOf(h)).toEqual([]);
      expect(await snapshot(db, ['multi', 'multi_clone'])).toBe(before);
    },
  );

  it(
    'the same accounts holding the same password (as this ' +
      'rotator leaves them): rotates, the clone gets both hosts',
    async () => {
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'multi2', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      await createUser(db, 'multi2', password, '10.60.%', ['GRANT INSERT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('multi2', password);
      await h.service.rotate(secretId);
      await h.service.rotate(secretId);
      const current = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
      expect(current.username).toBe('multi2');
      expect(await logsIn(db, 'multi2', current.password)).toBe(true);
      expect(await grantLines(db, 'multi2_clone')).toEqual(await grantLines(db, 'multi2'));
    },
  );

  it(
    'a password that an anonymous account answers to: the ' + 'login is not "victim"’s, refused, nothing created',
    async (context) => {
      if (db.external) context.skip('creates an anonymous account, only on a server the kit starts');
      const anonymousPassword = newPassword();
      await db.query("CREATE USER ''@'%' IDENTIFIED BY ?", [anonymousPassword]);
      try {
        await createUser(db, 'victim', newPassword(), '10.9.9.%', ['GRANT ALL PRIVILEGES ON shop.* TO ?@?']);
        const h = await harness(db);
        const secretId = await h.secretFor('victim', anonymousPassword);
        const error = await refusedSetSecret(h, secretId);
        expect(error).toBeInstanceOf(ConfusedDeputyError);
        expect((error as Error).message).toContain("matched the AWSCURRENT login to the account ''@'%'");
        expect(writesOf(h)).toEqual([]);
        expect(await accountHosts(db, 'victim_clone')).toEqual([]);
      } finally {
        await db.query("DROP USER ''@'%'");
      }
    },
  );
});

describe('an account the rotator did not lock is never unlocked by it', () => {
  it(
    'a DBA locks the clone (not the base user): the next rotation that sets ' +
      'the clone’s password refuses before any write, and the clone stays locked',
    async () => {
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'dbalock', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('dbalock', password);
      await h.service.rotate(secretId); // dbalock_clone current
      await h.service.rotate(secretId); // dbalock current, clone previous
      await db.query("ALTER USER 'dbalock_clone'@'%' ACCOUNT LOCK");
      const before = await snapshot(db, ['dbalock', 'dbalock_clone']);
      const error = await refusedSetSecret(h, secretId);
      expect(error).toBeInstanceOf(TargetOperationError);
      expect((error as Error).message).toContain(
        'dbalock_clone@% is locked (ACCOUNT LOCK) and this rotator did not lock it',
      );
      expect((error as Error).message).toContain(secretId);
      expect(writesOf(h)).toEqual([]);
      expect(await snapshot(db, ['dbalock', 'dbalock_clone'])).toBe(before);
      expect(await isLocked(db, 'dbalock_clone', '%')).toBe(true);
    },
  );

  it(
    'a DBA locks the base user, which uses another ' + 'authentication plugin (ed25519): its lock is never undone',
    async (context) => {
      if (db.flavor !== 'mariadb' || db.external)
        context.skip('needs the auth_ed25519 plugin of a MariaDB the kit starts');
      await db.query("INSTALL SONAME 'auth_ed25519'").catch(() => undefined);
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'edl', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('edl', password);
      await h.service.rotate(secretId); // edl_clone current
      await db.query("ALTER USER 'edl'@'%' IDENTIFIED VIA ed25519 USING PASSWORD(?)", [newPassword()]);
      await db.query("ALTER USER 'edl'@'%' ACCOUNT LOCK");
      const cloneGrants = await grantLines(db, 'edl_clone');
      const token = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', token);
      h.statements.length = 0;
      await h.service.runStep(secretId, 'setSecret', token).catch(() => undefined);
      expect(await isLocked(db, 'edl', '%')).toBe(true);
      expect(h.statements.filter((s) => /ACCOUNT UNLOCK/.test(s.sql))).toEqual([]);
      // The base user stayed the source: the clone in use kept its privileges.
      expect(await grantLines(db, 'edl_clone')).toEqual(cloneGrants);
    },
  );
});
