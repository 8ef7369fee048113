import { rmSync } from 'node:fs';
import { ConfigurationError } from '@rotators/core';
import { createTestCertificates } from '@rotators/testkit';
import { describe, expect, it } from 'vitest';
import { readApiKeyConfig } from '../../src/config.ts';
import { readPath, objectAt } from '../../src/jsonPath.ts';
import { isHostAllowed } from '../../src/allowedHosts.ts';
import { apiKeySecret, normalizeBaseUrl, rotatorSchema } from '../../src/schema.ts';
import { settingsFor } from '../../src/providerSettings.ts';

/** A generic provider needs its allowed hosts; every other test starts from this. */
const HOSTS = { API_ALLOWED_HOSTS: 'api.example.com' };

function configError(env: Record<string, string>): ConfigurationError {
  try {
    readApiKeyConfig({ ...HOSTS, ...env });
  } catch (error) {
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('configuration (cold start)', () => {
  it('has defaults whose step budget plus 5 s for Secrets Manager fits a 30 s Lambda timeout', () => {
    const config = readApiKeyConfig(HOSTS);
    expect(config).toMatchObject({
      provider: 'generic',
      maxRetries: 3,
      revokeInitialKey: false,
      adapterSettings: {},
      secretSettings: false,
      maxPages: 20,
    });
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
    ['API_SECRET_SETTINGS', 'sometimes'],
    ['API_MAX_PAGES', '0'],
    ['API_PAGE_SIZE', '1001'],
    ['API_PAGE_SIZE_PARAM', 'limit=5'],
    ['API_NEXT_PAGE', 'cursor:next'],
    ['API_NEXT_PAGE', 'url:links.next?x'],
    ['API_ALLOWED_HOSTS', 'https://api.example.com'],
    ['API_ALLOWED_HOSTS', '*.com'],
    ['API_ALLOWED_HOSTS', 'api.example.com:99999'],
    ['API_ALLOWED_HOSTS', 'api.example.com/v1'],
    ['API_ALLOWED_HOSTS', ' , '],
    // Control characters in any setting: these values go into a header, a path or a query.
    ['API_AUTH_SCHEME', 'Bearer\u0000'],
    ['API_AUTH_HEADER', 'X-Api-Key\u0007'],
    ['API_KEYS_PATH', '/keys\u0000'],
    ['API_PAGE_SIZE_PARAM', 'li\u0001mit'],
  ])('%s=%s is a ConfigurationError naming the variable', (variable, value) => {
    const error = configError({ [variable]: value });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(`Environment variable ${variable}`);
  });

  it('reads adapter settings; "none" means empty for the auth scheme and field paths', () => {
    const config = readApiKeyConfig({
      ...HOSTS,
      API_AUTH_HEADER: 'X-Api-Key',
      API_AUTH_SCHEME: 'none',
      API_ID_FIELD: 'data.id',
      API_KEY_PATH: '/v1/keys/{id}',
    });
    expect(config.adapterSettings).toEqual({
      authHeader: 'X-Api-Key',
      authScheme: '',
      idField: 'data.id',
      keyPath: '/v1/keys/{id}',
    });
  });

  it('reads the paging settings', () => {
    const config = readApiKeyConfig({
      ...HOSTS,
      API_PAGE_SIZE_PARAM: 'page[size]',
      API_PAGE_SIZE: '50',
      API_NEXT_PAGE: 'cursor:meta.next_cursor:page[cursor]',
      API_MAX_PAGES: '5',
    });
    expect(config.adapterSettings).toEqual({
      pageSizeParam: 'page[size]',
      pageSize: 50,
      nextPage: 'cursor:meta.next_cursor:page[cursor]',
    });
    expect(config.maxPages).toBe(5);
    expect(readApiKeyConfig({ ...HOSTS, API_PAGE_SIZE_PARAM: 'none', API_NEXT_PAGE: 'link' }).adapterSettings).toEqual({
      pageSizeParam: '',
      nextPage: 'link',
    });
  });

  it(
    'requires API_ALLOWED_HOSTS for the generic provider; a preset ' +
      'provider has its own hosts, which the variable replaces',
    () => {
      const missing = (() => {
        try {
          readApiKeyConfig({});
        } catch (error) {
          return error as ConfigurationError;
        }
      })();
      expect(missing).toBeInstanceOf(ConfigurationError);
      expect(missing!.variable).toBe('API_ALLOWED_HOSTS');
      expect(missing!.message).toContain('API_ALLOWED_HOSTS is required when API_PROVIDER is generic');

      const sendgrid = readApiKeyConfig({ API_PROVIDER: 'sendgrid' });
      expect(sendgrid.allowedHostsSource).toContain('sendgrid preset');
      expect(isHostAllowed(new URL('https://api.sendgrid.com/'), sendgrid.allowedHosts)).toBe(true);
      expect(isHostAllowed(new URL('https://api.eu.sendgrid.com'), sendgrid.allowedHosts)).toBe(true);
      expect(isHostAllowed(new URL('https://api.example.com'), sendgrid.allowedHosts)).toBe(false);
      const replaced = readApiKeyConfig({
        API_PROVIDER: 'sendgrid',
        API_ALLOWED_HOSTS: 'sendgrid-proxy.internal.example',
      });
      expect(isHostAllowed(new URL('https://api.sendgrid.com'), replaced.allowedHosts)).toBe(false);
    },
  );

  it('adds a PEM bundle to the trusted roots', () => {
    const certs = createTestCertificates();
    // The file replaces Node's roots (core env.ts): only the private CA is trusted.
    expect(readApiKeyConfig({ ...HOSTS, API_CA_BUNDLE_PATH: certs.caCertFile }).httpsAgent.options.ca).toEqual([
      certs.caCert,
    ]);
    rmSync(certs.directory, { recursive: true, force: true });
  });
});

describe('secret schema and settings', () => {
  const valid = { apiKey: 'k-123456789', keyId: 'key_1', baseUrl: 'https://api.example.com/v1/' };

  it('requires https without credentials, query or fragment', () => {
    expect(apiKeySecret.safeParse(valid).success).toBe(true);
    for (const baseUrl of [
      'http://api.example.com',
      'https://user:pw@api.example.com',
      'https://api.example.com/?x=1',
      'https://api.example.com/#f',
      'api.example.com',
    ]) {
      const result = apiKeySecret.safeParse({ ...valid, baseUrl });
      expect(result.success, baseUrl).toBe(false);
      expect(result.error!.issues[0]!.path).toEqual(['baseUrl']);
    }
    expect(normalizeBaseUrl('https://API.example.com/v1/')).toBe('https://api.example.com/v1');
  });

  it(
    'refuses an apiKey longer than any provider issues (a 1 MB ' +
      'one failed only at the provider, without naming the field)',
    () => {
      expect(apiKeySecret.safeParse({ ...valid, apiKey: 'k'.repeat(4096) }).success).toBe(true);
      const result = apiKeySecret.safeParse({ ...valid, apiKey: 'k'.repeat(4097) });
      expect(result.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
        ['apiKey', 'must be at most 4096 characters'],
      ]);
    },
  );

  it('names the missing or unknown fields', () => {
    const result = apiKeySecret.safeParse({
      baseUrl: valid.baseUrl,
      provider: 'nope',
      api: { keysPath: '/k', bogus: 1 },
    });
    expect(result.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['api', 'apiKey', 'keyId', 'provider']);
  });

  it(
    'with API_SECRET_SETTINGS takes settings from the secret, then ' +
      'the environment, then the provider preset, then the defaults',
    () => {
      const config = readApiKeyConfig({
        ...HOSTS,
        API_TEST_PATH: '/v3/user/profile',
        API_KEYS_PATH: '/env/keys',
        API_SECRET_SETTINGS: 'true',
      });
      const settings = settingsFor(
        apiKeySecret.parse({ ...valid, provider: 'sendgrid', api: { keysPath: '/secret/keys' } }),
        config,
      );
      expect(settings).toMatchObject({
        keysPath: '/secret/keys',
        testPath: '/v3/user/profile',
        idField: 'api_key_id',
        authScheme: 'Bearer',
        nextPage: 'url:_metadata.next',
        pageSizeParam: 'limit',
      });
    },
  );

  it(
    "without API_SECRET_SETTINGS the schema refuses a secret's api and " +
      'a provider other than API_PROVIDER, and the settings ignore them',
    () => {
      const config = readApiKeyConfig({ ...HOSTS, API_KEYS_PATH: '/env/keys' });
      const schema = rotatorSchema(config);
      const issues = (value: object) =>
        schema.safeParse({ ...valid, ...value }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      expect(issues({ api: { keysPath: '/secret/keys' } })).toEqual([
        "api: per-secret adapter settings are not used: the function's " +
          'environment (API_* variables) sets them unless API_SECRET_SETTINGS=true',
      ]);
      expect(issues({ provider: 'sendgrid' })).toEqual([
        'provider: must be absent or "generic" (API_PROVIDER) unless API_SECRET_SETTINGS=true',
      ]);
      expect(schema.safeParse({ ...valid, provider: 'generic' }).success).toBe(true);
      // Even a value that skipped the schema gets only the environment's settings.
      expect(settingsFor({ ...valid, provider: 'sendgrid', api: { keysPath: '/secret/keys' } }, config)).toMatchObject({
        keysPath: '/env/keys',
        idField: 'id',
      });
    },
  );

  it('refuses control characters in every field that goes into a header, a path or a query, naming the field', () => {
    for (const [field, value] of [
      ['apiKey', 'sk_live_0123456789\u0000'],
      ['apiKey', 'sk_live_01234 56789'],
      ['apiKey', 'sk_live_0123456789\u0085'],
      ['keyId', 'key_1\n'],
      ['previousKeyId', 'key_0\u007f'],
      ['baseUrl', 'https://api.exa\tmple.com/v1'],
    ] as const) {
      const result = apiKeySecret.safeParse({ ...valid, [field]: value });
      expect(result.success, `${field} ${JSON.stringify(value)}`).toBe(false);
      expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual([field]);
      expect(JSON.stringify(result.error!.issues)).not.toContain(value);
    }
    const initial = apiKeySecret.safeParse({ ...valid, initialKeyIds: ['key_0', 'key\u0000'] });
    expect(initial.error!.issues.map((i) => i.path.join('.'))).toEqual(['initialKeyIds.1']);
    const api = apiKeySecret.safeParse({ ...valid, api: { testPath: '/whoami\u0000' } });
    expect(api.error!.issues.map((i) => i.path.join('.'))).toEqual(['api.testPath']);
    // A keyId may hold any other text: it is URL-encoded into a path and checked against the provider's list.
    expect(apiKeySecret.safeParse({ ...valid, keyId: "'; DROP USER admin; --" }).success).toBe(true);
  });

  it('reads and builds dotted paths', () => {
    expect(readPath({ data: { attributes: { key: 'v' } } }, 'data.attributes.key')).toBe('v');
    expect(readPath({ data: [] }, 'data.x')).toBeUndefined();
    expect(readPath(['a'], '')).toEqual(['a']);
    expect(objectAt('data.attributes.name', 'n')).toEqual({ data: { attributes: { name: 'n' } } });
  });
});
