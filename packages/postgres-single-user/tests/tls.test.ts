/**
 * TLS by the secret's `ssl` field and the environment, against the kit's cluster and its
 * throwaway CA: `ssl: true` is verify-full and never falls back; an absent `ssl` falls back to
 * plaintext only after a TLS failure, with a WARN naming the host. Failures are reported by kind.
 */
import { capturedOutput, createSecret, freePort, type PostgresServer, readSecret, startPostgres } from '@rotators/testkit';
import { createRotationLogger, readTlsConfig, TargetConnectionError } from '@rotators/core';
import { login } from '../src/connect.ts';
import { postgresSecret } from '../src/schema.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertServerLogHasNoPasswords, recordedAlterRoles, canLogin, EXTERNAL_SERVER, NEEDS_OWN_CLUSTER, createLoginRole, recordingConnect, roleName, rotationSetup, testPassword } from './helpers/postgres.ts';

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  await server?.stop();
});

async function prepare(username: string, secretFields: Record<string, unknown>, env: Record<string, string | undefined>) {
  const password = testPassword();
  await createLoginRole(server, username, password);
  const setup = await rotationSetup(env);
  const secretId = await createSecret(setup.admin, { engine: 'postgres', host: server.host, port: server.port, username, password, ...secretFields }, 'pg-tls');
  const token = await setup.service.start(secretId);
  await setup.service.runStep(secretId, 'createSecret', token);
  setup.recorder.reset();
  return { ...setup, secretId, token, password };
}

