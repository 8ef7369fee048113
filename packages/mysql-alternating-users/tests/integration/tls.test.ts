/**
 * TLS and connection failures against a real MariaDB with a test-CA certificate for
 * 127.0.0.1/localhost, and a second one that offers no TLS: `ssl: true` and an absent `ssl` both
 * verify the chain and the host name and never fall back to plaintext — a server without TLS is a
 * `tls` error naming the host, whatever REQUIRE_TLS says; failures are reported by kind without
 * the password; the connect timeout is applied. (The fake server that asks for the password in
 * clear is in downgrade.test.ts.)
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { TargetConnectionError } from '@rotators/core';
import { classifyConnectionError } from '@rotators/core/db';
import { capturedOutput, freePort, readSecret, startMariaDb, type MariaDbServer } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountHosts, caFileFor, createUser, harness, newPassword, snapshot } from '../helpers/harness.ts';

type Secret = { username: string; password: string; versionId: string; [key: string]: unknown };

// Against an external server (CI) the test CA is only known when MYSQL_TEST_CA_FILE is set.
const NO_TEST_CA = !!process.env.MYSQL_TEST_HOST && !process.env.MYSQL_TEST_CA_FILE;
const NEEDS_TEST_CA = '(needs the CA that signed the server certificate: MYSQL_TEST_CA_FILE)';
// A server without TLS can only be started here, not asked of an external one.
const EXTERNAL = !!process.env.MYSQL_TEST_HOST;
const LOCAL_ONLY = '(needs a server without TLS, which only the kit can start: skipped with MYSQL_TEST_HOST)';

let db: MariaDbServer;
/** The same kind of server, offering no TLS at all (local runs only). */
let plain: MariaDbServer;
const servers: Server[] = [];
const sockets: Socket[] = [];
beforeAll(async () => {
  [db, plain] = await Promise.all([
    startMariaDb(),
    EXTERNAL ? (undefined as unknown as MariaDbServer) : startMariaDb({ tls: false }),
  ]);
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise((r) => server.close(r))));
  await Promise.all([db?.stop(), plain?.stop()]);
});

