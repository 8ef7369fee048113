/**
 * Default roles on a real MariaDB: the clone gets the base user's default role, and testSecret
 * logs in as the pending user and checks that role is active in that very session — a clone whose
 * role is inactive at login fails the rotation before it is promoted. (MySQL 8's forms: unit tests
 * in tests/unit/defaultRoles.test.ts.)
 */
import { PendingTestFailedError } from '@rotators/core';
import { readSecret, startMariaDb, type MariaDbServer } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, harness, newPassword } from '../helpers/harness.ts';

type Secret = { username: string; password: string; versionId: string; [key: string]: unknown };

let db: MariaDbServer;
beforeAll(async () => {
  db = await startMariaDb();
  await db.query('CREATE DATABASE IF NOT EXISTS audit');
  await db.query('CREATE ROLE IF NOT EXISTS auditor');
  await db.query('GRANT SELECT ON audit.* TO auditor');
});
afterAll(async () => db?.stop());

describe('default roles', () => {
  it(
    'the clone’s default role is active when it logs in; one ' + 'inactive at login fails testSecret, naming the role',
    async (context) => {
      if (db.flavor !== 'mariadb') context.skip('MySQL 8 default roles are covered by unit tests');
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'roled', password, '%', ['GRANT auditor TO ?@?', 'SET DEFAULT ROLE auditor FOR ?@?']);
      const secretId = await h.secretFor('roled', password);
      await h.service.rotate(secretId);
      const current = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
      expect(current.username).toBe('roled_clone');

      await h.service.rotate(secretId); // rotation 2: the base user's password

      // Rotation 3: the clone is pending; its role is made inactive at login behind the rotator's back.
      const third = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', third);
      await h.service.runStep(secretId, 'setSecret', third);
      await db.query("SET DEFAULT ROLE NONE FOR 'roled_clone'@'%'");
      const error = await h.service.runStep(secretId, 'testSecret', third).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PendingTestFailedError);
      expect((error as Error).message).toContain('roled_clone@%: role `auditor` inactive at login');
    },
  );
});
