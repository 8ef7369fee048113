/**
 * Full rotations from the source against a real PostgreSQL 15 (scram-sha-256, TLS, log_statement =
 * 'all'), a master that is not a superuser (CREATEROLE, as on RDS) and the local Secrets Manager:
 * the users alternate, both stay valid, whatever either creates belongs to the owner role, a
 * privilege granted to the owner role reaches both, and the clone follows the base user.
 */
import { PendingTestFailedError } from '@rotators/core';
import { type PostgresServer, readSecret, startPostgres } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marker } from '../../src/markers.ts';
import {
  assertServerLogHasNoPasswords,
  baseEnv,
  canLogin,
  createLoginRole,
  createMaster,
  createSecrets,
  EXTERNAL_SERVER,
  id,
  type Master,
  NEEDS_OWN_CLUSTER,
  recordedPasswordStatements,
  roleFacts,
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

type Version = { username: string; password: string; versionId: string };

/** A base user with a password, its secret, and a rotation service running the source. */
async function newPair(base: string, extra: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  const password = testPassword();
  await createLoginRole(server, base, password);
  const setup = await rotationSetup(baseEnv(server, env));
  const { secretId } = await createSecrets(server, setup.admin, master, { username: base, password }, extra);
  const versions = async () => ({
    current: (await readSecret<Version>(setup.admin, secretId, 'AWSCURRENT'))!,
    previous: await readSecret<Version>(setup.admin, secretId, 'AWSPREVIOUS'),
  });
  return { ...setup, secretId, password, versions };
}

/** A schema only the admin owns, for a test's tables. */
async function newSchema(name: string): Promise<string> {
  const schema = roleName(name);
  await server.query(`CREATE SCHEMA ${id(schema)}`);
  return schema;
}

describe('postgres-alternating-users rotation (source)', () => {
  it(
    'rotates three times: AWSCURRENT alternates app_clone / app, AWSCURRENT and AWSPREVIOUS both log in, acting as ' +
      'the owner role; other fields kept',
    async () => {
      const base = roleName('app');
      const clone = `${base}_clone`;
      const owner = `${base}_owner`;
      const { service, secretId, versions, recorder, probe, password } = await newPair(base, { team: 'payments' });
      const seen = [password];
      for (const [rotation, expected] of [clone, base, clone].entries()) {
        const { attempts } = await service.rotate(secretId);
        expect(attempts).toBe(1);
        const { current, previous } = await versions();
        expect(current.username, `rotation ${rotation + 1}`).toBe(expected);
        expect(previous?.username).toBe(expected === clone ? base : clone);
        expect(current).toMatchObject({ team: 'payments', dbname: 'postgres' });
        expect(current.password).toHaveLength(32);
        expect(current.password).not.toMatch(/[:/@"'\\]/);
        expect(await canLogin(server, current.username, current.password)).toBe(true);
        expect(await canLogin(server, previous!.username, previous!.password)).toBe(true);
        for (const version of [current, previous!]) {
          const { rows } = await runAs(
            server,
            version.username,
            version.password,
            'SELECT session_user AS s, current_user AS c',
          );
          expect(rows[0]).toEqual({ s: version.username, c: owner });
        }
        seen.push(current.password);
      }
      expect(new Set(seen).size).toBe(4);

      const ownerFacts = (await roleFacts(server, owner))!;
      expect(ownerFacts).toMatchObject({ rolcanlogin: false, comment: marker('owner role', base, secretId) });
      expect((await roleFacts(server, clone))!).toMatchObject({
        rolcanlogin: true,
        comment: marker('clone', base, secretId),
        member_of: [owner],
        rolconfig: [`role=${owner}`],
      });
      expect((await roleFacts(server, base))!).toMatchObject({
        comment: null,
        member_of: [owner],
        rolconfig: [`role=${owner}`],
      });

      // No statement carried a password; each password went out once, as a verifier.
      for (const sql of recorder.statements) for (const value of seen) expect(sql).not.toContain(value);
      expect(recorder.statements.filter((sql) => / PASSWORD /.test(sql))).toEqual([
        expect.stringMatching(new RegExp(`^ALTER ROLE "${clone}" WITH LOGIN PASSWORD 'SCRAM-SHA-256\\$4096:`)),
        expect.stringMatching(new RegExp(`^ALTER ROLE "${base}" PASSWORD 'SCRAM-SHA-256\\$4096:`)),
        expect.stringMatching(new RegExp(`^ALTER ROLE "${clone}" WITH LOGIN PASSWORD 'SCRAM-SHA-256\\$4096:`)),
      ]);
      const requests = probe.inputs.filter((call) => call.command === 'GetRandomPasswordCommand');
      for (const request of requests) expect(request.input).toMatchObject({ ExcludeCharacters: ':/@"\'\\' });
    },
  );

  it(
    'a table app_clone creates while current is altered and dropped by app after the next rotation, and vice versa; ' +
      'relowner is the owner role',
    async () => {
      const base = roleName('tables');
      const owner = `${base}_owner`;
      const { service, secretId, versions } = await newPair(base);
      const schema = await newSchema('tables_s');
      const relowner = async (table: string) =>
        (
          await server.query(`SELECT relowner::regrole::text AS owner FROM pg_class WHERE oid = to_regclass($1)`, [
            `${id(schema)}.${id(table)}`,
          ])
        ).rows[0]?.owner;

      await service.rotate(secretId);
      // The DBA's one grant, to the owner role: both users create through it.
      await server.query(`GRANT USAGE, CREATE ON SCHEMA ${id(schema)} TO ${id(owner)}`);
      let { current } = await versions();
      expect(current.username).toBe(`${base}_clone`);
      await runAs(
        server,
        current.username,
        current.password,
        `CREATE TABLE ${id(schema)}.by_clone (id int); INSERT INTO ${id(schema)}.by_clone VALUES (1)`,
      );
      expect(await relowner('by_clone')).toBe(owner);

      await service.rotate(secretId);
      ({ current } = await versions());
      expect(current.username).toBe(base);
      await runAs(
        server,
        base,
        current.password,
        `ALTER TABLE ${id(schema)}.by_clone ADD COLUMN note text; INSERT INTO ${id(schema)}.by_clone VALUES (2, 'app')`,
      );
      expect((await server.query(`SELECT count(*)::int AS n FROM ${id(schema)}.by_clone`)).rows[0]!.n).toBe(2);
      await runAs(
        server,
        base,
        current.password,
        `DROP TABLE ${id(schema)}.by_clone; CREATE TABLE ${id(schema)}.by_app (id int)`,
      );
      expect(await relowner('by_clone')).toBeUndefined();
      expect(await relowner('by_app')).toBe(owner);

      await service.rotate(secretId);
      ({ current } = await versions());
      expect(current.username).toBe(`${base}_clone`);
      await runAs(
        server,
        current.username,
        current.password,
        `ALTER TABLE ${id(schema)}.by_app ADD COLUMN note text; DROP TABLE ${id(schema)}.by_app`,
      );
      expect(await relowner('by_app')).toBeUndefined();
    },
  );

  it(
    'a privilege granted to the owner role between rotations works for both users, ' +
      'before and after the next rotation',
    async () => {
      const base = roleName('grantee');
      const owner = `${base}_owner`;
      const { service, secretId, versions } = await newPair(base);
      const schema = await newSchema('grantee_s');
      await server.query(
        `CREATE TABLE ${id(schema)}.reports (id int); INSERT INTO ${id(schema)}.reports VALUES (1), (2)`,
      );
      const selectAs = (user: Version) =>
        runAs(server, user.username, user.password, `SELECT count(*)::int AS n FROM ${id(schema)}.reports`);

      await service.rotate(secretId);
      let { current, previous } = await versions();
      await expect(selectAs(current)).rejects.toMatchObject({ code: '42501' });
      await server.query(
        `GRANT USAGE ON SCHEMA ${id(schema)} TO ${id(owner)}; GRANT SELECT ON ${id(schema)}.reports TO ${id(owner)}`,
      );
      for (const user of [current, previous!]) expect((await selectAs(user)).rows[0]!.n).toBe(2);

      await service.rotate(secretId);
      ({ current, previous } = await versions());
      for (const user of [current, previous!]) expect((await selectAs(user)).rows[0]!.n).toBe(2);
    },
  );

  it(
    "the clone gets the base user's connection limit, attributes, settings (everywhere and per database) and " +
      'memberships, and follows changes at the next rotation',
    async () => {
      const base = roleName('settings');
      const clone = `${base}_clone`;
      const { service, secretId, versions } = await newPair(base);
      const [readers, helpers] = [roleName('readers'), roleName('helpers')];
      for (const role of [readers, helpers]) await server.query(`CREATE ROLE ${id(role)} NOLOGIN`);
      await server.query(`ALTER ROLE ${id(base)} CONNECTION LIMIT 7 CREATEDB`);
      // search_path with a quoted element holding a comma and a quote: it must stay three elements.
      await server.query(`ALTER ROLE ${id(base)} SET search_path = "$user", public, "odd, ""name"`);
      await server.query(`ALTER ROLE ${id(base)} SET statement_timeout = '42s'`);
      await server.query(`ALTER ROLE ${id(base)} IN DATABASE postgres SET work_mem = '8MB'`);
      await server.query(`GRANT ${id(readers)} TO ${id(base)}; GRANT ${id(helpers)} TO ${id(base)} WITH ADMIN OPTION`);

      const comparable = async (name: string) => {
        const facts = (await roleFacts(server, name))!;
        const perDatabase = await server.query(
          `SELECT coalesce(d.datname, '') AS db, s.setconfig FROM pg_db_role_setting s ` +
            `JOIN pg_roles r ON r.oid = s.setrole LEFT JOIN pg_database d ON d.oid = s.setdatabase ` +
            `WHERE r.rolname = $1 ORDER BY 1`,
          [name],
        );
        return {
          rolinherit: facts.rolinherit,
          rolcreatedb: facts.rolcreatedb,
          rolcreaterole: facts.rolcreaterole,
          rolconnlimit: facts.rolconnlimit,
          member_of: facts.member_of,
          settings: perDatabase.rows.map((row) => [row.db, [...(row.setconfig as string[])].sort()]),
        };
      };

      await service.rotate(secretId);
      expect(await comparable(clone)).toEqual(await comparable(base));
      expect(await comparable(clone)).toMatchObject({
        rolconnlimit: 7,
        rolcreatedb: true,
        member_of: expect.arrayContaining([readers, `${helpers} (admin)`]),
      });
      const { current } = await versions();
      const shown = await runAs(server, clone, current.password, 'SHOW search_path');
      expect(shown.rows[0]!.search_path).toBe('"$user", public, "odd, ""name"');

      // The DBA changes the base user; the clone follows at the next rotation, though app is the pending user then.
      await server.query(
        `ALTER ROLE ${id(base)} CONNECTION LIMIT 9 NOCREATEDB; ALTER ROLE ${id(base)} RESET statement_timeout; ` +
          `REVOKE ${id(readers)} FROM ${id(base)}`,
      );
      await server.query(`REVOKE ADMIN OPTION FOR ${id(helpers)} FROM ${id(base)}`);
      await service.rotate(secretId);
      expect(await comparable(clone)).toEqual(await comparable(base));
      expect(await comparable(clone)).toMatchObject({
        rolconnlimit: 9,
        rolcreatedb: false,
        member_of: expect.not.arrayContaining([readers]),
      });
      expect((await roleFacts(server, clone))!.member_of).toContain(helpers);
    },
  );

  it(
    'testSecret compares the clone with the base user: ' +
      'a difference made after setSecret fails the rotation, naming it; setSecret again makes it right',
    async () => {
      const base = roleName('compare');
      const clone = `${base}_clone`;
      const { service, secretId } = await newPair(base);
      const token = await service.start(secretId);
      await service.runStep(secretId, 'createSecret', token);
      await service.runStep(secretId, 'setSecret', token);
      await server.query(`ALTER ROLE ${id(clone)} CONNECTION LIMIT 1`);
      const error = await service.runStep(secretId, 'testSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PendingTestFailedError);
      expect((error as Error).message).toContain(`copying the attributes of ${base} to ${clone} (CONNECTION LIMIT -1)`);
      await service.runStep(secretId, 'setSecret', token);
      await service.runStep(secretId, 'testSecret', token);
      await service.runStep(secretId, 'finishSecret', token);
    },
  );

  it.skipIf(EXTERNAL_SERVER)(
    `the server log holds no password, and does hold every password statement the rotator sent ${NEEDS_OWN_CLUSTER}`,
    () => {
      assertServerLogHasNoPasswords(server, recordedPasswordStatements());
    },
  );
});
