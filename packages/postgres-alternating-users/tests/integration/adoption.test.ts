/**
 * Adopting an existing base user that owns objects. Without ADOPT_OWNERSHIP the first createSecret
 * fails saying how many objects, where, and what to set, with nothing written; with it the master
 * moves them to the owner role (REASSIGN OWNED, one transaction per database) and the clone can
 * alter and drop what the base user made before the rotator arrived.
 */
import { capturedOutput, type PostgresServer, readSecret, startPostgres } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnedObjectsError } from '../../src/ownedObjects.ts';
import {
  assertServerLogHasNoPasswords,
  baseEnv,
  createLoginRole,
  createMaster,
  createSecrets,
  EXTERNAL_SERVER,
  id,
  isWrite,
  type Master,
  NEEDS_OWN_CLUSTER,
  recordedPasswordStatements,
  roleExists,
  roleName,
  rotationSetup,
  runAs,
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

/** A base user that already owns a table, a sequence and a view in its own schema of `postgres`. */
async function baseWithObjects(name: string, env: Record<string, string> = {}) {
  const base = roleName(name);
  const password = testPassword();
  await createLoginRole(server, base, password);
  const schema = roleName(`${name}_s`);
  await server.query(`CREATE SCHEMA ${id(schema)} AUTHORIZATION ${id(base)}`);
  await runAs(
    server,
    base,
    password,
    `CREATE TABLE ${id(schema)}.orders (id int); CREATE SEQUENCE ${id(schema)}.order_ids; CREATE VIEW ` +
      `${id(schema)}.recent AS SELECT * FROM ${id(schema)}.orders`,
  );
  const setup = await rotationSetup(baseEnv(server, env));
  const { secretId } = await createSecrets(server, setup.admin, master, { username: base, password });
  const owners = async () =>
    (
      await server.query(
        `SELECT c.relname AS name, c.relowner::regrole::text AS owner FROM pg_class c ` +
          `JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1
         UNION ALL SELECT nspname, nspowner::regrole::text FROM pg_namespace WHERE nspname = $1 ORDER BY 1`,
        [schema],
      )
    ).rows.map((row) => `${row.name}: ${row.owner}`);
  return { ...setup, base, password, schema, secretId, owners };
}

describe('adopting a base user that owns objects', () => {
  it(
    'without ADOPT_OWNERSHIP: createSecret fails saying how many objects, where and what to set; nothing written, ' +
      'nothing created',
    async () => {
      const { service, secretId, recorder, probe, base, owners } = await baseWithObjects('no_adopt');
      const before = await owners();
      const token = await service.start(secretId);
      probe.reset();
      const error = await service.runStep(secretId, 'createSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OwnedObjectsError);
      expect((error as OwnedObjectsError).objects).toBe(4);
      const message = (error as Error).message;
      expect(message).toContain('own 4 objects (4 in database "postgres")');
      expect(message).toContain('Set ADOPT_OWNERSHIP=true');
      expect(message).toContain(`"${base}_owner"`);
      expect(message).toContain(secretId);
      expect(probe.count('PutSecretValueCommand') + probe.count('UpdateSecretVersionStageCommand')).toBe(0);
      expect(recorder.statements.filter(isWrite)).toEqual([]);
      expect(recorder.logins).toEqual([base]);
      expect(await owners()).toEqual(before);
      expect(await roleExists(server, `${base}_owner`)).toBe(false);
      expect(await roleExists(server, `${base}_clone`)).toBe(false);
    },
  );

  it(
    'with ADOPT_OWNERSHIP=true: the master moves them to the owner role in one transaction, keeps no membership, ' +
      'and the clone alters and drops them',
    async () => {
      const { service, secretId, recorder, admin, base, schema, owners } = await baseWithObjects('adopt', {
        ADOPT_OWNERSHIP: 'true',
      });
      await service.rotate(secretId);
      const owner = `${base}_owner`;
      expect((await owners()).sort()).toEqual(
        [`${schema}: ${owner}`, `order_ids: ${owner}`, `orders: ${owner}`, `recent: ${owner}`].sort(),
      );
      // One transaction; a master that is not a superuser is made a member of the three roles only inside it.
      const roles = server.external ? [] : [base, `${base}_clone`, owner];
      const start = recorder.statements.findIndex((sql) => sql.startsWith('REASSIGN OWNED'));
      expect(recorder.statements.slice(start - 1 - roles.length, start + 2 + roles.length)).toEqual([
        'BEGIN',
        ...roles.map((role) => `GRANT ${id(role)} TO CURRENT_USER`),
        `REASSIGN OWNED BY ${id(base)}, ${id(`${base}_clone`)} TO ${id(owner)}`,
        ...roles.map((role) => `REVOKE ${id(role)} FROM CURRENT_USER`),
        'COMMIT',
      ]);
      const memberships = await server.query(
        `SELECT count(*)::int AS n FROM pg_auth_members WHERE member = (SELECT oid FROM pg_roles WHERE rolname = $1)`,
        [master.username],
      );
      expect(memberships.rows[0]!.n).toBe(0);
      expect(capturedOutput()).toContain('ADOPT_OWNERSHIP: objects of');

      const clone = (await readSecret<Version>(admin, secretId, 'AWSCURRENT'))!;
      await runAs(
        server,
        clone.username,
        clone.password,
        `ALTER TABLE ${id(schema)}.orders ADD COLUMN note text; DROP VIEW ${id(schema)}.recent; DROP TABLE ` +
          `${id(schema)}.orders`,
      );
      // The next rotation finds nothing left to move.
      recorder.reset();
      await service.rotate(secretId);
      expect(recorder.statements.some((sql) => sql.startsWith('REASSIGN'))).toBe(false);
    },
  );

  it.skipIf(EXTERNAL_SERVER)(
    `objects in a database other than the secret's: refused until ADOPT_DATABASES lists it, then moved there too ` +
      `${NEEDS_OWN_CLUSTER}`,
    async () => {
      const other = roleName('otherdb');
      const { service, secretId, recorder, base, password, owners } = await baseWithObjects('two_dbs', {
        ADOPT_OWNERSHIP: 'true',
      });
      await server.query(`CREATE DATABASE ${id(other)}`);
      await server.query(`GRANT CREATE ON DATABASE ${id(other)} TO ${id(base)}, ${id(master.username)}`);
      await runAs(server, base, password, `CREATE SCHEMA elsewhere; CREATE TABLE elsewhere.t (id int)`, other);
      const before = await owners();

      const token = await service.start(secretId);
      const error = await service.runStep(secretId, 'createSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OwnedObjectsError);
      expect((error as Error).message).toContain(
        `objects in database "${other}", which is not the secret's dbname (set ADOPT_DATABASES`,
      );
      expect(recorder.statements.filter(isWrite)).toEqual([]);
      expect(await owners()).toEqual(before);
      await service.cleanUpPending(secretId, token);

      const listed = await rotationSetup(
        baseEnv(server, { ADOPT_OWNERSHIP: 'true', ADOPT_DATABASES: `postgres,${other}` }),
      );
      await listed.service.rotate(secretId);
      expect(listed.recorder.statements.filter((sql) => sql.startsWith('REASSIGN'))).toHaveLength(2);
      const moved = await server.query(`SELECT datname FROM pg_database WHERE datname = $1`, [other]);
      expect(moved.rowCount).toBe(1);
      const { rows } = await runAs(
        server,
        `${base}_clone`,
        (await readSecret<Version>(listed.admin, secretId, 'AWSCURRENT'))!.password,
        `SELECT relowner::regrole::text AS owner FROM pg_class WHERE oid = 'elsewhere.t'::regclass`,
        other,
      );
      expect(rows[0]!.owner).toBe(`${base}_owner`);
    },
  );

  it(
    'default privileges of the base user are reported (WARN), not counted: ' + 'they do not block the rotation',
    async () => {
      const base = roleName('defaults');
      const password = testPassword();
      await createLoginRole(server, base, password);
      await server.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${id(base)} GRANT SELECT ON TABLES TO PUBLIC`);
      const setup = await rotationSetup(baseEnv(server));
      const { secretId } = await createSecrets(server, setup.admin, master, { username: base, password });
      await setup.service.rotate(secretId);
      expect(capturedOutput()).toContain(
        `ALTER DEFAULT PRIVILEGES entry: they do not apply to objects the owner role creates; repeat them FOR ROLE ` +
          `${base}_owner`,
      );
    },
  );

  it.skipIf(EXTERNAL_SERVER)(`the server log holds no password ${NEEDS_OWN_CLUSTER}`, () => {
    assertServerLogHasNoPasswords(server, recordedPasswordStatements());
  });
});
