/** Crashes, provider faults and bad input, against the fake key API (real HTTPS) and moto. */
import { randomUUID } from 'node:crypto';
import { PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { capturedOutput, type KeyApiServer, readSecret, startKeyApi } from '@rotators/testkit';
import { ConfusedDeputyError, PendingTestFailedError } from '@rotators/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyApiError } from '../../src/errors.ts';
import { labelFor } from '../../src/labels.ts';
import { createKeyDirectly, expectNoKeyIn, type Fixture, putPending, setUp, statusWith } from '../helpers/harness.ts';

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
    const writes = requestsSince(start)
      .filter((r) => r.method !== 'GET')
      .map((r) => `${r.method} ${r.path} ${r.status}`);
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
  ] as const)(
    'revealKeysOnList %s, answer replaced by %s: the create is not repeated ' +
      "blindly; in the end exactly one active key has this token's label",
    async (revealKeysOnList, replaceWith) => {
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
      const writes = requestsSince(start)
        .filter((r) => r.method !== 'GET')
        .map((r) => `${r.method} ${r.path} ${r.status}`);
      // The retry of createSecret finds the lost key by its label before it creates anything.
      expect(writes).toEqual(revealKeysOnList ? [lost] : [lost, `DELETE /keys/${ours[0]!.id} 204`, 'POST /keys 201']);
      const current = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!;
      expect(current.keyId).toBe(active[0]!.id);
      expect(await statusWith(api, current.apiKey)).toBe(200);
    },
  );
});

describe('provider faults during createSecret', () => {
  it(
    '429 with Retry-After on the create and a transient 500 on ' +
      'the list: retried, the rotation completes in one attempt',
    async () => {
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
    },
  );

  it(
    'a 500 on the create POST is not repeated within the attempt (it ' +
      'may have created a key); the next attempt completes with one key',
    async () => {
      const fx = await setUp(api);
      const start = api.requests().length;
      api.injectFault({ route: 'POST /keys', fault: { kind: 'status', status: 500 } });
      const { attempts, token, failures } = await fx.service.rotate(fx.secretId);
      expect(attempts).toBe(2);
      expect(failures[0]).toBeInstanceOf(KeyApiError);
      expect((failures[0] as KeyApiError).message).toMatch(
        /^POST \/keys answered HTTP 500 to a call with the current key \[server\]/,
      );
      expect(
        requestsSince(start)
          .filter((r) => r.method === 'POST')
          .map((r) => r.status),
      ).toEqual([500, 201]);
      expectNoKeyIn(failures[0], [fx.account.key]);
      expect(api.keys(fx.account.accountId).filter((k) => k.label.endsWith(token))).toHaveLength(1);
    },
  );

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
    expect((error as Error).message).toContain(
      'GET /keys answered HTTP 429 to a call with the current key; a wait ' +
        'of 30 s does not fit in the time left for this step [rate-limited]',
    );
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
    expect((error as Error).message).toContain(
      'GET /keys answered HTTP 401 to a call with the current key: the provider does not accept this key',
    );
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
    expect((error as Error).message).toMatch(
      /GET \/keys failed with [A-Z_]+ on a call with the current key: the certificate is not trusted/,
    );
    expect(requestsSince(start)).toEqual([]);
    expect(fx.probe.count('PutSecretValueCommand')).toBe(0);
    expectNoKeyIn(error, [fx.account.key]);
  });
});