/** A TCP forwarder on another loopback address: same server, a host name its certificate does not list. */
async function forwarder(listenHost: string, targetPort: number): Promise<number> {
  const port = await freePort();
  const server = createServer((client) => {
    const upstream = tcpConnect(targetPort, '127.0.0.1');
    sockets.push(client, upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(port, listenHost, r));
  return port;
}

/** Accepts TCP connections and never says a word: a firewall that drops, or a hung server. */
async function silentServer(): Promise<number> {
  const port = await freePort();
  const server = createServer((socket) => sockets.push(socket));
  servers.push(server);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return port;
}

async function failedSetSecret(h: Awaited<ReturnType<typeof harness>>, secretId: string) {
  const token = await h.service.start(secretId);
  await h.service.runStep(secretId, 'createSecret', token);
  h.connects.length = 0;
  return h.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
}

describe('ssl: true', () => {
  it('a certificate from a CA the function does not trust: a TLS failure, and never a plaintext attempt', async () => {
    const h = await harness(db, { TLS_CA_BUNDLE_PATH: caFileFor(db, 'other')! });
    const password = newPassword();
    await createUser(db, 'tls_untrusted', password);
    const secretId = await h.secretFor('tls_untrusted', password, { ssl: true });
    const error = await failedSetSecret(h, secretId);
    expect(error).toBeInstanceOf(TargetConnectionError);
    expect((error as TargetConnectionError).kind).toBe('tls');
    expect((error as Error).message).toContain('AWSCURRENT credentials over TLS');
    expect(h.connects.length).toBeGreaterThan(0);
    expect(h.connects.every((c) => c.tls && c.ok === false)).toBe(true);
    expect(h.connects.every((c) => classifyConnectionError(c) === 'tls')).toBe(true);
    expect(await accountHosts(db, 'tls_untrusted_clone')).toEqual([]);
  });

  it.skipIf(NO_TEST_CA)(
    `a trusted certificate that does not name the host: refused by the host-name check ${NEEDS_TEST_CA}`,
    async () => {
      const port = await forwarder('127.0.0.2', db.port);
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'tls_wrongname', password);
      const secretId = await h.secretFor('tls_wrongname', password, { host: '127.0.0.2', port, ssl: true });
      const error = await failedSetSecret(h, secretId);
      expect(error).toBeInstanceOf(TargetConnectionError);
      expect((error as TargetConnectionError).kind).toBe('tls');
      // Refused in the TLS handshake, before the server saw any credential (mysql2 reports
      // HANDSHAKE_SSL_ERROR and keeps Node's reason in the message).
      expect(h.connects.length).toBe(2);
      for (const attempt of h.connects) {
        expect(attempt).toMatchObject({ tls: true, ok: false, code: 'HANDSHAKE_SSL_ERROR' });
        expect(attempt.message).toMatch(/IP: 127\.0\.0\.2 is not in the cert's list/);
      }
      // Control: the same path without TLS (allowed only by REQUIRE_TLS=false plus "ssl": false)
      // reaches the server and logs in, so only the name check failed.
      const plain = await harness(db, { REQUIRE_TLS: 'false' });
      const plainSecret = await plain.secretFor('tls_wrongname', password, { host: '127.0.0.2', port, ssl: false });
      const token = await plain.service.start(plainSecret);
      await plain.service.runStep(plainSecret, 'createSecret', token);
      plain.connects.length = 0;
      // the master secret names 127.0.0.1
      await plain.service.runStep(plainSecret, 'setSecret', token).catch(() => undefined);
      expect(plain.connects.find((c) => c.user === 'tls_wrongname')).toMatchObject({ tls: false, ok: true });
    },
  );

  it.skipIf(EXTERNAL)(
    `a server that offers no TLS: a TLS failure, and never a plaintext attempt ${LOCAL_ONLY}`,
    async () => {
      const h = await harness(plain);
      const password = newPassword();
      await createUser(plain, 'tls_required_plain', password);
      const before = await snapshot(plain, ['tls_required_plain', 'tls_required_plain_clone']);
      const secretId = await h.secretFor('tls_required_plain', password, { ssl: true });
      const error = await failedSetSecret(h, secretId);
      expect(error).toBeInstanceOf(TargetConnectionError);
      expect((error as TargetConnectionError).kind).toBe('tls');
      expect(h.connects.length).toBeGreaterThan(0);
      for (const attempt of h.connects)
        expect(attempt).toMatchObject({ tls: true, ok: false, code: 'HANDSHAKE_NO_SSL_SUPPORT' });
      expect(await snapshot(plain, ['tls_required_plain', 'tls_required_plain_clone'])).toBe(before);
    },
  );

  it.skipIf(NO_TEST_CA)(`the right CA: every connection of a rotation is TLS ${NEEDS_TEST_CA}`, async () => {
    const h = await harness(db);
    const password = newPassword();
    await createUser(db, 'tls_ok', password);
    const secretId = await h.secretFor('tls_ok', password, { ssl: 'TRUE' });
    await h.service.rotate(secretId);
    expect(h.connects.length).toBeGreaterThanOrEqual(5);
    expect(h.connects.every((c) => c.tls)).toBe(true);
    // ssl is kept as written.
    expect((await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!.ssl).toBe('TRUE');
  });
});

describe('ssl absent', () => {
  it.skipIf(EXTERNAL)(
    `a server that offers no TLS: a tls error naming the host, no plaintext attempt, nothing changed ${LOCAL_ONLY}`,
    async () => {
      for (const env of [{}, { REQUIRE_TLS: 'false' }] as Record<string, string>[]) {
        const h = await harness(plain, env);
        const user = `tls_absent_${Object.keys(env).length}`;
        const password = newPassword();
        await createUser(plain, user, password, '%', ['GRANT SELECT ON mysql.user TO ?@?']);
        const before = await snapshot(plain, [user, `${user}_clone`]);
        const secretId = await h.secretFor(user, password, { ssl: undefined });
        const error = await failedSetSecret(h, secretId);
        expect(error).toBeInstanceOf(TargetConnectionError);
        expect((error as TargetConnectionError).kind).toBe('tls');
        expect((error as Error).message).toContain(`${plain.host} offers no TLS`);
        expect((error as Error).message).toContain(secretId);
        expect(h.connects.length).toBeGreaterThan(0);
        for (const attempt of h.connects)
          expect(attempt).toMatchObject({ tls: true, ok: false, code: 'HANDSHAKE_NO_SSL_SUPPORT' });
        expect(await snapshot(plain, [user, `${user}_clone`])).toBe(before);
      }
    },
  );

  it(
    'a certificate from a CA the function does not trust is ' +
      'final: a TLS failure, no plaintext attempt, nothing changed',
    async () => {
      const h = await harness(db, { TLS_CA_BUNDLE_PATH: caFileFor(db, 'other')! });
      const password = newPassword();
      await createUser(db, 'prefer_wrong_ca', password);
      const before = await snapshot(db, ['prefer_wrong_ca', 'prefer_wrong_ca_clone']);
      const secretId = await h.secretFor('prefer_wrong_ca', password, { ssl: undefined });
      const outputBefore = capturedOutput().length;
      const error = await failedSetSecret(h, secretId);
      expect(error).toBeInstanceOf(TargetConnectionError);
      expect((error as TargetConnectionError).kind).toBe('tls');
      expect(h.connects.length).toBeGreaterThan(0);
      for (const attempt of h.connects)
        expect(attempt).toMatchObject({ tls: true, ok: false, code: 'HANDSHAKE_SSL_ERROR' });
      expect(capturedOutput().slice(outputBefore)).not.toContain('offers no TLS');
      expect(await snapshot(db, ['prefer_wrong_ca', 'prefer_wrong_ca_clone'])).toBe(before);
    },
  );

  it.skipIf(NO_TEST_CA)(
    'a trusted certificate that does not name the host is final: a TLS ' +
      `failure, no plaintext attempt, nothing changed ${NEEDS_TEST_CA}`,
    async () => {
      const port = await forwarder('127.0.0.2', db.port);
      const h = await harness(db);
      const password = newPassword();
      await createUser(db, 'prefer_wrongname', password);
      const before = await snapshot(db, ['prefer_wrongname', 'prefer_wrongname_clone']);
      const secretId = await h.secretFor('prefer_wrongname', password, { host: '127.0.0.2', port, ssl: undefined });
      const error = await failedSetSecret(h, secretId);
      expect((error as TargetConnectionError).kind).toBe('tls');
      expect(h.connects.length).toBeGreaterThan(0);
      for (const attempt of h.connects) {
        expect(attempt).toMatchObject({ tls: true, ok: false, code: 'HANDSHAKE_SSL_ERROR' });
        expect(attempt.message).toMatch(/IP: 127\.0\.0\.2 is not in the cert's list/);
      }
      expect(await snapshot(db, ['prefer_wrongname', 'prefer_wrongname_clone'])).toBe(before);
    },
  );

  it('REQUIRE_TLS=true overrides it: no plaintext attempt', async () => {
    const h = await harness(db, { TLS_CA_BUNDLE_PATH: caFileFor(db, 'other')!, REQUIRE_TLS: 'true' });
    const password = newPassword();
    await createUser(db, 'tls_required', password);
    const secretId = await h.secretFor('tls_required', password, { ssl: undefined });
    const error = await failedSetSecret(h, secretId);
    expect((error as TargetConnectionError).kind).toBe('tls');
    expect(h.connects.every((c) => c.tls)).toBe(true);
  });
});

describe('connection failures by kind', () => {
  it('nothing listening: network', async () => {
    const h = await harness(db);
    const password = newPassword();
    const secretId = await h.secretFor('net_user', password, { port: await freePort() });
    const error = await failedSetSecret(h, secretId);
    expect(error).toBeInstanceOf(TargetConnectionError);
    expect((error as TargetConnectionError).kind).toBe('network');
    expect((error as Error).message).not.toContain(password);
  });

  it('a server that never answers: timeout after CONNECT_TIMEOUT_SECONDS', async () => {
    const h = await harness(db, { CONNECT_TIMEOUT_SECONDS: '1' });
    const port = await silentServer();
    const secretId = await h.secretFor('slow_user', newPassword(), { port });
    const error = await failedSetSecret(h, secretId);
    expect(error).toBeInstanceOf(TargetConnectionError);
    expect((error as TargetConnectionError).kind).toBe('timeout');
    // Two attempts (pending, current), each given 1 s (not mysql2's default 10 s).
    expect(h.connects.map((c) => [c.user, c.connectTimeout, c.code])).toEqual([
      ['slow_user_clone', 1000, 'ETIMEDOUT'],
      ['slow_user', 1000, 'ETIMEDOUT'],
    ]);
  });

  it('wrong password: authentication, and the log line says so without the password', async () => {
    const h = await harness(db);
    const password = newPassword();
    await createUser(db, 'auth_user', password);
    const wrong = newPassword();
    const secretId = await h.secretFor('auth_user', wrong);
    const outputBefore = capturedOutput().length;
    const error = await failedSetSecret(h, secretId);
    expect((error as TargetConnectionError).kind).toBe('authentication');
    const lines = capturedOutput().slice(outputBefore);
    expect(lines).toContain('"failure":"authentication"');
    expect(lines).not.toContain(wrong);
  });
});
