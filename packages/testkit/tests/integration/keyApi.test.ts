/** The fake SaaS key API itself: real HTTPS on loopback, keys, limits, faults, and no key in its records. */
import { existsSync } from 'node:fs';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeyApiServer, startKeyApi } from '../../src/keyApi.ts';

let api: KeyApiServer;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: the parsed response body, of whatever shape the endpoint answers
  body: any;
}

function call(
  method: string,
  path: string,
  key?: string,
  body?: unknown,
  ca = api.certificates!.caCert,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${api.baseUrl}${path}`,
      {
        method,
        ca,
        headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined }),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

beforeAll(async () => {
  api = await startKeyApi({ maxActiveKeys: 3 });
});
afterAll(async () => api?.stop());

describe('fake key API', () => {
  it('authenticates by key, mints labelled keys up to the limit, revokes them', async () => {
    const account = api.createAccount();
    expect(api.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect((await call('GET', '/whoami', account.key)).body).toEqual({
      accountId: account.accountId,
      keyId: account.keyId,
    });
    expect((await call('GET', '/whoami', 'sk_test_not-a-real-key')).status).toBe(401);
    expect((await call('GET', '/whoami')).status).toBe(401);

    const first = await call('POST', '/keys', account.key, { label: 'one' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      id: expect.stringMatching(/^key_/),
      key: expect.stringMatching(/^sk_test_/),
      label: 'one',
    });
    expect((await call('POST', '/keys', account.key, { label: 'two' })).status).toBe(201);
    expect((await call('POST', '/keys', account.key, { label: 'three' })).status).toBe(409);
    expect((await call('POST', '/keys', account.key, {})).status).toBe(400);

    const listed = await call('GET', '/keys', account.key);
    expect(listed.body.map((k: { label: string }) => k.label)).toEqual(['bootstrap', 'one', 'two']);
    expect(listed.body.every((k: Record<string, unknown>) => !('key' in k))).toBe(true);

    expect((await call('DELETE', `/keys/${first.body.id}`, account.key)).status).toBe(204);
    expect((await call('DELETE', `/keys/${first.body.id}`, account.key)).status).toBe(404);
    expect((await call('GET', '/whoami', first.body.key)).status).toBe(401);
    expect(api.keys(account.accountId).find((k) => k.id === first.body.id)?.revoked).toBeInstanceOf(Date);
  });

  it('keeps accounts apart and reveals keys on list only when the account says so', async () => {
    const a = api.createAccount({ revealKeysOnList: true });
    const b = api.createAccount();
    expect((await call('DELETE', `/keys/${a.keyId}`, b.key)).status).toBe(404);
    expect((await call('GET', '/keys', a.key)).body).toEqual([expect.objectContaining({ id: a.keyId, key: a.key })]);
  });

  it('speaks the SendGrid v3 dialect', async () => {
    const account = api.createAccount();
    const created = await call('POST', '/v3/api_keys', account.key, { name: 'sg-label', scopes: ['mail.send'] });
    expect(created.body).toMatchObject({
      api_key_id: expect.any(String),
      api_key: expect.any(String),
      name: 'sg-label',
      scopes: ['mail.send'],
    });
    expect((await call('GET', '/v3/scopes', created.body.api_key)).body).toEqual({ scopes: ['mail.send'] });
    expect(
      (await call('POST', '/v3/api_keys', created.body.api_key, { name: 'wider', scopes: ['api_keys.create'] })).status,
    ).toBe(403);
    expect(api.keys(account.accountId).find((k) => k.id === created.body.api_key_id)?.scopes).toEqual(['mail.send']);
    expect((await call('GET', '/v3/api_keys', account.key)).body.result).toContainEqual({
      api_key_id: created.body.api_key_id,
      name: 'sg-label',
    });
    expect((await call('GET', '/v3/scopes', created.body.api_key)).status).toBe(200);
    expect((await call('DELETE', `/v3/api_keys/${created.body.api_key_id}`, account.key)).status).toBe(204);
  });

  it('injects 429 with Retry-After, 500, slow answers and dropped connections on chosen routes', async () => {
    const account = api.createAccount();
    api.injectFault({ route: 'POST /keys', fault: { kind: 'status', status: 429, retryAfterSeconds: 2 } });
    api.injectFault({ route: 'DELETE /keys/*', fault: { kind: 'status', status: 500 }, times: 2 });
    api.injectFault({ route: 'GET /whoami', fault: { kind: 'reset' } });
    const limited = await call('POST', '/keys', account.key, { label: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    expect((await call('POST', '/keys', account.key, { label: 'x' })).status).toBe(201);
    expect((await call('DELETE', '/keys/key_1', account.key)).status).toBe(500);
    expect((await call('DELETE', '/keys/key_1', account.key)).status).toBe(500);
    expect((await call('DELETE', '/keys/key_1', account.key)).status).toBe(404);
    await expect(call('GET', '/whoami', account.key)).rejects.toThrow(/socket hang up|ECONNRESET/);

    api.injectFault({ route: 'GET /whoami', fault: { kind: 'slow', delayMs: 300 } });
    const started = Date.now();
    expect((await call('GET', '/whoami', account.key)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('carries out a request and then loses its answer (a 502, or a dropped connection)', async () => {
    const account = api.createAccount({ maxActiveKeys: 5 });
    api.injectFault({ route: 'POST /keys', fault: { kind: 'lost-reply', replaceWith: 502 } });
    const lost = await call('POST', '/keys', account.key, { label: 'lost-502' });
    expect(lost.status).toBe(502);
    expect(JSON.stringify(lost.body)).not.toContain('sk_test_');
    api.injectFault({ route: 'POST /keys', fault: { kind: 'lost-reply', replaceWith: 'reset' } });
    await expect(call('POST', '/keys', account.key, { label: 'lost-reset' })).rejects.toThrow(
      /socket hang up|ECONNRESET/,
    );
    // Both keys exist and are active although no client saw them.
    const labels = api
      .keys(account.accountId)
      .filter((k) => !k.revoked)
      .map((k) => k.label);
    expect(labels).toEqual(['bootstrap', 'lost-502', 'lost-reset']);
    expect(
      api
        .requests()
        .slice(-2)
        .map((r) => [r.path, r.status, r.fault]),
    ).toEqual([
      ['/keys', 502, 'lost-reply'],
      ['/keys', 0, 'lost-reply'],
    ]);
  });

  it('is verified TLS: a client trusting another CA is refused', async () => {
    const account = api.createAccount();
    await expect(call('GET', '/whoami', account.key, undefined, api.certificates!.otherCaCert)).rejects.toMatchObject({
      code: expect.stringMatching(/CERT|SIGNATURE|ISSUER/),
    });
  });

  it('records method, path, status and key id, and never a key', async () => {
    const account = api.createAccount();
    await call('GET', '/whoami?probe=1', account.key);
    const entries = api.requests();
    expect(entries.at(-1)).toEqual({
      method: 'GET',
      path: '/whoami',
      query: 'probe=1',
      status: 200,
      keyId: account.keyId,
      authHeader: 'authorization',
    });
    const viaXApiKey = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${api.baseUrl}/whoami`,
        { ca: api.certificates!.caCert, headers: { 'x-api-key': account.key } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(viaXApiKey).toBe(200);
    expect(api.requests().at(-1)).toMatchObject({ keyId: account.keyId, authHeader: 'x-api-key' });
    const inspected = JSON.stringify([entries, api.keys(account.accountId)]);
    expect(inspected).not.toContain(account.key);
    expect(inspected).not.toContain('sk_test_');
  });

  it(
    'serves key lists in pages: a Link header, a next URL or a cursor; ' + 'limit honoured up to the page size',
    async () => {
      const labels = (items: Array<{ label?: string; name?: string }>) => items.map((k) => k.label ?? k.name);
      const filled = async (listPages: { size: number; style: 'link' | 'url' | 'cursor'; endless?: boolean }) => {
        const account = api.createAccount({ maxActiveKeys: 10, listPages });
        for (const label of ['a', 'b', 'c', 'd']) await call('POST', '/keys', account.key, { label });
        return account;
      };

      const link = await filled({ size: 2, style: 'link' });
      const first = await call('GET', '/keys?limit=100', link.key);
      expect(labels(first.body)).toEqual(['bootstrap', 'a']);
      expect(first.headers.link).toBe(`<${api.baseUrl}/keys?page=2&limit=2>; rel="next"`);
      const third = await call('GET', '/keys?page=3&limit=2', link.key);
      expect(labels(third.body)).toEqual(['d']);
      expect(third.headers.link).toBeUndefined();
      expect(labels((await call('GET', '/keys?limit=1&page=2', link.key)).body)).toEqual(['a']);

      const url = await filled({ size: 3, style: 'url' });
      const urlFirst = await call('GET', '/keys', url.key);
      expect(urlFirst.body).toMatchObject({ links: { next: '/keys?page=2&limit=3' } });
      expect(labels((await call('GET', urlFirst.body.links.next, url.key)).body.data)).toEqual(['c', 'd']);
      expect((await call('GET', urlFirst.body.links.next, url.key)).body.links.next).toBeNull();

      const cursor = await filled({ size: 4, style: 'cursor' });
      const cursorFirst = await call('GET', '/keys', cursor.key);
      expect(labels(cursorFirst.body.data)).toEqual(['bootstrap', 'a', 'b', 'c']);
      const cursorLast = await call('GET', `/keys?cursor=${cursorFirst.body.next_cursor}`, cursor.key);
      expect(cursorLast.body).toEqual({ data: [expect.objectContaining({ label: 'd' })], next_cursor: null });

      // A misbehaving API: a next page for ever, empty past the last key.
      const endless = await filled({ size: 5, style: 'cursor', endless: true });
      let page = await call('GET', '/keys', endless.key);
      for (let i = 0; i < 3; i += 1) page = await call('GET', `/keys?cursor=${page.body.next_cursor}`, endless.key);
      expect(page.body).toEqual({ data: [], next_cursor: expect.any(String) });
      api.setListPages(endless.accountId, undefined);
      expect(labels((await call('GET', '/keys', endless.key)).body)).toEqual(['bootstrap', 'a', 'b', 'c', 'd']);

      // SendGrid: `_metadata.next` is an absolute URL with limit and offset.
      const sendgrid = api.createAccount({ maxActiveKeys: 10, listPages: { size: 2, style: 'url' } });
      await call('POST', '/v3/api_keys', sendgrid.key, { name: 'sg-a' });
      await call('POST', '/v3/api_keys', sendgrid.key, { name: 'sg-b' });
      const sgFirst = await call('GET', '/v3/api_keys?limit=100', sendgrid.key);
      expect(labels(sgFirst.body.result)).toEqual(['bootstrap', 'sg-a']);
      expect(sgFirst.body._metadata.next).toBe(`${api.baseUrl}/v3/api_keys?limit=2&offset=2`);
      const sgLast = await call('GET', '/v3/api_keys?limit=2&offset=2', sendgrid.key);
      expect(labels(sgLast.body.result)).toEqual(['sg-b']);
      expect(sgLast.body._metadata.next).toBeUndefined();
      expect(api.requests().at(-1)).toMatchObject({ path: '/v3/api_keys', query: 'limit=2&offset=2' });
    },
  );

  it("redirects on request, and a second server can share the first one's CA", async () => {
    const other = await startKeyApi({ certificates: api.certificates });
    try {
      const account = api.createAccount();
      api.injectFault({ route: 'GET /keys', fault: { kind: 'redirect', location: `${other.baseUrl}/keys` } });
      const redirected = await call('GET', '/keys', account.key);
      expect(redirected.status).toBe(302);
      expect(redirected.headers.location).toBe(`${other.baseUrl}/keys`);
      expect(api.requests().at(-1)).toMatchObject({ path: '/keys', status: 302, fault: 'redirect' });
      // The same CA verifies the second server.
      const otherAccount = other.createAccount();
      expect(other.certificates).toBe(api.certificates);
      await expect(
        new Promise((resolve, reject) => {
          const req = request(
            `${other.baseUrl}/whoami`,
            { ca: api.certificates!.caCert, headers: { authorization: `Bearer ${otherAccount.key}` } },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode));
            },
          );
          req.on('error', reject);
          req.end();
        }),
      ).resolves.toBe(200);
    } finally {
      await other.stop();
    }
    // Stopping the second server left the shared certificates in place.
    expect((await call('GET', '/whoami', api.createAccount().key)).status).toBe(200);
    expect(existsSync(api.certificates!.caCertFile)).toBe(true);
  });
});
