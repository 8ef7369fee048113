/**
 * Key lists in pages (issue #17): an account with more keys than one page holds, this secret's keys
 * on page 3, against the fake key API serving real pages (Link header, next URL, cursor, SendGrid's
 * _metadata.next); and an API that never stops announcing a next page.
 */
import { capturedOutput, type KeyApiServer, readSecret, startKeyApi } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyDirectly, setUp, statusWith } from '../helpers/harness.ts';

let api: KeyApiServer;
beforeAll(async () => {
  api = await startKeyApi();
});
afterAll(async () => api?.stop());

type KeySecret = { apiKey: string; keyId: string; versionId?: string };
const crash = () => Object.assign(new Error('simulated crash before PutSecretValue'), { name: 'SimulatedCrash' });

describe('every page of the key list', () => {
  it.each([
    ['a Link header', 'link', { API_NEXT_PAGE: 'link' }],
    ['a next URL in the answer', 'url', { API_LIST_ITEMS_FIELD: 'data', API_NEXT_PAGE: 'url:links.next' }],
    ['a cursor', 'cursor', { API_LIST_ITEMS_FIELD: 'data', API_NEXT_PAGE: 'cursor:next_cursor:cursor' }],
  ] as const)(
    'pages by %s: keys on page 3 are found (an orphan reused), checked (testSecret) and revoked (clean-up)',
    async (_how, style, paging) => {
      // Two keys a page; the bootstrap key and three keys of people fill pages 1 and 2.
      const fx = await setUp(api, {
        env: { ...paging, API_PAGE_SIZE_PARAM: 'limit', API_PAGE_SIZE: '100' },
        account: { maxActiveKeys: 10, revealKeysOnList: true, listPages: { size: 2, style } },
      });
      const people = [];
      for (const name of ['alice', 'bob', 'carol'])
        people.push(await createKeyDirectly(api, fx.account.key, `made-by-${name}`));

      // Finds: a crash before PutSecretValue; the retry finds its key (page 3) by label and reuses it.
      fx.probe.failNext('PutSecretValueCommand', crash());
      const first = await fx.service.rotate(fx.secretId);
      expect(first.attempts).toBe(2);
      const k1 = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!;
      expect(api.keys(fx.account.accountId).filter((k) => k.label.endsWith(first.token))).toHaveLength(1);
      expect(api.keys(fx.account.accountId).findIndex((k) => k.id === k1.keyId)).toBe(4); // the first key of page 3

      // Checks and revokes: testSecret finds the pending key on page 3; the third rotation revokes K1 there.
      await fx.service.rotate(fx.secretId);
      const start = api.requests().length;
      const third = await fx.service.rotate(fx.secretId);
      expect(third.attempts).toBe(1);
      expect(await statusWith(api, k1.apiKey)).toBe(401);
      const active = api
        .keys(fx.account.accountId)
        .filter((k) => !k.revoked)
        .map((k) => k.label);
      expect(active).toEqual([
        'bootstrap',
        'made-by-alice',
        'made-by-bob',
        'made-by-carol',
        expect.stringMatching(/^rotators:/),
        expect.stringMatching(new RegExp(`${third.token}$`)),
      ]);
      for (const person of people) expect(await statusWith(api, person.key)).toBe(200);

      // Every list is read to its end, asking for big pages: the first request of a list carries limit=100.
      const lists = api
        .requests()
        .slice(start)
        .filter((r) => r.method === 'GET' && r.path === '/keys');
      expect(lists[0]!.query).toContain('limit=100');
      expect(lists.some((r) => /page=3|cursor=/.test(r.query ?? ''))).toBe(true);
    },
  );

  it("SendGrid: follows _metadata.next; this secret's keys on page 3 are checked and revoked", async () => {
    const fx = await setUp(api, {
      env: { API_PROVIDER: 'sendgrid' },
      account: { maxActiveKeys: 10, listPages: { size: 2, style: 'url' } },
    });
    for (const name of ['alice', 'bob', 'carol']) await createKeyDirectly(api, fx.account.key, `made-by-${name}`);
    await fx.service.rotate(fx.secretId);
    const k1 = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!;
    await fx.service.rotate(fx.secretId);
    const third = await fx.service.rotate(fx.secretId);
    expect(third.attempts).toBe(1);
    expect(api.keys(fx.account.accountId).find((k) => k.id === k1.keyId)?.revoked).toBeInstanceOf(Date);
    expect(api.keys(fx.account.accountId).filter((k) => !k.revoked)).toHaveLength(6);
    const lists = api.requests().filter((r) => r.path === '/v3/api_keys' && r.method === 'GET');
    expect(lists.map((r) => r.query)).toContain('limit=100');
    expect(lists.map((r) => r.query)).toContain('limit=2&offset=4');
  });
});

