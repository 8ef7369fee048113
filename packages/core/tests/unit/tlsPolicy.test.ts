import { rmSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { capturedOutput } from '@rotators/testkit';
import { ConfigurationError, createRotationLogger, SecretValueError, TargetConnectionError } from '@rotators/core';
import {
  classifyConnectionError,
  connectWithTlsPolicy,
  readTlsConfig,
  sslField,
  TlsRequiredError,
  tlsModeFor,
  trustedCertificates,
} from '@rotators/core/db';
import { createTestCertificates } from '@rotators/testkit';
import { describe, expect, it } from 'vitest';

describe('TLS mode', () => {
  it('verifies TLS unless the operator allows plaintext and the secret asks for it', () => {
    expect(tlsModeFor(true, { requireTls: false })).toBe('verify');
    expect(tlsModeFor(undefined, { requireTls: false })).toBe('verify');
    expect(tlsModeFor(false, { requireTls: false })).toBe('disable');
    expect(tlsModeFor(true, { requireTls: true })).toBe('verify');
    expect(tlsModeFor(undefined, { requireTls: true })).toBe('verify');
  });

  it('refuses a secret that says "ssl": false while TLS is required, naming the field and the secret', () => {
    const error = (() => {
      try {
        return tlsModeFor(false, { requireTls: true }, { secretId: 'arn:secret:x', step: 'setSecret' }, 'AWSPENDING');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TlsRequiredError);
    expect(error).toBeInstanceOf(SecretValueError);
    expect((error as TlsRequiredError).fields).toEqual(['ssl']);
    expect((error as Error).message).toMatch(/AWSPENDING says "ssl": false.*REQUIRE_TLS.*arn:secret:x/);
  });

  it('reads REQUIRE_TLS as true when unset or empty, false only when set so', () => {
    expect(readTlsConfig({}).requireTls).toBe(true);
    expect(readTlsConfig({ REQUIRE_TLS: '' }).requireTls).toBe(true);
    expect(readTlsConfig({ REQUIRE_TLS: 'yes' }).requireTls).toBe(true);
    expect(readTlsConfig({ REQUIRE_TLS: 'false' }).requireTls).toBe(false);
    expect(readTlsConfig({ REQUIRE_TLS: 'off' }).requireTls).toBe(false);
  });

  it('reads ssl as a boolean or "true"/"false" and nothing else', () => {
    expect(sslField.parse('TRUE')).toBe(true);
    expect(sslField.parse('false')).toBe(false);
    expect(sslField.parse(undefined)).toBeUndefined();
    expect(sslField.safeParse('maybe').success).toBe(false);
  });

  it('trusts the RDS bundle and Node roots by default, or only a custom CA file', async () => {
    const defaults = readTlsConfig({});
    const trusted = await trustedCertificates(defaults);
    expect(trusted).toEqual(expect.arrayContaining([...rootCertificates]));
    expect(trusted.length).toBeGreaterThan(rootCertificates.length + 50);
    expect(defaults.connectTimeoutSeconds).toBe(5);
    const certs = createTestCertificates();
    expect(await trustedCertificates(readTlsConfig({ TLS_CA_BUNDLE_PATH: certs.caCertFile }))).toEqual([certs.caCert]);
    expect(() => readTlsConfig({ TLS_CA_BUNDLE_PATH: '/nonexistent/ca.pem' })).toThrow(ConfigurationError);
    expect(() => readTlsConfig({ REQUIRE_TLS: 'sometimes' })).toThrow(/REQUIRE_TLS/);
    expect(() => readTlsConfig({ CONNECT_TIMEOUT_SECONDS: '0' })).toThrow(/CONNECT_TIMEOUT_SECONDS/);
    rmSync(certs.directory, { recursive: true, force: true });
  });
});

describe('classifyConnectionError', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, 'network'],
    [{ code: 'ETIMEDOUT' }, 'timeout'],
    [{ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'tls'],
    [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'tls'],
    [{ message: 'The server does not support SSL connections' }, 'tls'],
    [{ code: 'ER_ACCESS_DENIED_ERROR' }, 'authentication'],
    [{ code: 'ER_BAD_DB_ERROR' }, 'database'],
    [{}, 'unknown'],
  ])('%j → %s', (error, kind) => {
    expect(classifyConnectionError(error, ['ER_ACCESS_DENIED_ERROR'])).toBe(kind);
  });
});

