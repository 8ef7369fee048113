/**
 * Issue 11 §1, against a server that plays the man-in-the-middle (testkit fakePostgresServer): it
 * says it offers no TLS and asks for the password in clear. By default, and with REQUIRE_TLS=false
 * for a secret without "ssl", the rotator sends it nothing but the SSLRequest — no startup message,
 * no password or hash of any version — fails with a `tls` error naming the host and the secret,
 * and writes nothing. The control case shows the fake would have caught a password: an operator's
 * REQUIRE_TLS=false with the secret's "ssl": false does send it, in plaintext, as asked.
 */
import { ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';
import { TargetConnectionError } from '@rotators/core';
import { capturedOutput, createSecret, type FakePostgresServer, startFakePostgresWithoutTls } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotationSetup, testPassword } from '../helpers/postgres.ts';

/** What a client sends first when it asks for TLS: length 8, code 80877103. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

let fake: FakePostgresServer;
beforeAll(async () => {
  fake = await startFakePostgresWithoutTls();
});
afterAll(async () => {
  await fake?.stop();
});

async function prepare(env: Record<string, string | undefined>, fields: Record<string, unknown> = {}) {
  const setup = await rotationSetup(env);
  const password = testPassword();
  const secretId = await createSecret(
    setup.admin,
    { engine: 'postgres', host: fake.host, port: fake.port, username: 'app_user', password, dbname: 'app', ...fields },
    'pg-mitm',
  );
  const token = await setup.service.start(secretId);
  await setup.service.runStep(secretId, 'createSecret', token);
  const pending = (await setup.admin.send(new ListSecretVersionIdsCommand({ SecretId: secretId }))).Versions!;
  setup.probe.reset();
  return { ...setup, secretId, token, password, versionsBefore: pending.map((v) => [v.VersionId, v.VersionStages]) };
}

describe('a server that refuses TLS and asks for the password in clear', () => {
  it.each([
    ['REQUIRE_TLS unset (the default)', {}],
    ['REQUIRE_TLS=false and no "ssl" field', { REQUIRE_TLS: 'false' }],
  ])(
    '%s: only the SSLRequest reaches it; a "tls" error naming host and secret; nothing written',
    async (_name, env) => {
      const { service, admin, probe, secretId, token, versionsBefore } = await prepare(env);
      const connectionsBefore = fake.connections().length;
      for (const step of ['setSecret', 'testSecret'] as const) {
        const error = await service.runStep(secretId, step, token).catch((e: unknown) => e);
        expect(error, step).toBeInstanceOf(TargetConnectionError);
        expect((error as TargetConnectionError).kind).toBe('tls');
        expect((error as Error).message).toContain(`${fake.host} offers no TLS`);
        expect((error as Error).message).toContain(secretId);
      }
      const connections = fake.connections().slice(connectionsBefore);
      expect(connections.length).toBeGreaterThan(0);
      for (const bytes of connections) expect(bytes.equals(SSL_REQUEST), `received ${bytes.length} bytes`).toBe(true);
      expect(fake.passwords()).toEqual([]);
      expect(probe.count('PutSecretValueCommand') + probe.count('UpdateSecretVersionStageCommand')).toBe(0);
      const versionsAfter = (await admin.send(new ListSecretVersionIdsCommand({ SecretId: secretId }))).Versions!.map(
        (v) => [v.VersionId, v.VersionStages],
      );
      expect(versionsAfter).toEqual(versionsBefore);
    },
  );

  it(
    'control: REQUIRE_TLS=false with "ssl": false sends the password in plaintext, as the operator allowed, ' +
      'with a WARN',
    async () => {
      const { service, secretId, token, password } = await prepare({ REQUIRE_TLS: 'false' }, { ssl: false });
      const before = capturedOutput().length;
      await service.runStep(secretId, 'setSecret', token).catch(() => undefined);
      expect(fake.passwords()).toContain(password);
      expect(capturedOutput().slice(before)).toMatch(
        /"level":"WARN","message":"Connecting to 127\.0\.0\.1 with [^"]* WITHOUT TLS/,
      );
    },
  );
});
