/**
 * TLS by the secret's `ssl` field and the environment, against the kit's cluster and its
 * throwaway CA, and a second cluster with `ssl = off`: verify-full unless the operator set
 * REQUIRE_TLS=false and the secret says `"ssl": false`; a server that offers no TLS, or a
 * certificate that does not verify (wrong CA, wrong host name), is final, as a man-in-the-middle
 * would present one. Failures are reported by kind.
 */
import {
  capturedOutput,
  createSecret,
  findLeaks,
  freePort,
  type PostgresServer,
  readSecret,
  startPostgres,
} from '@rotators/testkit';
import { createRotationLogger, TargetConnectionError } from '@rotators/core';
import { readTlsConfig, TlsRequiredError } from '@rotators/core/db';
import { login } from '../../src/connect.ts';
import { postgresSecret } from '../../src/schema.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertServerLogHasNoPasswords,
  recordedAlterRoles,
  canLogin,
  EXTERNAL_SERVER,
  NEEDS_OWN_CLUSTER,
  createLoginRole,
  recordingConnect,
  roleName,
  rotationSetup,
  testPassword,
} from '../helpers/postgres.ts';

let server: PostgresServer;
/** A cluster that offers no TLS at all (ssl = off); only the kit's own, so undefined with PG_TEST_HOST. */
let plainServer: PostgresServer | undefined;
/** Roles rotated on plainServer: their ALTER ROLE statements are in its log, not server's. */
const PLAIN_ROLES = [roleName('tls_prefer_plain'), roleName('tls_true_plain')];

beforeAll(async () => {
  [server, plainServer] = await Promise.all([
    startPostgres(),
    EXTERNAL_SERVER ? undefined : startPostgres(process.env, { tls: false }),
  ]);
});

afterAll(async () => {
  await Promise.all([server?.stop(), plainServer?.stop()]);
});

async function prepare(
  username: string,
  secretFields: Record<string, unknown>,
  env: Record<string, string | undefined>,
  target: PostgresServer = server,
) {
  const password = testPassword();
  await createLoginRole(target, username, password);
  const setup = await rotationSetup(env);
  const secretId = await createSecret(
    setup.admin,
    { engine: 'postgres', host: target.host, port: target.port, username, password, ...secretFields },
    'pg-tls',
  );
  const token = await setup.service.start(secretId);
  await setup.service.runStep(secretId, 'createSecret', token);
  setup.recorder.reset();
  return { ...setup, secretId, token, password };
}

