import { rmSync } from 'node:fs';
import { capturedOutput } from '@rotators/testkit';
import { classifyConnectionError, ConfigurationError, connectWithTlsPolicy, createRotationLogger, readTlsConfig, sslField, TargetConnectionError, tlsModeFor } from '@rotators/core';
import { createTestCertificates } from '@rotators/testkit';
import { describe, expect, it } from 'vitest';

describe('TLS mode', () => {
  it('follows the secret, unless REQUIRE_TLS forces verification', () => {
    expect(tlsModeFor(true, { requireTls: false })).toBe('verify');
    expect(tlsModeFor(false, { requireTls: false })).toBe('disable');
    expect(tlsModeFor(undefined, { requireTls: false })).toBe('prefer');
    expect(tlsModeFor(false, { requireTls: true })).toBe('verify');
  });

  it('reads ssl as a boolean or "true"/"false" and nothing else', () => {
    expect(sslField.parse('TRUE')).toBe(true);
    expect(sslField.parse('false')).toBe(false);
    expect(sslField.parse(undefined)).toBeUndefined();
    expect(sslField.safeParse('maybe').success).toBe(false);
  });

  it('trusts the RDS bundle and Node roots by default, or only a custom CA file', () => {
    const defaults = readTlsConfig({});
    expect(defaults.ca.length).toBeGreaterThan(100);
    expect(defaults.connectTimeoutSeconds).toBe(5);
    const certs = createTestCertificates();
    expect(readTlsConfig({ TLS_CA_BUNDLE_PATH: certs.caCertFile }).ca).toEqual([certs.caCert]);
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
  const base = { host: 'db.example', purpose: 'current credentials', logger: createRotationLogger('unit'), errorContext: { secretId: 'arn:x' }, authenticationCodes: ['AUTH'] };
  const fail = (code: string) => Object.assign(new Error(`failed ${code}`), { code });

  it('prefer: a certificate that does not verify is final, never plaintext', async () => {
    for (const code of ['SELF_SIGNED_CERT_IN_CHAIN', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED']) {
      const tries: boolean[] = [];
      const error = await connectWithTlsPolicy({ ...base, mode: 'prefer' }, async (tls) => {
        tries.push(tls);
        throw fail(code);
      }).catch((e: unknown) => e);
      expect((error as TargetConnectionError).kind).toBe('tls');
      expect(tries, code).toEqual([true]);
    }
  });

  it('prefer: PostgreSQL saying it does not support SSL also allows plaintext', async () => {
    const tries: boolean[] = [];
    const result = await connectWithTlsPolicy({ ...base, mode: 'prefer' }, async (tls) => {
      tries.push(tls);
      if (tls) throw new Error('The server does not support SSL connections');
      return 'plain-connection';
    });
    expect(result).toBe('plain-connection');
    expect(tries).toEqual([true, false]);
  });

  it('prefer: falls back to plaintext only when the server offers no TLS', async () => {
    const tries: boolean[] = [];
    const result = await connectWithTlsPolicy({ ...base, mode: 'prefer' }, async (tls) => {
      tries.push(tls);
      if (tls) throw fail('HANDSHAKE_NO_SSL_SUPPORT');
      return 'plain-connection';
    });
    expect(result).toBe('plain-connection');
    expect(tries).toEqual([true, false]);
  });

  it('prefer: an authentication failure over TLS does not retry in plaintext', async () => {
    const tries: boolean[] = [];
    const error = await connectWithTlsPolicy({ ...base, mode: 'prefer' }, async (tls) => {
      tries.push(tls);
      throw fail('AUTH');
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetConnectionError);
    expect((error as TargetConnectionError).kind).toBe('authentication');
    expect(tries).toEqual([true]);
  });

  it('verify: a TLS failure is final', async () => {
    const tries: boolean[] = [];
    const error = await connectWithTlsPolicy({ ...base, mode: 'verify' }, async (tls) => {
      tries.push(tls);
      throw fail('SELF_SIGNED_CERT_IN_CHAIN');
    }).catch((e: unknown) => e);
    expect((error as TargetConnectionError).kind).toBe('tls');
    expect((error as TargetConnectionError).code).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    expect((error as Error).message).toMatch(/db\.example.*over TLS.*SELF_SIGNED_CERT_IN_CHAIN.*arn:x/);
    expect(tries).toEqual([true]);
  });

  it('logs an expected failure (a probe) at INFO and an unexpected one at WARN', async () => {
    const attempt = (probe: boolean, purpose: string) =>
      connectWithTlsPolicy({ ...base, mode: 'disable', purpose, probe }, async () => {
        throw fail('AUTH');
      }).catch(() => undefined);
    await attempt(true, 'probe-purpose-1');
    await attempt(false, 'plain-purpose-2');
    const line = (marker: string) => JSON.parse(capturedOutput().split('\n').find((l) => l.includes(marker))!) as { level: string };
    expect(line('probe-purpose-1').level).toBe('INFO');
    expect(line('plain-purpose-2').level).toBe('WARN');
  });
});
