/**
 * RotateSecret with RotateImmediately=false (Terraform's rotate_immediately = false): only
 * testSecret runs, with no new key. The rotator proves the current key works and can manage keys,
 * and creates or revokes nothing.
 */
import { type KeyApiServer, startKeyApi } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUp } from '../helpers/harness.ts';

let api: KeyApiServer;
beforeAll(async () => {
  api = await startKeyApi();
});
afterAll(async () => api?.stop());

describe('configuration test (testSecret alone)', () => {
  it('calls the API with the current key only to read, and changes no key', async () => {
    const fx = await setUp(api);
    const before = api.keys(fx.account.accountId);
    const requestsBefore = api.requests().length;

    await fx.service.testOnly(fx.secretId);

    const requests = api.requests().slice(requestsBefore);
    expect(requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['GET /whoami 200', 'GET /keys 200']);
    expect(requests.every((r) => r.keyId === fx.account.keyId)).toBe(true);
    expect(api.keys(fx.account.accountId)).toEqual(before);
    expect(fx.probe.count('PutSecretValueCommand')).toBe(0);
  });

  it('fails when the current key no longer works', async () => {
    const fx = await setUp(api);
    api.injectFault({ route: 'GET /whoami', fault: { kind: 'status', status: 401 }, times: Infinity });
    try {
      await expect(fx.service.testOnly(fx.secretId)).rejects.toThrow(/401/);
    } finally {
      api.clearFaults();
    }
    expect(api.requests().some((r) => r.method === 'POST' || r.method === 'DELETE')).toBe(false);
  });
});
