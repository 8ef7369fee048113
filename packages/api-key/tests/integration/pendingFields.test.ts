/**
 * Every field but the ones a rotation changes (apiKey, keyId, previousKeyId, initialKeyIds) must be
 * equal in AWSPENDING and AWSCURRENT (the engine's guard, issue #18): a planted pending value that
 * changes any other field, known to the schema or not, is refused at setSecret, testSecret and
 * finishSecret with ConfusedDeputyError naming it; the key API gets no request and no label moves.
 * The cases come from the schema, so a field added later is covered without anyone listing it.
 */
import { ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';
import { ConfusedDeputyError } from '@rotators/core';
import { type KeyApiServer, pendingFieldCases, plantPending, readSecret, startKeyApi } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyRotator } from '../../src/rotator.ts';
import { keyApiEnv, setUp } from '../helpers/harness.ts';

let api: KeyApiServer;
beforeAll(async () => {
  api = await startKeyApi();
});
afterAll(async () => api?.stop());

// With API_SECRET_SETTINGS the schema accepts `api` and `provider`, so the guard is what refuses them.
const env = { API_SECRET_SETTINGS: 'true' };
const extra = { provider: 'generic', api: { testPath: '/whoami' }, owner: 'payments' };

describe('api-key: AWSPENDING may differ from AWSCURRENT only in the rotated fields', () => {
  const rotatedFields = () => createApiKeyRotator({ env: { ...keyApiEnv(api), ...env } }).rotatedFields;
  const casesFor = (current: Record<string, unknown>) => {
    const rotator = createApiKeyRotator({ env: { ...keyApiEnv(api), ...env } });
    return pendingFieldCases(rotator.schema as never, current, rotator.rotatedFields);
  };

  it(
    'rotates only apiKey, keyId, previousKeyId and initialKeyIds; there ' +
      'is a case for every other field of the schema and an unknown one',
    () => {
      expect([...rotatedFields()].sort()).toEqual(['apiKey', 'initialKeyIds', 'keyId', 'previousKeyId']);
      const cases = casesFor({ apiKey: 'sk_test_0123456789', keyId: 'key_1', baseUrl: api.baseUrl, ...extra });
      expect(new Set(cases.map((c) => c.field))).toEqual(
        new Set(['baseUrl', 'provider', 'api', 'owner', 'plantedUnknownField']),
      );
    },
  );

  it('refuses each planted field at every step before any request; nothing written, no label moved', async () => {
    const fx = await setUp(api, { env, secret: extra });
    const current = (await readSecret<Record<string, unknown>>(fx.sm, fx.secretId, 'AWSCURRENT'))!;
    const { versionId: _v, ...currentValue } = current;
    const cases = casesFor(currentValue);
    expect(cases.length).toBeGreaterThanOrEqual(5);
    for (const { field, change, pending } of cases) {
      const token = await fx.service.start(fx.secretId);
      await plantPending(fx.sm, fx.secretId, token, pending);
      const stagesBefore = await stages(fx, fx.secretId);
      const requestsBefore = api.requests().length;
      fx.probe.reset();
      for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const) {
        const error = await fx.service.runStep(fx.secretId, step, token).catch((e: unknown) => e);
        expect(error, `${field} ${change} at ${step}`).toBeInstanceOf(ConfusedDeputyError);
        expect((error as ConfusedDeputyError).field).toBe(field);
        expect((error as Error).message).toContain(fx.secretId);
      }
      expect(api.requests().slice(requestsBefore), `${field} ${change}`).toEqual([]);
      expect(fx.probe.count('PutSecretValueCommand') + fx.probe.count('UpdateSecretVersionStageCommand')).toBe(0);
      expect(await stages(fx, fx.secretId)).toEqual(stagesBefore);
      await fx.service.cleanUpPending(fx.secretId, token);
    }
  });
});

async function stages(fx: Awaited<ReturnType<typeof setUp>>, secretId: string) {
  const listed = await fx.sm.send(new ListSecretVersionIdsCommand({ SecretId: secretId }));
  return Object.fromEntries((listed.Versions ?? []).map((v) => [v.VersionId, [...(v.VersionStages ?? [])].sort()]));
}
