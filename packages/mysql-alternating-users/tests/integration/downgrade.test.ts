/**
 * The TLS downgrade, played by a fake MySQL server on loopback (testkit fakeMysqlServer): its
 * greeting does not offer TLS, and a client that answered anyway would be asked for its password
 * in clear. Through the real handler and moto, every step that logs in must stop after the
 * greeting — no handshake response, so no password and no scramble of any version reaches it — with
 * a `tls` error naming the host and the secret, and nothing written to the secret. The master's
 * login follows only the master secret's own "ssl".
 */
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { SecretValueError, TargetConnectionError } from '@rotators/core';
import { TlsRequiredError } from '@rotators/core/db';
import {
  createSecret,
  type FakeMysqlServer,
  type MariaDbServer,
  startFakeMysqlServer,
  startMariaDb,
} from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, harness, newPassword } from '../helpers/harness.ts';

// Against an external server without its CA the harness runs with REQUIRE_TLS=false, so "unset" could not be tested.
const NO_TEST_CA = !!process.env.MYSQL_TEST_HOST && !process.env.MYSQL_TEST_CA_FILE;
const NEEDS_TEST_CA = '(needs the CA of the server: MYSQL_TEST_CA_FILE)';

let db: MariaDbServer;
let fake: FakeMysqlServer;
/** Accepts any login in plaintext: stands for a server the operator allowed plaintext to. */
let accepting: FakeMysqlServer;
beforeAll(async () => {
  [db, fake, accepting] = await Promise.all([
    startMariaDb(),
    startFakeMysqlServer(),
    startFakeMysqlServer({ acceptLogins: true }),
  ]);
});
afterAll(async () => {
  await Promise.all([fake?.stop(), accepting?.stop(), db?.stop()]);
});

type Harness = Awaited<ReturnType<typeof harness>>;

/** An app secret and its master secret, both naming `server`. */
async function secretsAt(
  h: Harness,
  server: FakeMysqlServer,
  app: Record<string, unknown>,
  master: Record<string, unknown> = {},
) {
  const appPassword = newPassword();
  const masterPassword = newPassword();
  const masterArn = await createSecret(
    h.client,
    { username: 'fake_admin', password: masterPassword, host: server.host, port: server.port, ...master },
    'mysql-master',
  );
  const secretId = await createSecret(
    h.client,
    {
      engine: 'mysql',
      host: server.host,
      port: server.port,
      username: 'fake_app',
      password: appPassword,
      masterarn: masterArn,
      ...app,
    },
    'mysql-app',
  );
  return { secretId, masterArn, passwords: [appPassword, masterPassword] };
}

async function labels(h: Harness, secretId: string) {
  return (await h.client.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages;
}

/** The server got nothing but the connection: the client closed after reading the greeting. */
function expectNothingSent(server: FakeMysqlServer, from: number, passwords: string[]) {
  const connections = server.connections.slice(from);
  for (const connection of connections) {
    expect(connection.received.length).toBe(0);
    expect(connection.handshakeUser).toBeUndefined();
    for (const password of passwords) expect(connection.received.includes(Buffer.from(password))).toBe(false);
  }
}

const configurations = [
  ['REQUIRE_TLS unset (the default)', {}],
  ['REQUIRE_TLS=false', { REQUIRE_TLS: 'false' }],
] as const;

describe.skipIf(NO_TEST_CA).each(configurations)(
  `a server that offers no TLS, secret without "ssl", %s ${NEEDS_TEST_CA}`,
  (_name, env) => {
    it.each(['setSecret', 'testSecret'] as const)(
      '%s: tls error naming the host and the secret, nothing sent after the greeting, nothing written',
      async (step) => {
        const h = await harness(db, env);
        const { secretId, passwords } = await secretsAt(h, fake, {});
        const token = await h.service.start(secretId);
        await h.service.runStep(secretId, 'createSecret', token);
        if (step === 'testSecret') await h.service.runStep(secretId, 'setSecret', token).catch(() => undefined);
        const labelsBefore = await labels(h, secretId);
        const from = fake.connections.length;
        h.probe.reset();

        const error = await h.service.runStep(secretId, step, token).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TargetConnectionError);
        expect((error as TargetConnectionError).kind).toBe('tls');
        expect((error as TargetConnectionError).code).toBe('HANDSHAKE_NO_SSL_SUPPORT');
        expect((error as Error).message).toContain(`${fake.host} offers no TLS`);
        expect((error as Error).message).toContain(secretId);
        expect(fake.connections.length).toBeGreaterThan(from);
        expectNothingSent(fake, from, passwords);
        expect(h.connects.slice(-1)[0]).toMatchObject({ tls: true, ok: false });
        expect(h.probe.count('PutSecretValueCommand') + h.probe.count('UpdateSecretVersionStageCommand')).toBe(0);
        expect(await labels(h, secretId)).toEqual(labelsBefore);
      },
    );

    it('the configuration test (testSecret alone): the same, and the master is never tried', async () => {
      const h = await harness(db, env);
      const { secretId, passwords } = await secretsAt(h, fake, {});
      const from = fake.connections.length;
      const error = await h.service.testOnly(secretId).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetConnectionError);
      expect((error as TargetConnectionError).kind).toBe('tls');
      expect((error as Error).message).toContain(`${fake.host} offers no TLS`);
      expect(fake.connections.length).toBe(from + 1);
      expectNothingSent(fake, from, passwords);
      expect(h.probe.count('PutSecretValueCommand')).toBe(0);
    });
  },
);

