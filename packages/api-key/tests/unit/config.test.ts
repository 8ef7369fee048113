import { rmSync } from 'node:fs';
import { ConfigurationError } from '@rotators/core';
import { createTestCertificates } from '@rotators/testkit';
import { describe, expect, it } from 'vitest';
import { readApiKeyConfig } from '../../src/config.ts';
import { readPath, objectAt } from '../../src/jsonPath.ts';
import { apiKeySecret, normalizeBaseUrl } from '../../src/schema.ts';
import { settingsFor } from '../../src/session.ts';

function configError(env: Record<string, string>): ConfigurationError {
  try {
    readApiKeyConfig(env);
  } catch (error) {
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('configuration (cold start)', () => {
  it('has defaults whose step budget plus 5 s for Secrets Manager fits a 30 s Lambda timeout', () => {
    const config = readApiKeyConfig({});
    expect(config).toMatchObject({ provider: 'generic', maxRetries: 3, revokeInitialKey: false, adapterSettings: {} });
    // The same rule as the Terraform module's minimum_timeout: step_timeout_seconds + 5.
    const lambdaTimeoutMs = 30_000;
    const secretsManagerMarginMs = 5_000;
    expect(config.stepTimeoutMs + secretsManagerMarginMs).toBeLessThanOrEqual(lambdaTimeoutMs);
    // One attempt must fit in the step budget, or the first slow answer uses up the whole step.
    expect(config.requestTimeoutMs).toBeLessThan(config.stepTimeoutMs);
  });

  it.each([
    ['API_PROVIDER', 'stripe'],
    ['API_REQUEST_TIMEOUT_SECONDS', '0'],
    ['API_STEP_TIMEOUT_SECONDS', '2.5'],
    ['API_MAX_RETRIES', '11'],
    ['API_REVOKE_INITIAL_KEY', 'maybe'],
    ['API_KEYS_PATH', 'keys'],
    ['API_KEY_PATH', '/keys/:id'],
    ['API_TEST_PATH', '/whoami?verbose=1'],
    ['API_AUTH_HEADER', 'X Api Key'],
    ['API_ID_FIELD', 'data[0].id'],
    ['API_REVOKE_METHOD', 'PATCH'],
    ['API_CA_BUNDLE_PATH', '/nonexistent/ca.pem'],
  ])('%s=%s is a ConfigurationError naming the variable', (variable, value) => {
    const error = configError({ [variable]: value });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(`Environment variable ${variable}`);
  });

  it('reads adapter settings; "none" means empty for the auth scheme and field paths', () => {
    const config = readApiKeyConfig({ API_AUTH_HEADER: 'X-Api-Key', API_AUTH_SCHEME: 'none', API_ID_FIELD: 'data.id', API_KEY_PATH: '/v1/keys/{id}' });
    expect(config.adapterSettings).toEqual({ authHeader: 'X-Api-Key', authScheme: '', idField: 'data.id', keyPath: '/v1/keys/{id}' });
  });

  it('adds a PEM bundle to the trusted roots', () => {
    const certs = createTestCertificates();
    expect(readApiKeyConfig({ API_CA_BUNDLE_PATH: certs.caCertFile }).httpsAgent.options.ca).toContain(certs.caCert);
    rmSync(certs.directory, { recursive: true, force: true });
  });
});

describe('secret schema and settings', () => {
  const valid = { apiKey: 'k-123456789', keyId: 'key_1', baseUrl: 'https://api.example.com/v1/' };

  it('requires https without credentials, query or fragment', () => {
    expect(apiKeySecret.safeParse(valid).success).toBe(true);
    for (const baseUrl of ['http://api.example.com', 'https://user:pw@api.example.com', 'https://api.example.com/?x=1', 'https://api.example.com/#f', 'api.example.com']) {
      const result = apiKeySecret.safeParse({ ...valid, baseUrl });
      expect(result.success, baseUrl).toBe(false);
      expect(result.error!.issues[0]!.path).toEqual(['baseUrl']);
    }
    expect(normalizeBaseUrl('https://API.example.com/v1/')).toBe('https://api.example.com/v1');
  });

  it('names the missing or unknown fields', () => {
    const result = apiKeySecret.safeParse({ baseUrl: valid.baseUrl, provider: 'nope', api: { keysPath: '/k', bogus: 1 } });
    expect(result.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['api', 'apiKey', 'keyId', 'provider']);
  });

  it('takes settings from the secret, then the environment, then the provider preset, then the defaults', () => {
    const config = readApiKeyConfig({ API_TEST_PATH: '/v3/user/profile', API_KEYS_PATH: '/env/keys' });
    const settings = settingsFor(apiKeySecret.parse({ ...valid, provider: 'sendgrid', api: { keysPath: '/secret/keys' } }), config);
    expect(settings).toMatchObject({ keysPath: '/secret/keys', testPath: '/v3/user/profile', idField: 'api_key_id', authScheme: 'Bearer' });
  });

  it('reads and builds dotted paths', () => {
    expect(readPath({ data: { attributes: { key: 'v' } } }, 'data.attributes.key')).toBe('v');
    expect(readPath({ data: [] }, 'data.x')).toBeUndefined();
    expect(readPath(['a'], '')).toEqual(['a']);
    expect(objectAt('data.attributes.name', 'n')).toEqual({ data: { attributes: { name: 'n' } } });
  });
});