describe('connectWithTlsPolicy', () => {
  const base = {
    tls: { customCa: ['test-ca'] },
    host: 'db.example',
    purpose: 'current credentials',
    logger: createRotationLogger('unit'),
    errorContext: { secretId: 'arn:x' },
    authenticationCodes: ['AUTH'],
  };
  const fail = (code: string) => Object.assign(new Error(`failed ${code}`), { code });

  it('verify: a server that offers no TLS is a tls error, never a plaintext retry', async () => {
    for (const failure of [
      fail('HANDSHAKE_NO_SSL_SUPPORT'),
      new Error('The server does not support SSL connections'),
    ]) {
      const tries: boolean[] = [];
      const error = await connectWithTlsPolicy({ ...base, mode: 'verify' }, async (tls) => {
        tries.push(tls !== undefined);
        throw failure;
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetConnectionError);
      expect((error as TargetConnectionError).kind).toBe('tls');
      expect((error as Error).message).toMatch(/db\.example offers no TLS.*not sent.*arn:x/);
      expect(tries).toEqual([true]);
    }
  });

  it('verify: an authentication failure is final too', async () => {
    const tries: boolean[] = [];
    const error = await connectWithTlsPolicy({ ...base, mode: 'verify' }, async (tls) => {
      tries.push(tls !== undefined);
      throw fail('AUTH');
    }).catch((e: unknown) => e);
    expect((error as TargetConnectionError).kind).toBe('authentication');
    expect(tries).toEqual([true]);
  });

  it('disable: one plaintext attempt, with a WARN naming the host', async () => {
    const tries: boolean[] = [];
    const result = await connectWithTlsPolicy({ ...base, host: 'plain-host.example', mode: 'disable' }, async (tls) => {
      tries.push(tls !== undefined);
      return 'plain-connection';
    });
    expect(result).toBe('plain-connection');
    expect(tries).toEqual([false]);
    const warn = capturedOutput()
      .split('\n')
      .find((l) => l.includes('plain-host.example') && l.includes('WITHOUT TLS'));
    expect(warn && (JSON.parse(warn) as { level: string }).level).toBe('WARN');
  });

  it('verify: the driver gets the trusted CAs (TLS_CA_BUNDLE_PATH, here), plaintext gets none', async () => {
    const seen: unknown[] = [];
    await connectWithTlsPolicy({ ...base, mode: 'verify' }, async (tls) => seen.push(tls));
    await connectWithTlsPolicy({ ...base, mode: 'disable' }, async (tls) => seen.push(tls));
    expect(seen).toEqual([{ ca: ['test-ca'] }, undefined]);
  });

  it('verify: a TLS failure is final', async () => {
    const tries: boolean[] = [];
    const error = await connectWithTlsPolicy({ ...base, mode: 'verify' }, async (tls) => {
      tries.push(tls !== undefined);
      throw fail('SELF_SIGNED_CERT_IN_CHAIN');
    }).catch((e: unknown) => e);
    expect((error as TargetConnectionError).kind).toBe('tls');
    expect((error as TargetConnectionError).code).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    expect((error as Error).message).toMatch(/db\.example.*over TLS.*SELF_SIGNED_CERT_IN_CHAIN.*arn:x/);
    expect(tries).toEqual([true]);
  });

  it('logs an expected failure (a probe) at INFO and an unexpected one at WARN', async () => {
    const attempt = (probe: boolean, purpose: string) =>
      connectWithTlsPolicy({ ...base, mode: 'verify', purpose, probe }, async () => {
        throw fail('AUTH');
      }).catch(() => undefined);
    await attempt(true, 'probe-purpose-1');
    await attempt(false, 'plain-purpose-2');
    const line = (marker: string) =>
      JSON.parse(
        capturedOutput()
          .split('\n')
          .find((l) => l.includes(marker))!,
      ) as { level: string };
    expect(line('probe-purpose-1').level).toBe('INFO');
    expect(line('plain-purpose-2').level).toBe('WARN');
  });
});
