/**
 * api-key against the test kit's key API (HTTPS, verified): the provider activates a key when it
 * creates it, so after createSecret, setSecret or testSecret AWSPENDING already authenticates and
 * repair finishes the rotation forward. A createSecret whose reply was lost leaves the empty
 * AWSPENDING and a key at the provider: repair removes the label and revokes that key, with the
 * api-key rotator's own clean-up.
 */
import { request } from 'node:https';
import { createRotationHandler } from '@rotators/core';
import { createSecret, ensureRotationFunction, type KeyApiServer, readSecret, RotationService, secretsManagerClient, startKeyApi } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyRotator } from '../../api-key/src/rotator.ts';
import { anHourLater, cli, type CrashPoint, CRASH_POINTS, provesStuckRepair, stopAfter } from './helpers.ts';

let api: KeyApiServer;
let env: Record<string, string>;

beforeAll(async () => {
  api = await startKeyApi();
  env = { API_CA_BUNDLE_PATH: api.certificates!.caCertFile, API_ALLOWED_HOSTS: new URL(api.baseUrl).host, API_RETRY_BASE_DELAY_MS: '20' };
});
afterAll(async () => api?.stop());

/** GET /whoami with this key, straight over HTTPS. */
function statusWith(key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${api.baseUrl}/whoami`, { ca: api.certificates!.caCert, headers: { authorization: `Bearer ${key}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function setUp() {
  const client = secretsManagerClient(motoEndpoint());
  const handler = createRotationHandler(createApiKeyRotator({ env }), { client, env: {} });
  const service = new RotationService({ client, invoke: handler, rotationLambdaArn: await ensureRotationFunction(motoEndpoint()), maxAttempts: 1 });
  const account = api.createAccount({ maxActiveKeys: 5 });
  const secretId = await createSecret(client, { apiKey: account.key, keyId: account.keyId, baseUrl: api.baseUrl }, 'cli-api-key');
  const currentWorks = async () => statusWith((await readSecret<{ apiKey: string }>(client, secretId, 'AWSCURRENT'))!.apiKey).then((s) => s === 200);
  return { client, service, secretId, account, currentWorks };
}

describe('api-key: stuck rotations', () => {
  for (const step of CRASH_POINTS as readonly CrashPoint[]) {
    it(`after ${step}: the new key already authenticates, so repair finishes the rotation forward`, async () => {
      const { client, service, secretId, currentWorks } = await setUp();
      await service.rotate(secretId);
      const token = await stopAfter(service, client, secretId, step);
      const pending = (await readSecret<{ keyId: string }>(client, secretId, 'AWSPENDING', token))!;
      const { repaired } = await provesStuckRepair(
        { client, service, secretId, token, env, currentWorks },
        { explains: /stopped before finishSecret: AWSPENDING already works on the key API and passes the testSecret check/, action: 'finish' },
      );
      expect(repaired.json.after.stages[token]).toEqual(['AWSCURRENT']);
      expect(pending.keyId).toBeTruthy();
    });
  }

  it('createSecret whose reply was lost: the label is removed and the key the provider made is revoked', async () => {
    const { client, service, secretId, account, currentWorks } = await setUp();
    await service.rotate(secretId);
    const current = (await readSecret<{ keyId: string }>(client, secretId, 'AWSCURRENT'))!;
    const previous = (await readSecret<{ keyId: string }>(client, secretId, 'AWSPREVIOUS'))!;
    api.injectFault({ route: 'POST /keys', fault: { kind: 'lost-reply', replaceWith: 502 } });
    const token = await service.start(secretId);
    await expect(service.runStep(secretId, 'createSecret', token)).rejects.toThrow();
    const orphan = api.keys(account.accountId).find((k) => k.label?.endsWith(`:${token}`));
    expect(orphan, 'the provider created a key for this rotation').toBeDefined();
    expect(orphan!.revoked).toBeUndefined();

    const doctor = await cli(['doctor', secretId, '--json'], { env, now: anHourLater() });
    const revokeText = doctor.json.actions.find((a: { kind: string }) => a.kind === 'revoke-created-keys').text;
    expect(revokeText).toContain(`neither AWSCURRENT (key ${current.keyId}) nor AWSPREVIOUS (key ${previous.keyId}) holds`);

    const { repaired } = await provesStuckRepair(
      { client, service, secretId, token, env, currentWorks },
      { explains: /stopped before createSecret stored a new value.*The provider may hold a key createSecret created/, action: 'remove-pending', extraActions: ['revoke-created-keys'] },
    );
    const revoked = repaired.json.applied.find((a: { kind: string }) => a.kind === 'revoke-created-keys');
    expect(revoked.detail).toBe(`revoked key ${orphan!.id}`);
    expect(api.keys(account.accountId).find((k) => k.id === orphan!.id)!.revoked).toBeDefined();
    // The keys AWSCURRENT and AWSPREVIOUS held at the time were kept.
    expect(repaired.json.after.stages[current.versionId]).toEqual(['AWSCURRENT']);
    for (const id of [current.keyId, previous.keyId]) expect(api.keys(account.accountId).find((k) => k.id === id)!.revoked).toBeUndefined();
  });
});
