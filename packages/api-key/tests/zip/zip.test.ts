/** The built zip as an artifact: unpacked alone, loaded by Node 22, rotating a key on the fake key API. */
import {
  createSecret,
  ensureRotationFunction,
  type KeyApiServer,
  localAwsEnv,
  readSecret,
  RotationService,
  secretsManagerClient,
  startKeyApi,
  startZipFunction,
  zipPath,
} from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyApiEnv, statusWith } from '../helpers/harness.ts';

describe('api-key.zip on Node 22', () => {
  let api: KeyApiServer;
  let fn: Awaited<ReturnType<typeof startZipFunction>>;

  beforeAll(async () => {
    api = await startKeyApi();
    fn = await startZipFunction(zipPath('api-key'), {
      ...localAwsEnv(motoEndpoint()),
      ...keyApiEnv(api),
      API_REVOKE_INITIAL_KEY: 'true',
    });
  });
  afterAll(async () => {
    await fn?.stop();
    await api?.stop();
  });

  it('rotates three times from an empty folder: new key works, previous works, the one before is revoked', async () => {
    expect(fn.nodeVersion).toMatch(/^v22\./);
    const endpoint = motoEndpoint();
    const client = secretsManagerClient(endpoint);
    const service = new RotationService({
      client,
      invoke: fn.invoke,
      rotationLambdaArn: await ensureRotationFunction(endpoint),
    });
    const account = api.createAccount({ maxActiveKeys: 3 });
    const secretId = await createSecret(
      client,
      { apiKey: account.key, keyId: account.keyId, baseUrl: api.baseUrl, owner: 'payments' },
      'api-key-zip',
    );
    const held = [account.key];
    for (let rotation = 1; rotation <= 3; rotation += 1) {
      const { token, attempts } = await service.rotate(secretId);
      expect(attempts).toBe(1);
      const current = (await readSecret<{ apiKey: string; owner: string }>(client, secretId, 'AWSCURRENT'))!;
      expect(current.versionId).toBe(token);
      expect(current.owner).toBe('payments');
      expect(await statusWith(api, current.apiKey)).toBe(200);
      expect(await statusWith(api, held.at(-1)!)).toBe(200);
      if (held.length >= 2) expect(await statusWith(api, held.at(-2)!)).toBe(401);
      held.push(current.apiKey);
    }
    expect(fn.output()).toContain('"rotator":"api-key"');
    expect(fn.output()).toContain('createSecret: created a new key');
  });

  it('refuses a bad configuration at cold start, naming the variable', async () => {
    const error = await startZipFunction(zipPath('api-key'), {
      ...localAwsEnv(motoEndpoint()),
      ...keyApiEnv(api),
      API_REQUEST_TIMEOUT_SECONDS: 'soon',
    }).catch((e: unknown) => e);
    expect((error as Error).message).toContain(
      'Environment variable API_REQUEST_TIMEOUT_SECONDS must be an integer from 1 to 60 (got "soon")',
    );
    // The generic provider has no hosts of its own: without API_ALLOWED_HOSTS the function does not start.
    const noHosts = await startZipFunction(zipPath('api-key'), {
      ...localAwsEnv(motoEndpoint()),
      API_CA_BUNDLE_PATH: api.certificates!.caCertFile,
    }).catch((e: unknown) => e);
    expect((noHosts as Error).message).toContain(
      'Environment variable API_ALLOWED_HOSTS is required when API_PROVIDER is generic',
    );
  });
});