describe('TLS policy', () => {
  it.skipIf(EXTERNAL_SERVER)(
    `ssl: true against a certificate our CA does not verify fails as "tls", never in plaintext ${NEEDS_OWN_CLUSTER}`,
    async () => {
      const { service, secretId, token, recorder, password } = await prepare(
        roleName('tls_wrong_ca'),
        { ssl: true },
        { TLS_CA_BUNDLE_PATH: server.certificates!.otherCaCertFile },
      );
      const error = await service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetConnectionError);
      expect((error as TargetConnectionError).kind).toBe('tls');
      expect(recorder.attempts.length).toBeGreaterThan(0);
      expect(recorder.attempts.every((a) => a.tls)).toBe(true);
      expect(recorder.statements).toEqual([]);
      expect(await canLogin(server, roleName('tls_wrong_ca'), password)).toBe(true);
    },
  );

  it.skipIf(EXTERNAL_SERVER)(
    `ssl: true checks the host name: the right CA but an address the certificate does not name fails as "tls" ` +
      `${NEEDS_OWN_CLUSTER}`,
    async () => {
      const { service, secretId, token, recorder, password } = await prepare(
        roleName('tls_wrong_name'),
        { ssl: true, host: '127.0.0.2' },
        { TLS_CA_BUNDLE_PATH: server.certificates!.caCertFile },
      );
      const error = await service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
      expect((error as TargetConnectionError).kind).toBe('tls');
      expect(recorder.attempts.every((a) => a.tls)).toBe(true);
      expect(await canLogin(server, roleName('tls_wrong_name'), password)).toBe(true);
      // Node's checkServerIdentity refused the name (the same CA verifies 127.0.0.1 in the next test).
      expect(capturedOutput()).toMatch(
        /"host":"127\.0\.0\.2","tls":true,"failure":"tls","code":"ERR_TLS_CERT_ALTNAME_INVALID"/,
      );
    },
  );

  it.skipIf(EXTERNAL_SERVER)(
    `ssl: true with the right CA (TLS_CA_BUNDLE_PATH): verify-full passes and every connection is TLS ` +
      `${NEEDS_OWN_CLUSTER}`,
    async () => {
      const { service, secretId, token, recorder, admin, password } = await prepare(
        roleName('tls_ok'),
        { ssl: true },
        { TLS_CA_BUNDLE_PATH: server.certificates!.caCertFile },
      );
      for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const)
        await service.runStep(secretId, step, token);
      expect(recorder.attempts.length).toBeGreaterThanOrEqual(3);
      expect(recorder.attempts.every((a) => a.tls)).toBe(true);
      const current = (await readSecret(admin, secretId, 'AWSCURRENT'))!;
      expect(await canLogin(server, roleName('tls_ok'), current.password as string)).toBe(true);
      expect(await canLogin(server, roleName('tls_ok'), password)).toBe(false);
    },
  );

  it.skipIf(EXTERNAL_SERVER)(
    `ssl: true against a server that offers no TLS fails as "tls", never in plaintext ${NEEDS_OWN_CLUSTER}`,
    async () => {
      const username = roleName('tls_true_plain');
      const { service, secretId, token, recorder, password } = await prepare(username, { ssl: true }, {}, plainServer);
      const error = await service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetConnectionError);
      expect((error as TargetConnectionError).kind).toBe('tls');
      expect(recorder.attempts.length).toBeGreaterThan(0);
      expect(recorder.attempts.every((a) => a.tls)).toBe(true);
      expect(recorder.statements).toEqual([]);
      expect((error as Error).message).toContain(`${plainServer!.host} offers no TLS`);
      expect(await canLogin(plainServer!, username, password)).toBe(true);
    },
  );

  it.skipIf(EXTERNAL_SERVER)(
    `ssl absent and a server that offers no TLS: "tls", no plaintext attempt, nothing changed, by default and with ` +
      `REQUIRE_TLS=false ${NEEDS_OWN_CLUSTER}`,
    async () => {
      const username = roleName('tls_prefer_plain');
      for (const env of [{}, { REQUIRE_TLS: 'false' }]) {
        const { service, secretId, token, recorder, admin, password } = await prepare(username, {}, env, plainServer);
        for (const step of ['setSecret', 'testSecret'] as const) {
          const error = await service.runStep(secretId, step, token).catch((e: unknown) => e);
          expect(error, step).toBeInstanceOf(TargetConnectionError);
          expect((error as TargetConnectionError).kind).toBe('tls');
          expect((error as Error).message).toContain(`${plainServer!.host} offers no TLS`);
          expect((error as Error).message).toContain(secretId);
        }
        expect(recorder.attempts.length).toBeGreaterThan(0);
        expect(recorder.attempts.every((a) => a.tls)).toBe(true);
        expect(recorder.statements).toEqual([]);
        expect((await readSecret(admin, secretId, 'AWSCURRENT'))!.password).toBe(password);
        expect(await canLogin(plainServer!, username, password)).toBe(true);
      }
    },
  );

  it.skipIf(EXTERNAL_SERVER)(
    `ssl absent and a certificate from a CA the function does not trust: "tls", final, no plaintext attempt, nothing ` +
      `changed ${NEEDS_OWN_CLUSTER}`,
    async () => {
      const username = roleName('prefer_wrong_ca');
      const { service, secretId, token, recorder, password } = await prepare(
        username,
        {},
        { TLS_CA_BUNDLE_PATH: server.certificates!.otherCaCertFile },
      );
      const before = capturedOutput().length;
      const error = await service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetConnectionError);
      expect((error as TargetConnectionError).kind).toBe('tls');
      expect(recorder.attempts.length).toBeGreaterThan(0);
      expect(recorder.attempts.every((a) => a.tls)).toBe(true);
      expect(recorder.statements).toEqual([]);
      expect(capturedOutput().slice(before)).not.toContain('offers no TLS');
      expect(await canLogin(server, username, password)).toBe(true);
    },
  );

  it.skipIf(EXTERNAL_SERVER)(
    `ssl absent and a trusted certificate that does not name the host (127.0.0.2): "tls", final, no plaintext ` +
      `attempt, nothing changed ${NEEDS_OWN_CLUSTER}`,
    async () => {
      const username = roleName('prefer_wrong_name');
      const { service, secretId, token, recorder, password } = await prepare(
        username,
        { host: '127.0.0.2' },
        { TLS_CA_BUNDLE_PATH: server.certificates!.caCertFile },
      );
      const before = capturedOutput().length;
      const error = await service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
      expect((error as TargetConnectionError).kind).toBe('tls');
      expect(recorder.attempts.length).toBeGreaterThan(0);
      expect(recorder.attempts.every((a) => a.tls)).toBe(true);
      expect(recorder.statements).toEqual([]);
      const output = capturedOutput().slice(before);
      expect(output).toMatch(/"host":"127\.0\.0\.2","tls":true,"failure":"tls","code":"ERR_TLS_CERT_ALTNAME_INVALID"/);
      expect(output).not.toContain('offers no TLS');
      expect(await canLogin(server, username, password)).toBe(true);
    },
  );

  it(
    'ssl: false connects in plaintext only, when the operator set REQUIRE_TLS=false, ' + 'with a WARN naming the host',
    async () => {
      const { service, secretId, token, recorder, admin } = await prepare(
        roleName('tls_off'),
        { ssl: false },
        { REQUIRE_TLS: 'false' },
      );
      const before = capturedOutput().length;
      for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const)
        await service.runStep(secretId, step, token);
      expect(recorder.attempts.length).toBeGreaterThan(0);
      expect(recorder.attempts.every((a) => !a.tls)).toBe(true);
      expect(capturedOutput().slice(before)).toMatch(
        /"level":"WARN","message":"Connecting to 127\.0\.0\.1 with [^"]* WITHOUT TLS/,
      );
      const current = (await readSecret(admin, secretId, 'AWSCURRENT'))!;
      expect(await canLogin(server, roleName('tls_off'), current.password as string)).toBe(true);
    },
  );

  it(
    'ssl: false while TLS is required (REQUIRE_TLS unset, or true): TlsRequiredError naming "ssl" and the secret, ' +
      'before any connection, nothing written',
    async () => {
      for (const env of [{}, { REQUIRE_TLS: 'true' }]) {
        const { service, secretId, token, recorder, admin, password, probe } = await prepare(
          roleName('tls_required'),
          { ssl: false },
          env,
        );
        probe.reset();
        for (const step of ['setSecret', 'testSecret'] as const) {
          const error = await service.runStep(secretId, step, token).catch((e: unknown) => e);
          expect(error, step).toBeInstanceOf(TlsRequiredError);
          expect((error as TlsRequiredError).fields).toEqual(['ssl']);
          expect((error as Error).message).toContain(secretId);
        }
        expect(recorder.attempts).toEqual([]);
        expect(probe.count('PutSecretValueCommand') + probe.count('UpdateSecretVersionStageCommand')).toBe(0);
        expect((await readSecret(admin, secretId, 'AWSCURRENT'))!.password).toBe(password);
        expect(await canLogin(server, roleName('tls_required'), password)).toBe(true);
      }
    },
  );

  it(
    'nothing listening on the port fails as "network" at the first attempt, ' + 'without trying the other versions',
    async () => {
      const closedPort = await freePort();
      const { service, secretId, token, recorder } = await prepare(
        roleName('net_down'),
        { ssl: false, port: closedPort },
        { REQUIRE_TLS: 'false' },
      );
      const error = await service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetConnectionError);
      expect((error as TargetConnectionError).kind).toBe('network');
      expect(recorder.attempts).toHaveLength(1);
    },
  );

  it(
    'the server itself stops statements and lock waits at three times CONNECT_TIMEOUT_SECONDS, ' + 'as the client does',
    async () => {
      const username = roleName('timeouts');
      const password = testPassword();
      await createLoginRole(server, username, password);
      const secret = postgresSecret.parse({
        engine: 'postgres',
        host: server.host,
        port: server.port,
        username,
        password,
        ssl: false,
      });
      const recorder = recordingConnect();
      const session = await login(secret, {
        tls: readTlsConfig({ CONNECT_TIMEOUT_SECONDS: '2', REQUIRE_TLS: 'false' }),
        connect: recorder.connect,
        logger: createRotationLogger('postgres-single-user'),
        errorContext: {},
        purpose: 'test credentials',
      });
      try {
        const { rows } = await session.query(
          "SELECT current_setting('statement_timeout') AS statement_timeout, " +
            "current_setting('lock_timeout') AS lock_timeout",
        );
        expect(rows[0]).toEqual({ statement_timeout: '6s', lock_timeout: '6s' });
      } finally {
        await session.end();
      }
      expect(recorder.attempts[0]!.config).toMatchObject({
        query_timeout: 6000,
        statement_timeout: 6000,
        lock_timeout: 6000,
      });
    },
  );

  it.skipIf(EXTERNAL_SERVER)(
    `the server logs of this file hold no password; the server with TLS holds the ALTER ROLE statements, the one ` +
      `without none ${NEEDS_OWN_CLUSTER}`,
    () => {
      const onPlainServer = (sql: string) => PLAIN_ROLES.some((role) => sql.includes(`"${role}"`));
      assertServerLogHasNoPasswords(
        server,
        recordedAlterRoles().filter((sql) => !onPlainServer(sql)),
      );
      // The server that offers no TLS never got a statement or a password from the rotator.
      expect(recordedAlterRoles().filter(onPlainServer)).toEqual([]);
      expect(findLeaks(plainServer!.readLog()), 'passwords in the log of the server without TLS').toEqual([]);
    },
  );
});
