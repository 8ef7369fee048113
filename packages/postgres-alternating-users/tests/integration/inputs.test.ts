/**
 * Names and the evidence rule against the real server: a 57-byte base name rotates and a 58-byte
 * one is refused before anything exists; hostile names rotate; and a secret's writer cannot make
 * the rotator act on a role the server does not show as this secret's (an unrelated clone or
 * owner role, another secret's roles, a master on another server), with nothing written.
 */
import { ConfusedDeputyError, SecretValueError, TargetConnectionError } from '@rotators/core';
import { TlsRequiredError } from '@rotators/core/db';
import { createSecret, plantPending, type PostgresServer, readSecret, startPostgres } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsernameTooLongError } from '../../src/names.ts';
import {
  assertServerLogHasNoPasswords,
  baseEnv,
  caFileOf,
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
  roleExists,
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

type Version = { username: string; password: string };

async function newPair(base: string, extra: Record<string, unknown> = {}) {
  const password = testPassword();
  await createLoginRole(server, base, password);
  const setup = await rotationSetup(baseEnv(server));
  const { secretId, masterArn } = await createSecrets(server, setup.admin, master, { username: base, password }, extra);
  return { ...setup, secretId, masterArn, password };
}

/** `prefix` padded with `fill` to exactly `bytes` bytes. */
function nameOfBytes(prefix: string, fill: string, bytes: number): string {
  let name = prefix;
  while (Buffer.byteLength(name + fill) <= bytes) name += fill;
  expect(Buffer.byteLength(name)).toBe(bytes);
  return name;
}

async function expectTwoRotations(base: string, owner: string, setup: Awaited<ReturnType<typeof newPair>>) {
  for (const expected of [`${base}_clone`, base]) {
    await setup.service.rotate(setup.secretId);
    const current = (await readSecret<Version>(setup.admin, setup.secretId, 'AWSCURRENT'))!;
    const previous = (await readSecret<Version>(setup.admin, setup.secretId, 'AWSPREVIOUS'))!;
    expect(current.username).toBe(expected);
    expect(await canLogin(server, previous.username, previous.password)).toBe(true);
    const { rows } = await runAs(
      server,
      current.username,
      current.password,
      'SELECT session_user AS s, current_user AS c',
    );
    expect(rows[0]).toEqual({ s: expected, c: owner });
  }
}

describe('names', () => {
  it('a 57-byte base name rotates: its clone and owner role are exactly 63 bytes', async () => {
    const base = nameOfBytes(roleName('b57_'), 'é', 57);
    const setup = await newPair(base);
    await expectTwoRotations(base, `${base}_owner`, setup);
    expect(Buffer.byteLength(`${base}_clone`)).toBe(63);
  });

  it(
    'a 58-byte base name is refused in createSecret naming "username": no statement, no connection, no version ' +
      'written, no role created',
    async () => {
      const base = nameOfBytes(roleName('b58_'), 'n', 58);
      const { service, secretId, recorder, probe } = await newPair(base);
      const token = await service.start(secretId);
      probe.reset();
      const error = await service.runStep(secretId, 'createSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsernameTooLongError);
      expect((error as UsernameTooLongError).fields).toEqual(['username']);
      expect((error as Error).message).toContain(secretId);
      expect((error as Error).message).toContain('at most 57 bytes');
      expect(recorder.logins).toEqual([]);
      expect(probe.count('PutSecretValueCommand') + probe.count('UpdateSecretVersionStageCommand')).toBe(0);
      // PostgreSQL would have truncated "<58 bytes>_clone" to 63 bytes: neither that name nor the full one exists.
      for (const name of [
        `${base}_clone`,
        Buffer.from(`${base}_clone`).subarray(0, 63).toString(),
        `${base}_owner`.slice(0, 63),
      ])
        expect(await roleExists(server, name)).toBe(false);
    },
  );

  it.each([
    ['a double quote and a single quote', roleName(`a"b'c`)],
    ['spaces and upper case', roleName('With Space')],
    ['unicode', roleName('ünï€ødé')],
    ['a percent sign', roleName('100%_app')],
    ['a semicolon and an injection attempt', roleName(`x"; DROP ROLE postgres; --`)],
  ])('a base name with %s rotates twice, both users acting as the owner role', async (_what, base) => {
    const setup = await newPair(base);
    await expectTwoRotations(base, `${base}_owner`, setup);
  });

  it('an ownerRole with hostile characters is the role both users act as', async () => {
    const base = roleName('named_owner');
    const owner = roleName(`Own'er "; %`);
    const setup = await newPair(base, { ownerRole: owner });
    await expectTwoRotations(base, owner, setup);
    expect(await roleExists(server, `${base}_owner`)).toBe(false);
  });
});

describe("the rotator acts only on roles the server shows as this secret's", () => {
  /** Run createSecret, then setSecret; return setSecret's error and what was written on the server. */
  async function failingSetSecret(setup: Awaited<ReturnType<typeof newPair>>) {
    const token = await setup.service.start(setup.secretId);
    await setup.service.runStep(setup.secretId, 'createSecret', token);
    setup.recorder.reset();
    setup.probe.reset();
    const error = await setup.service.runStep(setup.secretId, 'setSecret', token).catch((e: unknown) => e);
    expect(setup.recorder.statements.filter(isWrite)).toEqual([]);
    expect(setup.probe.count('PutSecretValueCommand') + setup.probe.count('UpdateSecretVersionStageCommand')).toBe(0);
    return { error, token };
  }

  it(
    'an existing app_clone nobody marked (a role of its own, with its own password) is refused, its password ' +
      'unchanged, no owner role made',
    async () => {
      const base = roleName('stranger');
      const setup = await newPair(base);
      const victimPassword = testPassword();
      await createLoginRole(server, `${base}_clone`, victimPassword);
      const { error } = await failingSetSecret(setup);
      expect(error).toBeInstanceOf(ConfusedDeputyError);
      expect((error as ConfusedDeputyError).field).toBe('username');
      expect((error as Error).message).toContain('nothing on the server shows that this rotator made it');
      expect(await canLogin(server, `${base}_clone`, victimPassword)).toBe(true);
      expect(await roleExists(server, `${base}_owner`)).toBe(false);
    },
  );

  it.each([
    ['a predefined role (ownerRole: pg_read_all_data)', 'ownerRole', () => 'pg_read_all_data'],
    ['an existing team role with privileges (ownerRole)', 'ownerRole', () => roleName('finance_team')],
    ['an existing role with the default name <base>_owner', 'username', (base: string) => `${base}_owner`],
  ] as const)(
    'an owner role that exists unmarked — %s — is refused naming "%s": never granted to the users',
    async (_what, field, ownerOf) => {
      const base = roleName(`owner_${field}_${Math.random().toString(36).slice(2, 6)}`);
      const owner = ownerOf(base);
      if (owner !== 'pg_read_all_data') {
        await server.query(`CREATE ROLE ${id(owner)} NOLOGIN`);
        await server.query(`GRANT pg_read_all_data TO ${id(owner)}`);
      }
      const setup = await newPair(base, field === 'ownerRole' ? { ownerRole: owner } : {});
      const { error } = await failingSetSecret(setup);
      expect(error).toBeInstanceOf(ConfusedDeputyError);
      expect((error as ConfusedDeputyError).field).toBe(field);
      expect((await roleFacts(server, base))!.member_of).toEqual([]);
      expect(await roleExists(server, `${base}_clone`)).toBe(false);
    },
  );

  it("a second secret for the same user cannot take over the first secret's clone and owner role", async () => {
    const base = roleName('two_secrets');
    const first = await newPair(base);
    await first.service.rotate(first.secretId);
    // Whoever writes the second secret knows the base user's password (it is AWSPREVIOUS of the first).
    const previous = (await readSecret<Version>(first.admin, first.secretId, 'AWSPREVIOUS'))!;
    const clonePassword = (await readSecret<Version>(first.admin, first.secretId, 'AWSCURRENT'))!.password;
    const second = await rotationSetup(baseEnv(server));
    const { secretId } = await createSecrets(server, second.admin, master, previous);
    const setup = { ...first, ...second, secretId };
    const { error } = await failingSetSecret(setup);
    expect(error).toBeInstanceOf(ConfusedDeputyError);
    expect((error as Error).message).toContain(`${base}_clone`);
    expect(await canLogin(server, `${base}_clone`, clonePassword)).toBe(true);
  });

  it(
    'an AWSCURRENT naming an unmarked <name>_clone (its password known) ' + 'cannot get the password of <name> set',
    async () => {
      const victim = roleName('victim');
      const victimPassword = testPassword();
      await createLoginRole(server, victim, victimPassword);
      const setup = await newPair(`${victim}_clone`);
      const { error } = await failingSetSecret(setup);
      expect(error).toBeInstanceOf(ConfusedDeputyError);
      expect(await canLogin(server, victim, victimPassword)).toBe(true);
    },
  );

  it('a pending user other than the alternate of the current one is refused before any connection', async () => {
    const base = roleName('not_alternate');
    const setup = await newPair(base);
    const other = roleName('other_user');
    const otherPassword = testPassword();
    await createLoginRole(server, other, otherPassword);
    const token = await setup.service.start(setup.secretId);
    const current = (await readSecret<Record<string, unknown>>(setup.admin, setup.secretId, 'AWSCURRENT'))!;
    const { versionId: _v, ...value } = current;
    await plantPending(setup.admin, setup.secretId, token, { ...value, username: other, password: testPassword() });
    setup.recorder.reset();
    const error = await setup.service.runStep(setup.secretId, 'setSecret', token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfusedDeputyError);
    expect((error as ConfusedDeputyError).field).toBe('username');
    expect(setup.recorder.logins).toEqual([]);
    expect(await canLogin(server, other, otherPassword)).toBe(true);
  });

  it(
    'a master secret for another server, or without a host (RDS-managed shape), ' +
      'is refused before the master logs in',
    async () => {
      const base = roleName('master_elsewhere');
      const password = testPassword();
      await createLoginRole(server, base, password);
      const ssl = caFileOf(server) !== undefined;
      for (const [masterValue, expected, field] of [
        [
          { host: '127.0.0.2', port: server.port, username: master.username, password: master.password, ssl },
          ConfusedDeputyError,
          'masterarn',
        ],
        [
          { host: server.host, port: server.port + 1, username: master.username, password: master.password, ssl },
          ConfusedDeputyError,
          'masterarn',
        ],
        [{ username: master.username, password: master.password }, SecretValueError, 'host'],
      ] as const) {
        const setup = await rotationSetup(baseEnv(server));
        const masterArn = await createSecret(setup.admin, masterValue, 'pg-alt-master');
        const secretId = await createSecret(
          setup.admin,
          {
            engine: 'postgres',
            host: server.host,
            port: server.port,
            username: base,
            password,
            masterarn: masterArn,
            ssl,
          },
          'pg-alt',
        );
        const token = await setup.service.start(secretId);
        await setup.service.runStep(secretId, 'createSecret', token);
        setup.recorder.reset();
        const error = await setup.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(expected);
        if (error instanceof ConfusedDeputyError) expect(error.field).toBe(field);
        else expect((error as SecretValueError).fields).toContain(field);
        expect(setup.recorder.logins).not.toContain(master.username);
        expect(setup.recorder.statements.filter(isWrite)).toEqual([]);
      }
      expect(await roleExists(server, `${base}_clone`)).toBe(false);
    },
  );

  it.skipIf(!caFileOf(server ?? ({} as PostgresServer)) && EXTERNAL_SERVER)(
    'a master secret that says "ssl": false is refused (REQUIRE_TLS is true by default) before the master password ' +
      'is sent',
    async () => {
      const base = roleName('master_plaintext');
      const password = testPassword();
      await createLoginRole(server, base, password);
      const setup = await rotationSetup(baseEnv(server));
      const masterArn = await createSecret(
        setup.admin,
        { host: server.host, port: server.port, username: master.username, password: master.password, ssl: false },
        'pg-alt-master',
      );
      const secretId = await createSecret(
        setup.admin,
        {
          engine: 'postgres',
          host: server.host,
          port: server.port,
          username: base,
          password,
          masterarn: masterArn,
          ssl: true,
        },
        'pg-alt',
      );
      const token = await setup.service.start(secretId);
      await setup.service.runStep(secretId, 'createSecret', token);
      setup.recorder.reset();
      const error = await setup.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TlsRequiredError);
      expect((error as TlsRequiredError).fields).toEqual(['ssl']);
      expect(setup.recorder.logins).not.toContain(master.username);
    },
  );

  it('a stale AWSCURRENT password: the current login fails (authentication), the master is never used', async () => {
    const base = roleName('stale');
    const setup = await newPair(base);
    const token = await setup.service.start(setup.secretId);
    await setup.service.runStep(setup.secretId, 'createSecret', token);
    await server.query(`ALTER ROLE ${id(base)} PASSWORD NULL`);
    setup.recorder.reset();
    const error = await setup.service.runStep(setup.secretId, 'setSecret', token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetConnectionError);
    expect((error as TargetConnectionError).kind).toBe('authentication');
    expect(setup.recorder.logins).not.toContain(master.username);
    expect(await roleExists(server, `${base}_clone`)).toBe(false);
  });

  it.skipIf(EXTERNAL_SERVER)(`the server log holds no password ${NEEDS_OWN_CLUSTER}`, () => {
    assertServerLogHasNoPasswords(server, recordedPasswordStatements());
  });
});