describe.skipIf(NO_TEST_CA)(`"ssl": false ${NEEDS_TEST_CA}`, () => {
  it(
    'REQUIRE_TLS unset: TlsRequiredError naming "ssl" and ' + 'the secret, before any connection, nothing written',
    async () => {
      const h = await harness(db);
      const { secretId } = await secretsAt(h, fake, { ssl: false });
      const token = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', token);
      const labelsBefore = await labels(h, secretId);
      const from = fake.connections.length;
      h.connects.length = 0;
      h.probe.reset();
      for (const step of ['setSecret', 'testSecret'] as const) {
        const error = await h.service.runStep(secretId, step, token).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TlsRequiredError);
        expect(error).toBeInstanceOf(SecretValueError);
        expect((error as SecretValueError).fields).toEqual(['ssl']);
        expect((error as Error).message).toContain(secretId);
      }
      expect(h.connects).toEqual([]);
      expect(fake.connections.length).toBe(from);
      expect(h.probe.count('PutSecretValueCommand') + h.probe.count('UpdateSecretVersionStageCommand')).toBe(0);
      expect(await labels(h, secretId)).toEqual(labelsBefore);
    },
  );

  it(
    'REQUIRE_TLS=false, the app secret says "ssl": false, the master secret ' +
      'does not: the master still requires TLS and its password is never sent',
    async () => {
      const h = await harness(db, { REQUIRE_TLS: 'false' });
      const { secretId, passwords } = await secretsAt(h, accepting, { ssl: false });
      const token = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', token);
      const from = accepting.connections.length;
      h.connects.length = 0;

      const error = await h.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetConnectionError);
      expect((error as TargetConnectionError).kind).toBe('tls');
      expect((error as Error).message).toContain('master secret');
      // The app logins went in plaintext, as the operator and the secret allowed; the master's did not.
      expect(h.connects.map((c) => [c.user, c.tls])).toEqual([
        ['fake_app_clone', false],
        ['fake_app', false],
        ['fake_admin', true],
      ]);
      const users = accepting.connections.slice(from).map((c) => c.handshakeUser);
      expect(users).toEqual(['fake_app_clone', 'fake_app', undefined]);
      const masterConnection = accepting.connections.at(-1)!;
      expect(masterConnection.received.length).toBe(0);
      for (const connection of accepting.connections.slice(from))
        expect(connection.received.includes(Buffer.from(passwords[1]!))).toBe(false);
    },
  );

  it(
    'on a real server, REQUIRE_TLS=false and an app secret with ' +
      '"ssl": false: a whole rotation whose master logins all use TLS',
    async () => {
      const h = await harness(db, { REQUIRE_TLS: 'false' });
      const password = newPassword();
      await createUser(db, 'plain_app', password, '%', ['GRANT SELECT ON mysql.user TO ?@?']);
      const secretId = await h.secretFor('plain_app', password, { ssl: false });
      await h.service.rotate(secretId);
      const master = h.connects.filter((c) => c.user === db.adminUser);
      const app = h.connects.filter((c) => c.user !== db.adminUser);
      expect(master.length).toBeGreaterThan(0);
      expect(master.every((c) => c.tls && c.ok)).toBe(true);
      expect(app.length).toBeGreaterThan(0);
      expect(app.every((c) => !c.tls)).toBe(true);
    },
  );

  it(
    'the master secret says "ssl": false while REQUIRE_TLS is unset: ' +
      'TlsRequiredError naming "ssl" and the master secret, the master never connects',
    async () => {
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'plain_master_app', password, '%', ['GRANT SELECT ON mysql.user TO ?@?']);
      const masterArn = await createSecret(
        h.client,
        { username: db.adminUser, password: db.adminPassword, host: db.host, port: db.port, ssl: false },
        'mysql-master',
      );
      const secretId = await h.secretFor('plain_master_app', password, { masterarn: masterArn });
      const token = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', token);
      const error = await h.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TlsRequiredError);
      expect((error as SecretValueError).fields).toEqual(['ssl']);
      expect((error as Error).message).toContain(masterArn);
      expect(h.connects.map((c) => c.user)).not.toContain(db.adminUser);
    },
  );
});
