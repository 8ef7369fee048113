/** Full rotations of an API key against the fake key API (real HTTPS on loopback) and moto. */
import { capturedOutput, type KeyApiServer, readSecret, startKeyApi } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyApiHttp } from '../../src/http/client.ts';
import type { HttpFactory } from '../../src/connect.ts';
import { createKeyDirectly, setUp, statusWith } from '../helpers/harness.ts';

let api: KeyApiServer;
beforeAll(async () => {
  api = await startKeyApi();
});
afterAll(async () => api?.stop());

type KeySecret = { apiKey: string; keyId: string; previousKeyId?: string; baseUrl: string };

describe('api-key rotation', () => {
  it(
    'rotates three times: each new key works, the previous still ' +
      'works, older keys of ours are revoked, keys of others are not',
    async () => {
      // Default policy: only keys this rotator created are revoked, so the bootstrap key and a key
      // someone else made stay active; the account's limit leaves room for them.
      const fx = await setUp(api, { account: { maxActiveKeys: 5 } });
      const foreign = await createKeyDirectly(api, fx.account.key, 'made-by-a-person');
      const held: KeySecret[] = [(await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!];

      for (let rotation = 1; rotation <= 3; rotation += 1) {
        const { token, attempts } = await fx.service.rotate(fx.secretId);
        expect(attempts).toBe(1);
        const current = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!;
        const previous = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSPREVIOUS'))!;
        expect(current.versionId).toBe(token);
        expect(previous.apiKey).toBe(held.at(-1)!.apiKey);
        expect(current).toMatchObject({ baseUrl: api.baseUrl, previousKeyId: previous.keyId });
        expect(api.keys(fx.account.accountId).find((k) => k.id === current.keyId)?.label).toMatch(
          new RegExp(`^rotators:[0-9a-f]{12}:${token}$`),
        );
        expect(await statusWith(api, current.apiKey)).toBe(200);
        expect(await statusWith(api, previous.apiKey)).toBe(200);
        if (rotation === 3) expect(await statusWith(api, held.at(-2)!.apiKey)).toBe(401);
        held.push(current);
      }
      const active = api
        .keys(fx.account.accountId)
        .filter((k) => !k.revoked)
        .map((k) => k.id);
      expect(active.sort()).toEqual([fx.account.keyId, foreign.id, held[2]!.keyId, held[3]!.keyId].sort());
      expect(api.keys(fx.account.accountId).find((k) => k.id === held[1]!.keyId)?.revoked).toBeInstanceOf(Date);
    },
  );

  it(
    'each step that calls the provider has one HTTP client (one ' +
      'time budget); createSecret lists once; setSecret sends nothing',
    async () => {
      const opened: string[] = [];
      const calls: string[] = [];
      const createHttp: HttpFactory = (options) => {
        opened.push(options.errorContext.step!);
        const http = createKeyApiHttp(options);
        return {
          call: (request) => {
            calls.push(`${options.errorContext.step} ${request.method} ${request.path}`);
            return http.call(request);
          },
        };
      };
      const fx = await setUp(api, { createHttp });
      await fx.service.rotate(fx.secretId);
      await fx.service.rotate(fx.secretId); // now with previousKeyId: the stale-key retry uses the same list
      const oneRotation = [
        'createSecret GET /keys',
        'createSecret POST /keys',
        'testSecret GET /whoami',
        'testSecret GET /keys',
        'finishSecret GET /keys',
      ];
      expect(calls).toEqual([...oneRotation, ...oneRotation]);
      expect(opened).toEqual([
        'createSecret',
        'testSecret',
        'finishSecret',
        'createSecret',
        'testSecret',
        'finishSecret',
      ]);
    },
  );

  it(
    'with API_REVOKE_INITIAL_KEY the bootstrap key is retired too: with ' +
      'a limit of 3 keys, the one before the previous is always revoked',
    async () => {
      const fx = await setUp(api, { env: { API_REVOKE_INITIAL_KEY: 'true' }, account: { maxActiveKeys: 3 } });
      const held: KeySecret[] = [(await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!];
      for (let rotation = 1; rotation <= 3; rotation += 1) {
        await fx.service.rotate(fx.secretId);
        const current = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!;
        expect(await statusWith(api, current.apiKey)).toBe(200);
        expect(await statusWith(api, held.at(-1)!.apiKey)).toBe(200);
        if (held.length >= 2) expect(await statusWith(api, held.at(-2)!.apiKey)).toBe(401);
        held.push(current);
      }
      expect(api.keys(fx.account.accountId).filter((k) => !k.revoked)).toHaveLength(2);
    },
  );

  it(
    'with API_REVOKE_INITIAL_KEY and a limit of 3 keys, a revocation of the initial key that fails at ' +
      'finishSecret (503 through every retry) is retried at the next createSecret, before it creates a key',
    async () => {
      const fx = await setUp(api, { env: { API_REVOKE_INITIAL_KEY: 'true' }, account: { maxActiveKeys: 3 } });
      const bootstrap = fx.account.keyId;
      const first = await fx.service.rotate(fx.secretId);
      const k1 = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!;

      api.injectFault({ route: `DELETE /keys/${bootstrap}`, fault: { kind: 'status', status: 503 }, times: Infinity });
      const second = await fx.service.rotate(fx.secretId);
      api.clearFaults();
      expect(second.attempts).toBe(1); // the promotion stands
      expect(await statusWith(api, fx.account.key)).toBe(200); // bootstrap, K1, K2: the account is at its limit
      expect(
        capturedOutput()
          .split('\n')
          .find((l) => l.includes(second.token) && l.includes('post-promotion clean-up failed')),
      ).toContain(`(${bootstrap})`);
      // The version records the key that is still due, since no label of ours will ever find it.
      expect(
        (await readSecret<KeySecret & { initialKeyIds?: string[] }>(fx.sm, fx.secretId, 'AWSCURRENT'))!.initialKeyIds,
      ).toEqual([bootstrap]);

      const start = api.requests().length;
      const third = await fx.service.rotate(fx.secretId);
      expect(third.attempts).toBe(1);
      expect(await statusWith(api, fx.account.key)).toBe(401);
      const writes = api
        .requests()
        .slice(start)
        .filter((r) => r.method !== 'GET')
        .map((r) => `${r.method} ${r.path} ${r.status}`);
      expect(writes).toEqual([`DELETE /keys/${bootstrap} 204`, 'POST /keys 201', `DELETE /keys/${k1.keyId} 204`]);
      const current = (await readSecret<KeySecret & { initialKeyIds?: string[] }>(fx.sm, fx.secretId, 'AWSCURRENT'))!;
      expect(current.initialKeyIds).toBeUndefined(); // revoked: no longer carried
      const warnings = capturedOutput()
        .split('\n')
        .filter(
          (l) =>
            l.includes('"level":"WARN"') &&
            l.includes('API_REVOKE_INITIAL_KEY=true: revoking a key this rotator did not make'),
        );
      expect(
        warnings.filter((l) => l.includes(third.token) && l.includes('"step":"createSecret"') && l.includes(bootstrap)),
      ).toHaveLength(1);
      expect(first.attempts).toBe(1);
    },
  );

  it(
    'a revoke that fails after the promotion is logged, ' + 'never undoes it, and is retried at the next rotation',
    async () => {
      const fx = await setUp(api, { account: { maxActiveKeys: 4 } });
      await fx.service.rotate(fx.secretId);
      await fx.service.rotate(fx.secretId);
      const k1 = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSPREVIOUS'))!;

      api.injectFault({ route: 'DELETE /keys/*', fault: { kind: 'status', status: 503 }, times: Infinity });
      const third = await fx.service.rotate(fx.secretId);
      api.clearFaults();
      expect(third.attempts).toBe(1);
      expect((await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!.versionId).toBe(third.token);
      expect(await statusWith(api, k1.apiKey)).toBe(200); // should have been revoked, could not be
      const failureLog = capturedOutput()
        .split('\n')
        .find((l) => l.includes(third.token) && l.includes('post-promotion clean-up failed'));
      expect(failureLog).toContain(`Could not revoke 1 old key(s) (${k1.keyId})`);
      const warning = capturedOutput()
        .split('\n')
        .find((l) => l.includes(third.token) && l.includes('Could not revoke an old API key'));
      expect(JSON.parse(warning!).error.message).toContain(
        `DELETE /keys/${k1.keyId} answered HTTP 503 to a call with the current key; after 3 retries [server]`,
      );

      // Four keys are active (bootstrap, K1, K2, K3) = the limit: the next rotation must revoke K1
      // before it can create.
      const fourth = await fx.service.rotate(fx.secretId);
      expect(fourth.attempts).toBe(1);
      expect(await statusWith(api, k1.apiKey)).toBe(401);
      const [current, previous] = [
        await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'),
        await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSPREVIOUS'),
      ];
      const active = api
        .keys(fx.account.accountId)
        .filter((k) => !k.revoked)
        .map((k) => k.id);
      expect(active.sort()).toEqual([fx.account.keyId, previous!.keyId, current!.keyId].sort());
    },
  );

  it(
    'the generic adapter set up from the environment (X-Api-Key, no scheme) and, ' +
      "with API_SECRET_SETTINGS, the secret's api fields (which win; one WARN)",
    async () => {
      const fx = await setUp(api, {
        env: {
          API_AUTH_HEADER: 'X-Api-Key',
          API_AUTH_SCHEME: 'none',
          API_TEST_PATH: '/nowhere',
          API_SECRET_SETTINGS: 'true',
        },
        secret: { api: { testPath: '/whoami' } },
      });
      const start = api.requests().length;
      const { attempts } = await fx.service.rotate(fx.secretId);
      expect(attempts).toBe(1);
      const seen = api.requests().slice(start);
      expect(seen.map((r) => r.path)).toContain('/whoami');
      expect(seen.map((r) => r.path)).not.toContain('/nowhere');
      // The fake API accepts a bare key only in X-Api-Key, so every call proves header and scheme.
      expect(seen.every((r) => r.status < 300 && r.authHeader === 'x-api-key')).toBe(true);
      const current = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!;
      expect(await statusWith(api, current.apiKey)).toBe(200);
      // Once per cold start (this handler ran the four steps), not once per step.
      const warnings = capturedOutput()
        .split('\n')
        .filter(
          (l) => l.includes(fx.secretId) && l.includes('"level":"WARN"') && l.includes('API_SECRET_SETTINGS=true'),
        );
      expect(warnings).toHaveLength(1);
    },
  );

  it(
    'a wrong API_KEY_PATH (every revoke a 404) is not taken as "already ' +
      'revoked": the key is still listed, so the clean-up fails loudly',
    async () => {
      const fx = await setUp(api, {
        env: { API_KEY_PATH: '/nokeys/{id}', API_REVOKE_INITIAL_KEY: 'true' },
        account: { maxActiveKeys: 5 },
      });
      await fx.service.rotate(fx.secretId);
      const second = await fx.service.rotate(fx.secretId); // would revoke the bootstrap key
      expect(second.attempts).toBe(1);
      // the promotion stands
      expect((await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!.versionId).toBe(second.token);
      expect(
        api
          .requests()
          .some((r) => r.method === 'DELETE' && r.path === `/nokeys/${fx.account.keyId}` && r.status === 404),
      ).toBe(true);
      expect(await statusWith(api, fx.account.key)).toBe(200); // still active
      const lines = capturedOutput()
        .split('\n')
        .filter((l) => l.includes(second.token));
      expect(lines.find((l) => l.includes('post-promotion clean-up failed'))).toContain(
        `Could not revoke 1 old key(s) (${fx.account.keyId})`,
      );
      expect(lines.find((l) => l.includes('still listed after its revocation'))).toContain(fx.account.keyId);
    },
  );

  it('rotates a key of a SendGrid-shaped API with the named adapter', async () => {
    // A restricted key: a new key asked for without scopes would want full access and be refused.
    const scopes = ['api_keys.create', 'api_keys.delete', 'api_keys.read'];
    const fx = await setUp(api, {
      secret: { provider: 'sendgrid' },
      env: { API_PROVIDER: 'sendgrid', API_REVOKE_INITIAL_KEY: 'true' },
      account: { bootstrapScopes: scopes },
    });
    const bootstrap = fx.account.key;
    await fx.service.rotate(fx.secretId);
    await fx.service.rotate(fx.secretId);
    const current = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!;
    const previous = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSPREVIOUS'))!;
    expect(await statusWith(api, current.apiKey, '/v3/scopes')).toBe(200);
    expect(await statusWith(api, previous.apiKey, '/v3/scopes')).toBe(200);
    expect(await statusWith(api, bootstrap, '/v3/scopes')).toBe(401);
    expect(api.keys(fx.account.accountId).find((k) => k.id === current.keyId)?.scopes).toEqual(scopes);
    const paths = new Set(api.requests().map((r) => `${r.method} ${r.path.replace(/key_[0-9a-f]+/, '{id}')}`));
    expect(paths).toContain('POST /v3/api_keys');
    expect(paths).toContain('DELETE /v3/api_keys/{id}');
  });

  it('SendGrid with another api.testPath still copies the scopes from /v3/scopes', async () => {
    const scopes = ['api_keys.create', 'api_keys.delete', 'api_keys.read'];
    const fx = await setUp(api, {
      secret: { provider: 'sendgrid', api: { testPath: '/v3/api_keys' } },
      env: { API_PROVIDER: 'sendgrid', API_SECRET_SETTINGS: 'true' },
      account: { bootstrapScopes: scopes },
    });
    const { attempts } = await fx.service.rotate(fx.secretId);
    expect(attempts).toBe(1);
    const current = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!;
    expect(api.keys(fx.account.accountId).find((k) => k.id === current.keyId)?.scopes).toEqual(scopes);
  });
});
