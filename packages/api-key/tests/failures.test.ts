/** Crashes, provider faults and bad input, against the fake key API (real HTTPS) and moto. */
import { randomUUID } from 'node:crypto';
import { PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { capturedOutput, type KeyApiServer, readSecret, startKeyApi } from '@rotators/testkit';
import { ConfusedDeputyError, PendingTestFailedError } from '@rotators/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyApiError } from '../src/errors.ts';
import { labelFor } from '../src/labels.ts';
import { createKeyDirectly, expectNoKeyIn, type Fixture, putPending, setUp, statusWith } from './helpers.ts';

let api: KeyApiServer;
beforeAll(async () => {
  api = await startKeyApi();
});
afterAll(async () => api?.stop());

type KeySecret = { apiKey: string; keyId: string; baseUrl: string; versionId?: string };
const crash = () => Object.assign(new Error('simulated crash before PutSecretValue'), { name: 'SimulatedCrash' });
const requestsSince = (start: number) => api.requests().slice(start);

describe('crash between key creation and PutSecretValue', () => {
  it('the retry finds the key by its label and stores it: exactly one key was created', async () => {
    const fx = await setUp(api, { account: { revealKeysOnList: true } });
    fx.probe.failNext('PutSecretValueCommand', crash());
    const { token, attempts } = await fx.service.rotate(fx.secretId);
    expect(attempts).toBe(2);
    const ours = api.keys(fx.account.accountId).filter((k) => k.label.endsWith(token));
    expect(ours).toHaveLength(1);
    const current = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!;
    expect(current.keyId).toBe(ours[0]!.id);
    expect(await statusWith(api, current.apiKey)).toBe(200);
    expect(capturedOutput()).toContain('reusing the key an earlier attempt created');
  });

  it('when the provider never shows a key again, the orphan is revoked and exactly one new key is active', async () => {
    const fx = await setUp(api, { account: { revealKeysOnList: false } });
    fx.probe.failNext('PutSecretValueCommand', crash());
    const start = api.requests().length;
    const { token, attempts } = await fx.service.rotate(fx.secretId);
    expect(attempts).toBe(2);
    const ours = api.keys(fx.account.accountId).filter((k) => k.label.endsWith(token));
    expect(ours).toHaveLength(2);
    const active = ours.filter((k) => !k.revoked);
    expect(active).toHaveLength(1);
    // The orphan is revoked by the retry of createSecret, before it creates the replacement.
    const orphan = ours.find((k) => k.revoked)!;
    const writes = requestsSince(start).filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(writes).toEqual(['POST /keys 201', `DELETE /keys/${orphan.id} 204`, 'POST /keys 201']);
    expect((await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!.keyId).toBe(active[0]!.id);
  });
});

describe('the key is created but the answer is lost (a 502 or a dropped connection after the provider acted)', () => {
  it.each([
    [true, 502],
    [true, 'reset'],
    [false, 502],
    [false, 'reset'],
  ] as const)('revealKeysOnList %s, answer replaced by %s: the create is not repeated blindly; in the end exactly one active key has this token\'s label', async (revealKeysOnList, replaceWith) => {
    const fx = await setUp(api, { account: { revealKeysOnList, maxActiveKeys: 5 } });
    const start = api.requests().length;
    api.injectFault({ route: 'POST /keys', fault: { kind: 'lost-reply', replaceWith } });
    const { token, attempts, failures } = await fx.service.rotate(fx.secretId);
    expect(attempts).toBe(2);
    expect(failures[0]).toMatchObject({ name: 'KeyApiError', method: 'POST', path: '/keys' });
    expectNoKeyIn(failures[0], [fx.account.key]);
    const ours = api.keys(fx.account.accountId).filter((k) => k.label.endsWith(token));
    const active = ours.filter((k) => !k.revoked);
    expect(active).toHaveLength(1);
    // Shown on list: the lost key is reused. Never shown again: it is revoked and replaced.
    expect(ours).toHaveLength(revealKeysOnList ? 1 : 2);
    const lost = `POST /keys ${replaceWith === 'reset' ? 0 : 502}`;
    const writes = requestsSince(start).filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path} ${r.status}`);
    // The retry of createSecret finds the lost key by its label before it creates anything.
    expect(writes).toEqual(revealKeysOnList ? [lost] : [lost, `DELETE /keys/${ours[0]!.id} 204`, 'POST /keys 201']);
    const current = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!;
    expect(current.keyId).toBe(active[0]!.id);
    expect(await statusWith(api, current.apiKey)).toBe(200);
  });
});

describe('provider faults during createSecret', () => {
  it('429 with Retry-After on the create and a transient 500 on the list: retried, the rotation completes in one attempt', async () => {
    const fx = await setUp(api);
    const start = api.requests().length;
    api.injectFault({ route: 'GET /keys', fault: { kind: 'status', status: 500 } });
    api.injectFault({ route: 'POST /keys', fault: { kind: 'status', status: 429, retryAfterSeconds: 1 } });
    const { attempts, token } = await fx.service.rotate(fx.secretId);
    expect(attempts).toBe(1);
    const seen = requestsSince(start).map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(seen.slice(0, 4)).toEqual(['GET /keys 500', 'GET /keys 200', 'POST /keys 429', 'POST /keys 201']);
    const waits = capturedOutput()
      .split('\n')
      .filter((l) => l.includes(token) && l.includes('retrying'))
      .map((l) => JSON.parse(l) as { status: number; delayMs: number });
    expect(waits.map((w) => w.status)).toEqual([500, 429]);
    expect(waits[1]!.delayMs).toBeGreaterThanOrEqual(1000); // Retry-After honoured
    expect(api.keys(fx.account.accountId).filter((k) => k.label.endsWith(token))).toHaveLength(1);
  });

  it('a 500 on the create POST is not repeated within the attempt (it may have created a key); the next attempt completes with one key', async () => {
    const fx = await setUp(api);
    const start = api.requests().length;
    api.injectFault({ route: 'POST /keys', fault: { kind: 'status', status: 500 } });
    const { attempts, token, failures } = await fx.service.rotate(fx.secretId);
    expect(attempts).toBe(2);
    expect(failures[0]).toBeInstanceOf(KeyApiError);
    expect((failures[0] as KeyApiError).message).toMatch(/^POST \/keys answered HTTP 500 to a call with the current key \[server\]/);
    expect(requestsSince(start).filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([500, 201]);
    expectNoKeyIn(failures[0], [fx.account.key]);
    expect(api.keys(fx.account.accountId).filter((k) => k.label.endsWith(token))).toHaveLength(1);
  });

  it('a slow answer past the request timeout and a dropped connection are retried for idempotent calls', async () => {
    const fx = await setUp(api, { env: { API_REQUEST_TIMEOUT_SECONDS: '1' } });
    api.injectFault({ route: 'GET /keys', fault: { kind: 'slow', delayMs: 1500 } });
    api.injectFault({ route: 'GET /whoami', fault: { kind: 'reset' } });
    const { attempts, token } = await fx.service.rotate(fx.secretId);
    expect(attempts).toBe(1);
    const retried = capturedOutput()
      .split('\n')
      .filter((l) => l.includes(token) && l.includes('retrying'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(retried).toEqual([
      expect.objectContaining({ step: 'createSecret', method: 'GET', path: '/keys', code: 'ETIMEDOUT' }),
      expect.objectContaining({ step: 'testSecret', method: 'GET', path: '/whoami', code: 'ECONNRESET' }),
    ]);
  });

  it('a Retry-After longer than the step budget fails at once with a clear error instead of waiting', async () => {
    const fx = await setUp(api, { env: { API_STEP_TIMEOUT_SECONDS: '5' } });
    api.injectFault({ route: 'GET /keys', fault: { kind: 'status', status: 429, retryAfterSeconds: 30 } });
    const token = await fx.service.start(fx.secretId);
    const error = await fx.service.runStep(fx.secretId, 'createSecret', token).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'KeyApiError', kind: 'rate-limited', status: 429 });
    expect((error as Error).message).toContain('GET /keys answered HTTP 429 to a call with the current key; a wait of 30 s does not fit in the time left for this step [rate-limited]');
    expect(fx.probe.count('PutSecretValueCommand')).toBe(0);
  });

  it('a permanent 401 with the current key: a clear error, nothing written, no key created', async () => {
    const fx = await setUp(api);
    // Someone revoked the key the secret holds.
    api.injectFault({ route: '* *', fault: { kind: 'status', status: 401 }, times: Infinity });
    const start = api.requests().length;
    const token = await fx.service.start(fx.secretId);
    const error = await fx.service.runStep(fx.secretId, 'createSecret', token).catch((e: unknown) => e);
    api.clearFaults();
    expect(error).toBeInstanceOf(KeyApiError);
    expect(error).toMatchObject({ kind: 'authentication', status: 401, method: 'GET', path: '/keys' });
    expect((error as Error).message).toContain('GET /keys answered HTTP 401 to a call with the current key: the provider does not accept this key');
    expect((error as Error).message).toContain(fx.secretId);
    expect(fx.probe.count('PutSecretValueCommand')).toBe(0);
    expect(requestsSince(start).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /keys']); // not retried, no POST
    expect(api.keys(fx.account.accountId)).toHaveLength(1);
    expectNoKeyIn(error, [fx.account.key]);
  });

  it('a certificate from a CA the function does not trust: a TLS error, nothing sent', async () => {
    const fx = await setUp(api, { env: { API_CA_BUNDLE_PATH: api.certificates!.otherCaCertFile } });
    const start = api.requests().length;
    const token = await fx.service.start(fx.secretId);
    const error = await fx.service.runStep(fx.secretId, 'createSecret', token).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'KeyApiError', kind: 'tls' });
    expect((error as Error).message).toMatch(/GET \/keys failed with [A-Z_]+ on a call with the current key: the certificate is not trusted/);
    expect(requestsSince(start)).toEqual([]);
    expect(fx.probe.count('PutSecretValueCommand')).toBe(0);
    expectNoKeyIn(error, [fx.account.key]);
  });
});

describe('bad input the rotator must refuse', () => {
  it.each([
    ['baseUrl', { baseUrl: 'http://127.0.0.1:1/keys' }],
    ['api.keyPath', { api: { keyPath: '/keys' } }],
    ['provider', { provider: 'acme' }],
  ])('a current value with a bad %s: SecretValueError naming it, no request, nothing written', async (field, override) => {
    const fx = await setUp(api, { secret: override });
    const start = api.requests().length;
    const token = await fx.service.start(fx.secretId);
    const error = await fx.service.runStep(fx.secretId, 'createSecret', token).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SecretValueError', fields: [field] });
    expect((error as Error).message).toContain(fx.secretId);
    expect(requestsSince(start)).toEqual([]);
    expect(fx.probe.count('PutSecretValueCommand')).toBe(0);
    expectNoKeyIn(error, [fx.account.key]);
  });

  it.each([
    ['baseUrl', (base: string) => ({ baseUrl: `${base}/elsewhere` }), (base: string) => `AWSPENDING names baseUrl ${base}/elsewhere, another base URL (${base}) than AWSCURRENT`],
    ['provider', () => ({ provider: 'sendgrid' }), () => 'AWSPENDING names provider "sendgrid", another provider ("generic") than AWSCURRENT'],
    ['api.keyPath', () => ({ api: { keyPath: '/admin/keys/{id}' } }), () => 'AWSPENDING has another api.keyPath setting than AWSCURRENT'],
  ])('a pending value with another %s: ConfusedDeputyError at setSecret and testSecret, no request sent', async (field, override, message) => {
    const fx = await setUp(api);
    const current = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!;
    const token = await fx.service.start(fx.secretId);
    await putPending(fx, token, { apiKey: current.apiKey, keyId: current.keyId, baseUrl: api.baseUrl, previousKeyId: current.keyId, ...override(api.baseUrl) });
    const start = api.requests().length;
    await fx.service.runStep(fx.secretId, 'createSecret', token); // pending exists: nothing to do
    for (const step of ['setSecret', 'testSecret'] as const) {
      const error = await fx.service.runStep(fx.secretId, step, token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfusedDeputyError);
      // The engine's guard names the top-level field ("api"), the rotator's own one the setting ("api.keyPath").
      expect((error as ConfusedDeputyError).field).toMatch(new RegExp(`^${field.split('.')[0]}(\\.|$)`));
      expect((error as Error).message).toContain(`"${(error as ConfusedDeputyError).field}"`);
      void message;
      expectNoKeyIn(error, [current.apiKey]);
    }
    expect(requestsSince(start)).toEqual([]);
    expect(fx.probe.count('PutSecretValueCommand')).toBe(0);
    expect(fx.probe.count('UpdateSecretVersionStageCommand')).toBe(0);
  });

  it('at finishSecret, an AWSCURRENT written by hand with another base URL: the engine refuses the promotion (pending no longer follows AWSCURRENT), nothing is revoked', async () => {
    const fx = await setUp(api, { env: { API_REVOKE_INITIAL_KEY: 'true' }, account: { maxActiveKeys: 5 } });
    const victim = await createKeyDirectly(api, fx.account.key, 'made-by-a-person');
    const token = await fx.service.start(fx.secretId);
    for (const step of ['createSecret', 'setSecret', 'testSecret'] as const) await fx.service.runStep(fx.secretId, step, token);
    const current = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!;
    // Someone rewrites AWSCURRENT between testSecret and finishSecret; its previousKeyId names a key no rotator made.
    const handWritten = randomUUID();
    await fx.sm.send(new PutSecretValueCommand({
      SecretId: fx.secretId,
      ClientRequestToken: handWritten,
      SecretString: JSON.stringify({ apiKey: current.apiKey, keyId: current.keyId, baseUrl: `${api.baseUrl}/elsewhere`, previousKeyId: victim.id }),
      VersionStages: ['HANDWRITTEN'],
    }));
    await fx.sm.send(new UpdateSecretVersionStageCommand({ SecretId: fx.secretId, VersionStage: 'AWSCURRENT', MoveToVersionId: handWritten, RemoveFromVersionId: current.versionId }));
    const start = api.requests().length;
    const error = await fx.service.runStep(fx.secretId, 'finishSecret', token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfusedDeputyError);
    expect(error).toMatchObject({ field: 'baseUrl', step: 'finishSecret' });
    expect((await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!.versionId).toBe(handWritten);
    expect(requestsSince(start)).toEqual([]);
    expect(api.keys(fx.account.accountId).filter((k) => k.revoked)).toEqual([]);
  });

  describe('a planted pending value (someone with PutSecretValue): ConfusedDeputyError at testSecret, no promotion, nothing revoked', () => {
    type Plant = (fx: Fixture, current: KeySecret, token: string) => Promise<Record<string, unknown>>;
    const cases: Array<[string, string, Plant]> = [
      ['the bootstrap key of a second account', 'keyId', async (_fx, current) => {
        const other = api.createAccount();
        return { apiKey: other.key, keyId: other.keyId, previousKeyId: current.keyId };
      }],
      ['a key of a second account that carries this rotation\'s label', 'apiKey', async (fx, current, token) => {
        const other = api.createAccount();
        const planted = await createKeyDirectly(api, other.key, labelFor(fx.secretId, token));
        return { apiKey: planted.key, keyId: planted.id, previousKeyId: current.keyId };
      }],
      ['a previousKeyId that is not the key AWSCURRENT holds', 'previousKeyId', async (fx, current, token) => {
        const made = await createKeyDirectly(api, current.apiKey, labelFor(fx.secretId, token));
        return { apiKey: made.key, keyId: made.id, previousKeyId: 'key_not_made_by_a_rotator' };
      }],
    ];
    it.each(cases)('%s: names %s', async (_what, field, plant) => {
      const fx = await setUp(api, { env: { API_REVOKE_INITIAL_KEY: 'true' }, account: { maxActiveKeys: 5 } });
      const current = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!;
      const token = await fx.service.start(fx.secretId);
      await putPending(fx, token, { ...(await plant(fx, current, token)), baseUrl: api.baseUrl });
      const start = api.requests().length;
      await fx.service.runStep(fx.secretId, 'createSecret', token); // pending exists: nothing to do
      await fx.service.runStep(fx.secretId, 'setSecret', token);
      const error = await fx.service.runStep(fx.secretId, 'testSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfusedDeputyError);
      expect(error).toMatchObject({ field });
      expect((error as Error).message).toContain(`refusing to promote it (field "${field}")`);
      expect((error as Error).message).toContain(fx.secretId);
      expectNoKeyIn(error, [current.apiKey]);
      expect(fx.probe.count('UpdateSecretVersionStageCommand')).toBe(0);
      expect((await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!.keyId).toBe(current.keyId);
      expect(requestsSince(start).filter((r) => r.method !== 'GET')).toEqual([]);
      expect(api.keys(fx.account.accountId).filter((k) => k.revoked)).toEqual([]);
    });
  });

  it('a pending key the provider refuses fails testSecret with PendingTestFailedError, without the key or the axios error', async () => {
    const fx = await setUp(api);
    const token = await fx.service.start(fx.secretId);
    await fx.service.runStep(fx.secretId, 'createSecret', token);
    const pending = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSPENDING', token))!;
    api.injectFault({ route: 'GET /whoami', fault: { kind: 'status', status: 403 } });
    const error = await fx.service.runStep(fx.secretId, 'testSecret', token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PendingTestFailedError);
    expect((error as Error).message).toContain(`The pending key (id ${pending.keyId}) does not work: GET /whoami answered HTTP 403 to a call with the pending key`);
    expectNoKeyIn(error, [pending.apiKey, fx.account.key]);
  });
});
