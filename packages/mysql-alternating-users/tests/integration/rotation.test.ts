/**
 * Alternating-users rotations against a real MariaDB (password auth, verified TLS): the clone is
 * created with the base user's privileges, the two users take turns, AWSPREVIOUS keeps working,
 * privilege changes made to the base user reach the clone, retries change nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { capturedOutput, readSecret, startMariaDb, type MariaDbServer } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativePasswordHash, PasswordValidationPluginError } from '../../src/passwords.ts';
import {
  accountHosts,
  createUser,
  grantLines,
  harness,
  isLocked,
  logsIn,
  newPassword,
  snapshot,
  storedHash,
} from '../helpers/harness.ts';

// The general log lives in the server's own folder: only for a MariaDB the kit starts.
const LOCAL_MARIADB = !process.env.MYSQL_TEST_HOST;

type Secret = { username: string; password: string; versionId: string; [key: string]: unknown };

let db: MariaDbServer;
beforeAll(async () => {
  db = await startMariaDb();
  await db.query('CREATE DATABASE IF NOT EXISTS shop');
  await db.query('CREATE TABLE IF NOT EXISTS shop.orders (id INT, total INT, note TEXT)');
  await db.query('CREATE DATABASE IF NOT EXISTS audit');
});
afterAll(async () => db?.stop());

describe('master sessions', () => {
  it('bound the metadata-lock wait on the server before any other statement', async () => {
    const h = await harness(db, { CONNECT_TIMEOUT_SECONDS: '2' });
    const password = newPassword();
    await createUser(db, 'lockwait_app', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
    const secretId = await h.secretFor('lockwait_app', password);
    await h.service.rotate(secretId);

    const masterConnections = [
      ...new Set(h.statements.filter((s) => s.user === db.adminUser).map((s) => s.connection)),
    ];
    expect(masterConnections.length).toBeGreaterThan(0);
    for (const connection of masterConnections) {
      expect(h.statements.find((s) => s.connection === connection)?.sql).toBe('SET SESSION lock_wait_timeout = ?');
    }
  });
});

describe('three rotations of app / app_clone', () => {
  it(
    'creates app_clone with app’s privileges, alternates, and ' +
      'AWSCURRENT and AWSPREVIOUS both log in after each rotation',
    async () => {
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'app', password, '%', [
        'GRANT SELECT, INSERT ON shop.* TO ?@? WITH GRANT OPTION',
        'GRANT SELECT (id), UPDATE (note) ON shop.orders TO ?@?',
        'GRANT PROCESS ON *.* TO ?@?',
      ]);
      await db.query('CREATE ROLE IF NOT EXISTS reporting');
      await db.query('GRANT SELECT ON audit.* TO reporting');
      await db.query("GRANT reporting TO 'app'@'%'");
      // MariaDB lists the default role in SHOW GRANTS and the rotator copies it; MySQL keeps it in
      // SHOW CREATE USER and the rotator does not copy it (see README).
      if (db.flavor === 'mariadb') await db.query("SET DEFAULT ROLE reporting FOR 'app'@'%'");
      await db.query('ALTER USER ?@? REQUIRE SSL', ['app', '%']);
      const secretId = await h.secretFor('app', password, { dbname: 'shop', team: 'payments' });

      const expectedUsers = ['app_clone', 'app', 'app_clone'];
      let previousValue = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
      for (const [index, expectedUser] of expectedUsers.entries()) {
        const { token, attempts } = await h.service.rotate(secretId);
        expect(attempts).toBe(1);
        const current = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
        const previous = (await readSecret<Secret>(h.client, secretId, 'AWSPREVIOUS'))!;
        expect(current.versionId).toBe(token);
        expect(current.username).toBe(expectedUser);
        expect(current).toMatchObject({
          dbname: 'shop',
          team: 'payments',
          masterarn: h.masterArn,
          host: db.host,
          port: db.port,
        });
        expect(previous.username).toBe(previousValue.username);
        expect(previous.password).toBe(previousValue.password);
        expect(
          await logsIn(db, current.username, current.password, 'shop'),
          `rotation ${index + 1}: AWSCURRENT logs in`,
        ).toBe(true);
        expect(
          await logsIn(db, previous.username, previous.password, 'shop'),
          `rotation ${index + 1}: AWSPREVIOUS logs in`,
        ).toBe(true);
        expect(await grantLines(db, 'app_clone')).toEqual(await grantLines(db, 'app'));
        previousValue = current;
      }
      // The copied lines include column grants, GRANT OPTION, the role (and MariaDB's default role).
      const cloneLines = (await grantLines(db, 'app_clone')).join('\n');
      expect(cloneLines).toContain('WITH GRANT OPTION');
      expect(cloneLines).toContain('SELECT (`id`), UPDATE (`note`) ON `shop`.`orders`');
      expect(cloneLines).toMatch(/GRANT `reporting`(@`%`)? TO <grantee>/);
      if (db.flavor === 'mariadb') expect(cloneLines).toContain('SET DEFAULT ROLE `reporting` FOR <grantee>');
      // REQUIRE SSL was copied (MariaDB also prints it in SHOW GRANTS; MySQL only in mysql.user).
      const required = await db.query<{ User: string; ssl_type: string }>(
        "SELECT User, ssl_type FROM mysql.user WHERE User IN ('app', 'app_clone') ORDER BY User",
      );
      expect(required.map((r) => [r.User, r.ssl_type])).toEqual([
        ['app', 'ANY'],
        ['app_clone', 'ANY'],
      ]);
      // Nothing but the users' own connections and the master's: no plaintext attempt anywhere.
      expect(h.connects.every((c) => c.tls)).toBe(true);
    },
  );

  it(
    'a grant added to, or revoked from, the base user reaches ' +
      'the clone at the next rotation (whichever user is pending)',
    async () => {
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'drift', password, '%', ['GRANT SELECT, INSERT, UPDATE ON shop.* TO ?@?']);
      const secretId = await h.secretFor('drift', password);
      await h.service.rotate(secretId); // creates drift_clone; AWSCURRENT = drift_clone
      expect(await grantLines(db, 'drift_clone')).toEqual(await grantLines(db, 'drift'));

      // Between rotations the DBA changes the base user while the clone is current.
      await db.query("GRANT DELETE ON shop.* TO 'drift'@'%'");
      await db.query("REVOKE INSERT ON shop.* FROM 'drift'@'%'");
      await db.query("GRANT SELECT ON audit.* TO 'drift'@'%'");
      await h.service.rotate(secretId); // pending = drift, clone is synced from it
      expect((await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!.username).toBe('drift');
      expect(await grantLines(db, 'drift_clone')).toEqual(await grantLines(db, 'drift'));
      expect((await grantLines(db, 'drift')).join('\n')).toContain('GRANT SELECT, UPDATE, DELETE ON `shop`.*');

      // A privilege given to the clone alone is taken away again; the base user keeps its own.
      await db.query("GRANT CREATE ON shop.* TO 'drift_clone'@'%'");
      await db.query("REVOKE SELECT ON audit.* FROM 'drift'@'%'");
      await h.service.rotate(secretId); // pending = drift_clone
      expect(await grantLines(db, 'drift_clone')).toEqual(await grantLines(db, 'drift'));
      expect((await grantLines(db, 'drift_clone')).join('\n')).not.toContain('audit');
      const current = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
      const previous = (await readSecret<Secret>(h.client, secretId, 'AWSPREVIOUS'))!;
      expect(await logsIn(db, current.username, current.password)).toBe(true);
      expect(await logsIn(db, previous.username, previous.password)).toBe(true);
    },
  );

  it(
    'base user given ALL PRIVILEGES: the in-use clone gets GRANT ALL and ' +
      'never loses a privilege, even if the function stops right after',
    async () => {
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'allbase', password, '%', ['GRANT SELECT, INSERT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('allbase', password);
      await h.service.rotate(secretId); // AWSCURRENT = allbase_clone, with SELECT, INSERT on shop.*
      await db.query("GRANT ALL PRIVILEGES ON shop.* TO 'allbase'@'%'");

      const token = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', token);
      // Stop at the first read-back after the clone got GRANT ALL: what it holds then is what a
      // crash would leave it with until the retry.
      h.failStatementWhen(
        (sql, previous) =>
          sql.startsWith('SHOW GRANTS FOR') &&
          previous.some((p) => p.startsWith("GRANT ALL PRIVILEGES ON `shop`.* TO 'allbase_clone'")),
      );
      const statementsBefore = h.statements.length;
      await expect(h.service.runStep(secretId, 'setSecret', token)).rejects.toThrow(
        /reading the grants of allbase_clone@%/,
      );
      expect((await grantLines(db, 'allbase_clone')).join('\n')).toContain(
        'GRANT ALL PRIVILEGES ON `shop`.* TO <grantee>',
      );
      expect(await grantLines(db, 'allbase_clone')).toEqual(await grantLines(db, 'allbase'));

      for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const)
        await h.service.runStep(secretId, step, token);
      expect(h.statements.slice(statementsBefore).filter((s) => s.sql.startsWith('REVOKE'))).toEqual([]);
      expect(await grantLines(db, 'allbase_clone')).toEqual(await grantLines(db, 'allbase'));
      const previous = (await readSecret<Secret>(h.client, secretId, 'AWSPREVIOUS'))!;
      expect(previous.username).toBe('allbase_clone');
      expect(await logsIn(db, previous.username, previous.password, 'shop')).toBe(true);
    },
  );

  it(
    'clone with ALL PRIVILEGES where the base user has less: ' +
      'revoked down to the base user’s list without REVOKE ALL',
    async () => {
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'allclone', password, '%', ['GRANT SELECT, INSERT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('allclone', password);
      await h.service.rotate(secretId);
      await db.query("GRANT ALL PRIVILEGES ON shop.* TO 'allclone_clone'@'%'");
      const statementsBefore = h.statements.length;
      await h.service.rotate(secretId);
      const revokes = h.statements
        .slice(statementsBefore)
        .map((s) => s.sql)
        .filter((sql) => sql.startsWith('REVOKE'));
      expect(revokes[0]).toBe("REVOKE DROP ON `shop`.* FROM 'allclone_clone'@'%'");
      expect(revokes.join('\n')).not.toMatch(/REVOKE ALL|REVOKE[^\n]*\b(SELECT|INSERT)\b/);
      expect(await grantLines(db, 'allclone_clone')).toEqual(await grantLines(db, 'allclone'));
    },
  );

  it('creates the clone at the base user’s own account hosts, not at %', async () => {
    const h = await harness(db);
    const password = newPassword();
    // 127.0.0.1 is where the tests connect from; 10.9.% is a second network the user is allowed from.
    await createUser(db, 'hosted', password, '127.0.0.1', ['GRANT SELECT ON shop.* TO ?@?']);
    await db.query('CREATE USER ?@? IDENTIFIED BY ?', ['hosted', '10.9.%', password]);
    await db.query("GRANT SELECT, INSERT ON audit.* TO 'hosted'@'10.9.%'");
    const secretId = await h.secretFor('hosted', password);
    await h.service.rotate(secretId);
    expect(await accountHosts(db, 'hosted_clone')).toEqual(['10.9.%', '127.0.0.1']);
    expect(await grantLines(db, 'hosted_clone', '127.0.0.1')).toEqual(await grantLines(db, 'hosted', '127.0.0.1'));
    expect(await grantLines(db, 'hosted_clone', '10.9.%')).toEqual(await grantLines(db, 'hosted', '10.9.%'));
    const current = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
    expect(await logsIn(db, current.username, current.password)).toBe(true);
  });

  it(
    'a clone account at a host the base user no longer has ' + 'is locked and gets no new password (a WARN names it)',
    async () => {
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'gone', password, '127.0.0.1', ['GRANT SELECT ON shop.* TO ?@?']);
      await createUser(db, 'gone', password, '10.9.%', ['GRANT SELECT, INSERT ON audit.* TO ?@?']);
      const secretId = await h.secretFor('gone', password);
      await h.service.rotate(secretId); // gone_clone at both hosts, AWSCURRENT
      expect(await isLocked(db, 'gone_clone', '10.9.%')).toBe(false);
      await db.query("DROP USER 'gone'@'10.9.%'");
      const hashBefore = await storedHash(db, 'gone_clone', '10.9.%');
      const outputBefore = capturedOutput().length;
      await h.service.rotate(secretId); // pending gone
      await h.service.rotate(secretId); // pending gone_clone: a new password, but not at 10.9.%
      expect((await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!.username).toBe('gone_clone');
      expect(await isLocked(db, 'gone_clone', '10.9.%')).toBe(true);
      expect(await storedHash(db, 'gone_clone', '10.9.%')).toBe(hashBefore);
      expect(await isLocked(db, 'gone_clone', '127.0.0.1')).toBe(false);
      const current = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
      expect(await logsIn(db, current.username, current.password)).toBe(true);
      expect(capturedOutput().slice(outputBefore)).toMatch(
        new RegExp(
          '"level":"WARN","message":"Account has no counterpart at this host: locked' +
            '[^\\n]*"account":"gone_clone@10\\.9\\.%"',
        ),
      );
    },
  );

  it('a DBA’s ACCOUNT LOCK on the base user at one host is copied to the clone there and never undone', async () => {
    const h = await harness(db);
    const password = newPassword();
    await createUser(db, 'lockd', password, '127.0.0.1', ['GRANT SELECT ON shop.* TO ?@?']);
    await createUser(db, 'lockd', password, '10.8.%', ['GRANT SELECT ON shop.* TO ?@?']);
    await db.query("ALTER USER 'lockd'@'10.8.%' ACCOUNT LOCK");
    const secretId = await h.secretFor('lockd', password);
    await h.service.rotate(secretId); // pending lockd_clone: copies the lock state
    expect(await isLocked(db, 'lockd_clone', '10.8.%')).toBe(true);
    expect(await isLocked(db, 'lockd_clone', '127.0.0.1')).toBe(false);
    await h.service.rotate(secretId); // pending lockd: its own lock state is left alone
    expect((await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!.username).toBe('lockd');
    expect(await isLocked(db, 'lockd', '10.8.%')).toBe(true);
    expect(await isLocked(db, 'lockd', '127.0.0.1')).toBe(false);
    await h.service.rotate(secretId);
    expect(await isLocked(db, 'lockd_clone', '10.8.%')).toBe(true);
  });

  it(
    'a secret that starts as the clone creates the base ' + 'user from it, and the base user leads from then on',
    async () => {
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'solo_clone', password, '127.0.0.1', ['GRANT SELECT, INSERT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('solo_clone', password);
      await h.service.rotate(secretId);
      expect((await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!.username).toBe('solo');
      expect(await accountHosts(db, 'solo')).toEqual(['127.0.0.1']);
      expect(await grantLines(db, 'solo', '127.0.0.1')).toEqual(await grantLines(db, 'solo_clone', '127.0.0.1'));
      // Now `solo` is the source: a grant made to it reaches the clone.
      await db.query("GRANT DELETE ON shop.* TO 'solo'@'127.0.0.1'");
      await h.service.rotate(secretId);
      expect(await grantLines(db, 'solo_clone', '127.0.0.1')).toEqual(await grantLines(db, 'solo', '127.0.0.1'));
      expect((await grantLines(db, 'solo_clone', '127.0.0.1')).join('\n')).toContain('DELETE');
    },
  );

  it(
    'a retried setSecret after the password was set changes nothing when ' +
      'nothing differs; testSecret and finishSecret complete the rotation',
    async () => {
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'retry', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('retry', password);
      const token = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', token);
      await h.service.runStep(secretId, 'setSecret', token);
      const before = await snapshot(db, ['retry', 'retry_clone']);
      const connectsBefore = h.connects.length;

      const statementsBefore = h.statements.length;
      await h.service.runStep(secretId, 'setSecret', token);
      expect(await snapshot(db, ['retry', 'retry_clone'])).toBe(before);
      // The pending user logged in; the current user still proves its login every time; the master only read.
      expect(h.connects.slice(connectsBefore).map((c) => c.user)).toEqual(['retry_clone', 'retry', db.adminUser]);
      expect(
        h.statements.slice(statementsBefore).filter((s) => /^(CREATE|ALTER|GRANT|REVOKE|SET DEFAULT)/.test(s.sql)),
      ).toEqual([]);

      await h.service.runStep(secretId, 'testSecret', token);
      await h.service.runStep(secretId, 'finishSecret', token);
      expect((await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!.versionId).toBe(token);
    },
  );

  it(
    'grants changed between setSecret and testSecret: the retried setSecret ' +
      'syncs them (keeping the password) and the rotation completes',
    async () => {
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'stuck', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('stuck', password);
      const token = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', token);
      await h.service.runStep(secretId, 'setSecret', token);
      await db.query("GRANT DELETE ON shop.* TO 'stuck'@'%'");
      await expect(h.service.runStep(secretId, 'testSecret', token)).rejects.toThrow(
        /differ[\s\S]*missing DELETE ON `shop`\.\*/,
      );
      const hashBefore = await storedHash(db, 'stuck_clone', '%');

      await h.service.runStep(secretId, 'setSecret', token);
      expect(await storedHash(db, 'stuck_clone', '%')).toBe(hashBefore);
      expect(await grantLines(db, 'stuck_clone')).toEqual(await grantLines(db, 'stuck'));
      await h.service.runStep(secretId, 'testSecret', token);
      await h.service.runStep(secretId, 'finishSecret', token);
      const current = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
      expect(current.versionId).toBe(token);
      expect(await logsIn(db, 'stuck_clone', current.password)).toBe(true);
    },
  );

  it(
    'a secret that started as the clone, whose first setSecret died after ' +
      'creating the base user: the retry copies from the clone and never strips it',
    async () => {
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'half_clone', password, '%', ['GRANT SELECT, INSERT ON shop.* TO ?@?']);
      const cloneGrants = await grantLines(db, 'half_clone');
      const secretId = await h.secretFor('half_clone', password);
      const token = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', token);
      const pending = (await readSecret<Secret>(h.client, secretId, 'AWSPENDING', token))!;
      expect(pending.username).toBe('half');
      // The first setSecret stops right after CREATE USER of the base user.
      h.failStatementWhen((_sql, previous) => previous.at(-1)?.startsWith('CREATE USER') === true);
      await expect(h.service.runStep(secretId, 'setSecret', token)).rejects.toThrow(/injected|failed/);
      expect(await accountHosts(db, 'half')).toEqual(['%']);
      expect(await grantLines(db, 'half')).not.toEqual(cloneGrants);
      for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const)
        await h.service.runStep(secretId, step, token);
      expect(await grantLines(db, 'half_clone')).toEqual(cloneGrants);
      expect(await grantLines(db, 'half')).toEqual(cloneGrants);
      expect(await logsIn(db, 'half', pending.password)).toBe(true);
      expect(await logsIn(db, 'half_clone', password)).toBe(true);
    },
  );

  it(
    'a setSecret that died after creating the clone is finished ' +
      'by the retry (the clone cannot log in before that)',
    async () => {
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'crash', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('crash', password);
      const token = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', token);
      const pending = (await readSecret<Secret>(h.client, secretId, 'AWSPENDING', token))!;
      // A previous invocation stops right after CREATE USER.
      h.failStatementWhen((_sql, previous) => previous.at(-1)?.startsWith('CREATE USER') === true);
      await expect(h.service.runStep(secretId, 'setSecret', token)).rejects.toThrow(/injected|failed/);
      expect(await accountHosts(db, 'crash_clone')).toEqual(['%']);
      expect(await logsIn(db, 'crash_clone', pending.password)).toBe(false);
      await h.service.runStep(secretId, 'setSecret', token);
      expect(await grantLines(db, 'crash_clone')).toEqual(await grantLines(db, 'crash'));
      expect(await logsIn(db, 'crash_clone', pending.password)).toBe(true);
    },
  );

  it(
    'a stop right after the password statement leaves no new clone ' +
      'account locked (rotation 2, base user given a new host)',
    async () => {
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'unl', password, '127.0.0.1', ['GRANT SELECT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('unl', password);
      await h.service.rotate(secretId); // AWSCURRENT = unl_clone
      await createUser(db, 'unl', newPassword(), '10.7.%', ['GRANT SELECT ON shop.* TO ?@?']);
      const token = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', token);
      // Whatever statement follows the pending user's password fails, as if the function stopped.
      h.failStatementWhen((_sql, previous) => previous.some((p) => /^ALTER USER 'unl'@'[^']*' IDENTIFIED/.test(p)));
      await h.service.runStep(secretId, 'setSecret', token).catch(() => undefined);
      await h.service.runStep(secretId, 'setSecret', token); // the retry
      expect(await accountHosts(db, 'unl_clone')).toEqual(['10.7.%', '127.0.0.1']);
      expect(await isLocked(db, 'unl_clone', '10.7.%')).toBe(false);
      expect(await grantLines(db, 'unl_clone', '10.7.%')).toEqual(await grantLines(db, 'unl', '10.7.%'));
    },
  );

  it.skipIf(!LOCAL_MARIADB)(
    'MariaDB’s general log of a whole rotation holds the new password’s ' +
      'hash, never the password (only for a MariaDB the kit starts)',
    async () => {
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'logged', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('logged', password);
      const logFile = join(db.directory!, 'general.log');
      await db.query('SET GLOBAL general_log_file = ?', [logFile]);
      await db.query('SET GLOBAL general_log = 1');
      try {
        await h.service.rotate(secretId); // creates the clone
        await h.service.rotate(secretId); // sets the base user's password
      } finally {
        await db.query('SET GLOBAL general_log = 0');
      }
      const log = readFileSync(logFile, 'utf8');
      const current = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
      const previous = (await readSecret<Secret>(h.client, secretId, 'AWSPREVIOUS'))!;
      expect(log).toContain(
        `CREATE USER 'logged_clone'@'%' IDENTIFIED BY PASSWORD '${nativePasswordHash(previous.password)}' ACCOUNT LOCK`,
      );
      // Rotation 2 sets the base user's password and leaves its lock state as it is.
      expect(log).toMatch(
        new RegExp(
          `ALTER USER 'logged'@'%' IDENTIFIED BY PASSWORD '\\${nativePasswordHash(current.password)}'\\s*$`,
          'm',
        ),
      );
      expect(log).not.toContain(current.password);
      expect(log).not.toContain(previous.password);
      expect(await logsIn(db, current.username, current.password)).toBe(true);
      expect(await logsIn(db, previous.username, previous.password)).toBe(true);
    },
  );

  it.skipIf(!LOCAL_MARIADB)(
    'a password-validation plugin: PasswordValidationPluginError naming it, ' +
      'nothing written, never the clear password (only for a MariaDB the kit starts)',
    async () => {
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'validated', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('validated', password);
      const before = await snapshot(db, ['validated', 'validated_clone']);
      await db.query("INSTALL SONAME 'simple_password_check'");
      try {
        const token = await h.service.start(secretId);
        await h.service.runStep(secretId, 'createSecret', token);
        const error = await h.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PasswordValidationPluginError);
        expect((error as Error).message).toContain('simple_password_check');
        expect((error as Error).message).toContain(secretId);
      } finally {
        await db.query("UNINSTALL SONAME 'simple_password_check'");
      }
      expect(await snapshot(db, ['validated', 'validated_clone'])).toBe(before);
      expect(h.statements.filter((s) => /^(CREATE|ALTER|GRANT|REVOKE|SET DEFAULT)/.test(s.sql))).toEqual([]);
    },
  );

  it.skipIf(!LOCAL_MARIADB)(
    'the client-side hash is MariaDB’s own PASSWORD() (only for a MariaDB the kit starts)',
    async () => {
      for (const password of [newPassword(), 'päss wörd ✓ with ünïcode']) {
        const [row] = await db.query<{ hash: string }>('SELECT PASSWORD(?) AS hash', [password]);
        expect(nativePasswordHash(password)).toBe(row!.hash);
      }
    },
  );
});
