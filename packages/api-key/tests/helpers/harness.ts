/** Shared set-up for the api-key tests: the fake key API, moto, a rotation service, and a direct HTTPS probe. */
import { request } from 'node:https';
import { inspect } from 'node:util';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { createRotationHandler } from '@rotators/core';
import {
  createSecret,
  ensureRotationFunction,
  instrumentClient,
  type AccountOptions,
  type KeyApiServer,
  RotationService,
  secretsManagerClient,
} from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { expect } from 'vitest';
import { createApiKeyRotator } from '../../src/rotator.ts';
import type { HttpFactory } from '../../src/connect.ts';

export interface Fixture {
  account: { accountId: string; keyId: string; key: string };
  secretId: string;
  service: RotationService;
  /** The function's own SDK client, instrumented (the service uses another one). */
  probe: ReturnType<typeof instrumentClient>;
  sm: ReturnType<typeof secretsManagerClient>;
}

/** A provider account with its bootstrap key, a secret holding that key, and a handler built from the source. */
export async function setUp(
  api: KeyApiServer,
  {
    env = {},
    account: accountOptions = {},
    secret = {},
    maxAttempts,
    createHttp,
  }: {
    env?: Record<string, string>;
    account?: AccountOptions;
    secret?: Record<string, unknown>;
    maxAttempts?: number;
    createHttp?: HttpFactory;
  } = {},
): Promise<Fixture> {
  const endpoint = motoEndpoint();
  const sm = secretsManagerClient(endpoint);
  const functionClient = secretsManagerClient(endpoint);
  const probe = instrumentClient(functionClient);
  const rotator = createApiKeyRotator({ env: { ...keyApiEnv(api), ...env }, createHttp });
  const handler = createRotationHandler(rotator, { client: functionClient, env: {} });
  const service = new RotationService({
    client: sm,
    invoke: handler,
    rotationLambdaArn: await ensureRotationFunction(endpoint),
    maxAttempts,
  });
  const account = api.createAccount(accountOptions);
  const secretId = await createSecret(
    sm,
    { apiKey: account.key, keyId: account.keyId, baseUrl: api.baseUrl, ...secret },
    'api-key',
  );
  return { account, secretId, service, probe, sm };
}

/** The function's environment for the fake key API: its CA, its host allowed, short backoffs. */
export function keyApiEnv(api: KeyApiServer): Record<string, string> {
  return {
    API_CA_BUNDLE_PATH: api.certificates!.caCertFile,
    API_ALLOWED_HOSTS: new URL(api.baseUrl).host,
    API_RETRY_BASE_DELAY_MS: '20',
  };
}

/** HTTP status of GET `path` with `key` (200: the key works; 401: revoked or unknown). */
export { keyStatus as statusWith } from '@rotators/testkit';

/** Create a key straight on the API (a key someone else made). */
export function createKeyDirectly(api: KeyApiServer, key: string, label: string): Promise<{ id: string; key: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${api.baseUrl}/keys`,
      {
        method: 'POST',
        ca: api.certificates!.caCert,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(JSON.parse(text)));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ label }));
  });
}

/** Put a hand-made AWSPENDING value under the token RotateSecret created. */
export async function putPending(fixture: Fixture, token: string, value: Record<string, unknown>): Promise<void> {
  await fixture.sm.send(
    new PutSecretValueCommand({
      SecretId: fixture.secretId,
      ClientRequestToken: token,
      SecretString: JSON.stringify(value),
      VersionStages: ['AWSPENDING'],
    }),
  );
}

/**
 * Neither `error` nor any cause carries one of `keys`, at any depth, in any property (hidden ones
 * included), and no error in the chain keeps a request config.
 */
export function expectNoKeyIn(error: unknown, keys: string[]): void {
  let node: unknown = error;
  let depth = 0;
  while (node && depth < 5) {
    const text =
      inspect(node, {
        depth: Infinity,
        showHidden: true,
        maxStringLength: Infinity,
        maxArrayLength: Infinity,
        breakLength: Infinity,
      }) + String((node as Error).stack);
    for (const key of keys) expect(text.includes(key), `error at depth ${depth} carries a key`).toBe(false);
    // An axios error keeps the request config (with the auth header): it must never be a cause.
    expect((node as { config?: unknown }).config, `error at depth ${depth} carries a request config`).toBeUndefined();
    node = (node as Error).cause;
    depth += 1;
  }
}