describe('an API that never stops announcing a next page', () => {
  it(
    'createSecret stops at API_MAX_PAGES with a clear error in ' +
      'every attempt: no key created or revoked, nothing written',
    async () => {
      const fx = await setUp(api, {
        env: {
          API_LIST_ITEMS_FIELD: 'data',
          API_NEXT_PAGE: 'cursor:next_cursor:cursor',
          API_MAX_PAGES: '4',
          API_REVOKE_INITIAL_KEY: 'true',
        },
        account: { maxActiveKeys: 10, listPages: { size: 2, style: 'cursor' } },
        maxAttempts: 2,
      });
      await fx.service.rotate(fx.secretId);
      await fx.service.rotate(fx.secretId); // the bootstrap key is revoked here; K1 is due at the next clean-up
      api.setListPages(fx.account.accountId, { size: 2, style: 'cursor', endless: true });
      const before = api.keys(fx.account.accountId);
      const start = api.requests().length;
      const failed = await fx.service.rotate(fx.secretId).catch((e: { failures: unknown[] }) => e);
      for (const error of failed.failures) {
        expect(error).toMatchObject({
          name: 'KeyApiError',
          kind: 'too-many-pages',
          method: 'GET',
          path: '/keys',
          step: 'createSecret',
        });
        expect((error as Error).message).toContain(
          'GET /keys still announced a next page after 4 pages (API_MAX_PAGES); the ' +
            'key list was not read to its end, so no key is created or revoked from it',
        );
      }
      const seen = api.requests().slice(start);
      expect(seen.filter((r) => r.method !== 'GET')).toEqual([]);
      expect(seen).toHaveLength(8); // 4 pages, 2 attempts
      expect(api.keys(fx.account.accountId)).toEqual(before);
      expect(fx.probe.count('PutSecretValueCommand')).toBe(2); // the two successful rotations only
    },
  );

  it(
    'at finishSecret the clean-up stops at the cap: the ' + 'promotion stands, the error is logged, nothing is revoked',
    async () => {
      const fx = await setUp(api, {
        env: { API_LIST_ITEMS_FIELD: 'data', API_NEXT_PAGE: 'cursor:next_cursor:cursor', API_MAX_PAGES: '3' },
        account: { maxActiveKeys: 10, listPages: { size: 2, style: 'cursor' } },
      });
      await fx.service.rotate(fx.secretId);
      await fx.service.rotate(fx.secretId);
      const k1 = (await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSPREVIOUS'))!; // due at the next clean-up
      const token = await fx.service.start(fx.secretId);
      for (const step of ['createSecret', 'setSecret', 'testSecret'] as const)
        await fx.service.runStep(fx.secretId, step, token);
      api.setListPages(fx.account.accountId, { size: 2, style: 'cursor', endless: true });
      const start = api.requests().length;
      await fx.service.runStep(fx.secretId, 'finishSecret', token);
      expect((await readSecret<KeySecret>(fx.sm, fx.secretId, 'AWSCURRENT'))!.versionId).toBe(token);
      expect(
        api
          .requests()
          .slice(start)
          .filter((r) => r.method !== 'GET'),
      ).toEqual([]);
      expect(await statusWith(api, k1.apiKey)).toBe(200);
      const line = capturedOutput()
        .split('\n')
        .find((l) => l.includes(token) && l.includes('post-promotion clean-up failed'));
      expect(line).toContain('still announced a next page after 3 pages (API_MAX_PAGES)');
    },
  );
});