describe('TLS policy', () => {
  it.skipIf(EXTERNAL_SERVER)(`ssl: true against a certificate our CA does not verify fails as "tls", never in plaintext ${NEEDS_OWN_CLUSTER}`, async () => {
    const { service, secretId, token, recorder, password } = await prepare(roleName('tls_wrong_ca'), { ssl: true }, { TLS_CA_BUNDLE_PATH: server.certificates!.otherCaCertFile });
    const error = await service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetConnectionError);
    expect((error as TargetConnectionError).kind).toBe('tls');
    expect(recorder.attempts.length).toBeGreaterThan(0);
    expect(recorder.attempts.every((a) => a.tls)).toBe(true);
    expect(recorder.statements).toEqual([]);
    expect(await canLogin(server, roleName('tls_wrong_ca'), password)).toBe(true);
  });

  it.skipIf(EXTERNAL_SERVER)(`ssl: true checks the host name: the right CA but an address the certificate does not name fails as "tls" ${NEEDS_OWN_CLUSTER}`, async () => {
    const { service, secretId, token, recorder, password } = await prepare(roleName('tls_wrong_name'), { ssl: true, host: '127.0.0.2' }, { TLS_CA_BUNDLE_PATH: server.certificates!.caCertFile });
    const error = await service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
    expect((error as TargetConnectionError).kind).toBe('tls');
    expect(recorder.attempts.every((a) => a.tls)).toBe(true);
    expect(await canLogin(server, roleName('tls_wrong_name'), password)).toBe(true);
    // Node's checkServerIdentity refused the name (the same CA verifies 127.0.0.1 in the next test).
    expect(capturedOutput()).toMatch(/"host":"127\.0\.0\.2","tls":true,"failure":"tls","code":"ERR_TLS_CERT_ALTNAME_INVALID"/);
  });

  it.skipIf(EXTERNAL_SERVER)(`ssl: true with the right CA (TLS_CA_BUNDLE_PATH): verify-full passes and every connection is TLS ${NEEDS_OWN_CLUSTER}`, async () => {
    const { service, secretId, token, recorder, admin, password } = await prepare(roleName('tls_ok'), { ssl: true }, { TLS_CA_BUNDLE_PATH: server.certificates!.caCertFile });
    for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const) await service.runStep(secretId, step, token);
    expect(recorder.attempts.length).toBeGreaterThanOrEqual(3);
    expect(recorder.attempts.every((a) => a.tls)).toBe(true);
    const current = (await readSecret(admin, secretId, 'AWSCURRENT'))!;
    expect(await canLogin(server, roleName('tls_ok'), current.password as string)).toBe(true);
    expect(await canLogin(server, roleName('tls_ok'), password)).toBe(false);
  });

  it.skipIf(EXTERNAL_SERVER)(`ssl absent and TLS does not verify: falls back to plaintext with a WARN naming the host ${NEEDS_OWN_CLUSTER}`, async () => {
    const { service, secretId, token, recorder, admin } = await prepare(roleName('tls_prefer'), {}, { TLS_CA_BUNDLE_PATH: server.certificates!.otherCaCertFile });
    const before = capturedOutput().length;
    for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const) await service.runStep(secretId, step, token);
    expect(recorder.attempts.slice(0, 2).map((a) => a.tls)).toEqual([true, false]);
    const warnings = capturedOutput()
      .slice(before)
      .split('\n')
      .filter((line) => line.includes('"level":"WARN"') && line.includes('falling back to plaintext'));
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toContain(`TLS to ${server.host} failed`);
    const current = (await readSecret(admin, secretId, 'AWSCURRENT'))!;
    expect(await canLogin(server, roleName('tls_prefer'), current.password as string)).toBe(true);
  });

  it('ssl: false connects in plaintext only', async () => {
    const { service, secretId, token, recorder, admin } = await prepare(roleName('tls_off'), { ssl: false }, {});
    for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const) await service.runStep(secretId, step, token);
    expect(recorder.attempts.length).toBeGreaterThan(0);
    expect(recorder.attempts.every((a) => !a.tls)).toBe(true);
    const current = (await readSecret(admin, secretId, 'AWSCURRENT'))!;
    expect(await canLogin(server, roleName('tls_off'), current.password as string)).toBe(true);
  });

  it.skipIf(EXTERNAL_SERVER)(`REQUIRE_TLS=true overrides ssl: false: TLS is required and verified ${NEEDS_OWN_CLUSTER}`, async () => {
    const { service, secretId, token, recorder, password } = await prepare(roleName('tls_required'), { ssl: false }, { REQUIRE_TLS: 'true', TLS_CA_BUNDLE_PATH: server.certificates!.otherCaCertFile });
    const error = await service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
    expect((error as TargetConnectionError).kind).toBe('tls');
    expect(recorder.attempts.every((a) => a.tls)).toBe(true);
    expect(await canLogin(server, roleName('tls_required'), password)).toBe(true);
  });

  it('nothing listening on the port fails as "network" at the first attempt, without trying the other versions', async () => {
    const closedPort = await freePort();
    const { service, secretId, token, recorder } = await prepare(roleName('net_down'), { ssl: false, port: closedPort }, {});
    const error = await service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetConnectionError);
    expect((error as TargetConnectionError).kind).toBe('network');
    expect(recorder.attempts).toHaveLength(1);
  });

  it('the server itself stops statements and lock waits at three times CONNECT_TIMEOUT_SECONDS, as the client does', async () => {
    const username = roleName('timeouts');
    const password = testPassword();
    await createLoginRole(server, username, password);
    const secret = postgresSecret.parse({ engine: 'postgres', host: server.host, port: server.port, username, password, ssl: false });
    const recorder = recordingConnect();
    const session = await login(secret, {
      tls: readTlsConfig({ CONNECT_TIMEOUT_SECONDS: '2' }),
      connect: recorder.connect,
      logger: createRotationLogger('postgres-single-user'),
      errorContext: {},
      purpose: 'test credentials',
    });
    try {
      const { rows } = await session.query("SELECT current_setting('statement_timeout') AS statement_timeout, current_setting('lock_timeout') AS lock_timeout");
      expect(rows[0]).toEqual({ statement_timeout: '6s', lock_timeout: '6s' });
    } finally {
      await session.end();
    }
    expect(recorder.attempts[0]!.config).toMatchObject({ query_timeout: 6000, statement_timeout: 6000, lock_timeout: 6000 });
  });

  it.skipIf(EXTERNAL_SERVER)(`the server log of this file holds no password, and does hold the ALTER ROLE statements ${NEEDS_OWN_CLUSTER}`, () => {
    assertServerLogHasNoPasswords(server, recordedAlterRoles());
  });
});