describe('bad input the rotator must refuse', () => {
  it.each([
    ['baseUrl', { baseUrl: 'http://127.0.0.1:1/keys' }, {}],
    ['api.keyPath', { api: { keyPath: '/keys' } }, { API_SECRET_SETTINGS: 'true' }],
    ['provider', { provider: 'acme' }, {}],
    // Without API_SECRET_SETTINGS a secret may not choose how the rotator talks to the provider.
    ['api', { api: { testPath: '/whoami' } }, {}],
    ['provider', { provider: 'sendgrid' }, {}],
  ])(
    'a current value with a bad %s: SecretValueError naming it, no request, nothing written',
    async (field, override, env) => {
      const fx = await setUp(api, { secret: override, env });
      const start = api.requests().length;
      const token = await fx.service.start(fx.secretId);
      const error = await fx.service.runStep(fx.secretId, 'createSecret', token).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'SecretValueError', fields: [field] });
      expect((error as Error).message).toContain(fx.secretId);
      expect(requestsSince(start)).toEqual([]);
      expect(fx.probe.count('PutSecretValueCommand')).toBe(0);
      expectNoKeyIn(error, [fx.account.key]);
    },
  );

  // With API_SECRET_SETTINGS, so that provider and api are accepted by the schema and the guard is what refuses them.
  it.each([
    ['baseUrl', (base: string) => ({ baseUrl: `${base}/elsewhere` })],
    ['provider', () => ({ provider: 'sendgrid' })],
    ['api', () => ({ api: { keyPath: '/admin/keys/{id}' } })],
  ])(
    'a pending value with another %s: ConfusedDeputyError at setSecret and testSecret, no request sent',
    async (field, override) => {
      const fx = await setUp(api, { env: { API_SECRET_SETTINGS: 'true' } });
      const current = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!;
      const token = await fx.service.start(fx.secretId);
      await putPending(fx, token, {
        apiKey: current.apiKey,
        keyId: current.keyId,
        baseUrl: api.baseUrl,
        previousKeyId: current.keyId,
        ...override(api.baseUrl),
      });
      const start = api.requests().length;
      await fx.service.runStep(fx.secretId, 'createSecret', token); // pending exists: nothing to do
      for (const step of ['setSecret', 'testSecret'] as const) {
        const error = await fx.service.runStep(fx.secretId, step, token).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConfusedDeputyError);
        // The engine's guard names the top-level field ("api"), the rotator's own one the setting ("api.keyPath").
        expect((error as ConfusedDeputyError).field).toMatch(new RegExp(`^${field}(\\.|$)`));
        expect((error as Error).message).toContain(`"${(error as ConfusedDeputyError).field}"`);
        expectNoKeyIn(error, [current.apiKey]);
      }
      expect(requestsSince(start)).toEqual([]);
      expect(fx.probe.count('PutSecretValueCommand')).toBe(0);
      expect(fx.probe.count('UpdateSecretVersionStageCommand')).toBe(0);
    },
  );

  it(
    'at finishSecret, an AWSCURRENT written by hand with another base URL: the engine ' +
      'refuses the promotion (pending no longer follows AWSCURRENT), nothing is revoked',
    async () => {
      const fx = await setUp(api, { env: { API_REVOKE_INITIAL_KEY: 'true' }, account: { maxActiveKeys: 5 } });
      const victim = await createKeyDirectly(api, fx.account.key, 'made-by-a-person');
      const token = await fx.service.start(fx.secretId);
      for (const step of ['createSecret', 'setSecret', 'testSecret'] as const)
        await fx.service.runStep(fx.secretId, step, token);
      const current = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!;
      // Someone rewrites AWSCURRENT between testSecret and finishSecret; its previousKeyId names a key no rotator made.
      const handWritten = randomUUID();
      await fx.sm.send(
        new PutSecretValueCommand({
          SecretId: fx.secretId,
          ClientRequestToken: handWritten,
          SecretString: JSON.stringify({
            apiKey: current.apiKey,
            keyId: current.keyId,
            baseUrl: `${api.baseUrl}/elsewhere`,
            previousKeyId: victim.id,
          }),
          VersionStages: ['HANDWRITTEN'],
        }),
      );
      await fx.sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: fx.secretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: handWritten,
          RemoveFromVersionId: current.versionId,
        }),
      );
      const start = api.requests().length;
      const error = await fx.service.runStep(fx.secretId, 'finishSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfusedDeputyError);
      expect(error).toMatchObject({ field: 'baseUrl', step: 'finishSecret' });
      expect((await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!.versionId).toBe(handWritten);
      expect(requestsSince(start)).toEqual([]);
      expect(api.keys(fx.account.accountId).filter((k) => k.revoked)).toEqual([]);
    },
  );

  it(
    "an AWSCURRENT keyId that is not a key of the account ('; DROP USER admin; --): " +
      'ConfusedDeputyError naming keyId in every attempt, no key created or revoked, nothing written',
    async () => {
      const fx = await setUp(api, {
        secret: { keyId: "'; DROP USER admin; --", previousKeyId: 'key_0' },
        account: { maxActiveKeys: 5 },
        maxAttempts: 3,
      });
      const start = api.requests().length;
      const failed = await fx.service.rotate(fx.secretId).catch((e: { failures: unknown[] }) => e);
      expect(failed.failures).toHaveLength(3);
      for (const error of failed.failures) {
        expect(error).toBeInstanceOf(ConfusedDeputyError);
        expect(error).toMatchObject({ field: 'keyId', step: 'createSecret' });
        expect((error as Error).message).toContain(
          `AWSCURRENT names a keyId that the current key's account does not list`,
        );
        expect((error as Error).message).toContain(fx.secretId);
        expectNoKeyIn(error, [fx.account.key]);
      }
      // One list per attempt, and nothing that creates or deletes a key.
      expect(requestsSince(start).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /keys', 'GET /keys', 'GET /keys']);
      expect(api.keys(fx.account.accountId)).toHaveLength(1);
      expect(fx.probe.count('PutSecretValueCommand')).toBe(0);
    },
  );

  it.each([
    ['apiKey', (key: string) => ({ apiKey: `${key}\u0000` })],
    ['apiKey', (key: string) => ({ apiKey: `${key}\r\nX-Injected: 1` })],
    ['keyId', () => ({ keyId: 'key_1\n' })],
    ['previousKeyId', () => ({ previousKeyId: 'key_0\u007f' })],
    ['baseUrl', () => ({ baseUrl: 'https://127.0.0.\t1:1' })],
  ])(
    'an AWSCURRENT %s with a control character: SecretValueError naming it, no request sent, nothing written',
    async (field, override) => {
      const fx = await setUp(api, { secret: override(api.createAccount().key), maxAttempts: 1 });
      const start = api.requests().length;
      const failed = await fx.service.rotate(fx.secretId).catch((e: { failures: unknown[] }) => e);
      const error = failed.failures[0];
      expect(error).toMatchObject({ name: 'SecretValueError', fields: [field], step: 'createSecret' });
      expect((error as Error).message).toContain(`"${field}": must`);
      expect(requestsSince(start)).toEqual([]);
      expect(fx.probe.count('PutSecretValueCommand')).toBe(0);
    },
  );

  it(
    'an AWSPENDING apiKey with a trailing NUL: SecretValueError naming ' +
      'it at setSecret and testSecret, no request sent, no promotion',
    async () => {
      const fx = await setUp(api);
      const current = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!;
      const token = await fx.service.start(fx.secretId);
      await fx.service.runStep(fx.secretId, 'createSecret', token);
      const pending = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSPENDING', token))!;
      const { versionId: _v, ...value } = pending;
      await putPending(fx, token, { ...value, apiKey: `${pending.apiKey}\u0000` });
      const start = api.requests().length;
      for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const) {
        const error = await fx.service.runStep(fx.secretId, step, token).catch((e: unknown) => e);
        expect(error).toMatchObject({ name: 'SecretValueError', fields: ['apiKey'], step });
      }
      expect(requestsSince(start)).toEqual([]);
      expect((await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!.versionId).toBe(current.versionId);
    },
  );

  describe(
    'a planted pending value (someone with PutSecretValue): ' +
      'ConfusedDeputyError at testSecret, no promotion, nothing revoked',
    () => {
      type Plant = (fx: Fixture, current: KeySecret, token: string) => Promise<Record<string, unknown>>;
      const cases: Array<[string, string, Plant]> = [
        [
          'the bootstrap key of a second account',
          'keyId',
          async (_fx, current) => {
            const other = api.createAccount();
            return { apiKey: other.key, keyId: other.keyId, previousKeyId: current.keyId };
          },
        ],
        [
          "a key of a second account that carries this rotation's label",
          'apiKey',
          async (fx, current, token) => {
            const other = api.createAccount();
            const planted = await createKeyDirectly(api, other.key, labelFor(fx.secretId, token));
            return { apiKey: planted.key, keyId: planted.id, previousKeyId: current.keyId };
          },
        ],
        [
          'an initialKeyIds naming a key no version named (to be revoked later)',
          'initialKeyIds',
          async (fx, current, token) => {
            const made = await createKeyDirectly(api, current.apiKey, labelFor(fx.secretId, token));
            const victim = await createKeyDirectly(api, current.apiKey, 'made-by-a-person');
            return { apiKey: made.key, keyId: made.id, previousKeyId: current.keyId, initialKeyIds: [victim.id] };
          },
        ],
        [
          'a previousKeyId that is not the key AWSCURRENT holds',
          'previousKeyId',
          async (fx, current, token) => {
            const made = await createKeyDirectly(api, current.apiKey, labelFor(fx.secretId, token));
            return { apiKey: made.key, keyId: made.id, previousKeyId: 'key_not_made_by_a_rotator' };
          },
        ],
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
    },
  );

  it(
    'a pending key the provider refuses fails testSecret with ' +
      'PendingTestFailedError, without the key or the axios error',
    async () => {
      const fx = await setUp(api);
      const token = await fx.service.start(fx.secretId);
      await fx.service.runStep(fx.secretId, 'createSecret', token);
      const pending = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSPENDING', token))!;
      api.injectFault({ route: 'GET /whoami', fault: { kind: 'status', status: 403 } });
      const error = await fx.service.runStep(fx.secretId, 'testSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PendingTestFailedError);
      expect((error as Error).message).toContain(
        `The pending key (id ${pending.keyId}) does not work: GET ` +
          '/whoami answered HTTP 403 to a call with the pending key',
      );
      expectNoKeyIn(error, [pending.apiKey, fx.account.key]);
    },
  );
});
