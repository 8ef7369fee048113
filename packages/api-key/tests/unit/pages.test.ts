/** Paging logic with a stub HTTP client (pure logic: which request follows which answer). */
import { describe, expect, it } from 'vitest';
import { readAllPages } from '../../src/adapters/pages.ts';
import { GENERIC_DEFAULTS } from '../../src/adapters/settings.ts';
import type { AdapterContext } from '../../src/adapters/types.ts';
import type { KeyApiCall } from '../../src/http/client.ts';
import { nextLinkTarget } from '../../src/http/linkHeader.ts';

type Answer = { data: unknown; headers?: Record<string, unknown> };

function context(
  answers: Answer[],
  settings: Partial<typeof GENERIC_DEFAULTS>,
  baseUrl = 'https://api.example.com/v1',
  maxPages = 5,
) {
  const calls: string[] = [];
  const ctx: AdapterContext = {
    settings: { ...GENERIC_DEFAULTS, ...settings },
    baseUrl,
    maxPages,
    errorContext: { secretId: 'arn:secret' },
    http: {
      async call(request: KeyApiCall) {
        calls.push(`${request.path}?${request.query ?? ''}`);
        const answer = answers.shift();
        if (!answer) throw new Error('no more answers');
        return { status: 200, data: answer.data, headers: answer.headers ?? {} };
      },
    },
  };
  return { ctx, calls };
}
const auth = { key: 'k', role: 'the current key' };

describe('readAllPages', () => {
  it('follows a Link header (absolute, below the base path) and asks for the page size', async () => {
    const { ctx, calls } = context(
      [
        {
          data: [1, 2],
          headers: {
            link:
              '<https://api.example.com/v1/keys?page=2&limit=2>; rel="next", ' +
              '<https://api.example.com/v1/keys?page=9>; rel="last"',
          },
        },
        { data: [3] },
      ],
      { nextPage: 'link', pageSizeParam: 'limit', pageSize: 2 },
    );
    expect(await readAllPages(ctx, auth, '/keys')).toEqual([1, 2, 3]);
    expect(calls).toEqual(['/keys?limit=2', '/keys?page=2&limit=2']);
  });

  it('follows a relative next URL from a field, and a cursor sent back with the page size', async () => {
    const url = context(
      [{ data: { data: [1], links: { next: 'keys?after=1' } } }, { data: { data: [2], links: { next: null } } }],
      { listItemsField: 'data', nextPage: 'url:links.next' },
    );
    expect(await readAllPages(url.ctx, auth, '/keys')).toEqual([1, 2]);
    expect(url.calls).toEqual(['/keys?', '/keys?after=1']);

    const cursor = context(
      [
        { data: { items: [1], meta: { next: 'c2' } } },
        { data: { items: [2], meta: { next: 7 } } },
        { data: { items: [3], meta: { next: '' } } },
      ],
      {
        listItemsField: 'items',
        nextPage: 'cursor:meta.next:page[cursor]',
        pageSizeParam: 'page[size]',
        pageSize: 50,
      },
    );
    expect(await readAllPages(cursor.ctx, auth, '/keys')).toEqual([1, 2, 3]);
    expect(cursor.calls.map(decodeURIComponent)).toEqual([
      '/keys?page[size]=50',
      '/keys?page[size]=50&page[cursor]=c2',
      '/keys?page[size]=50&page[cursor]=7',
    ]);
  });

  it.each([
    ['another host', 'https://evil.example.net/v1/keys?page=2'],
    ['another port', 'https://api.example.com:8443/v1/keys?page=2'],
    ['plain http', 'http://api.example.com/v1/keys?page=2'],
    ['outside the base path', 'https://api.example.com/admin/keys'],
    ['a sibling of the base path', '/v10/keys'],
    ['a protocol-relative URL', '//evil.example.net/v1/keys'],
  ])('refuses a next page on %s: no request is made to it', async (_what, next) => {
    const { ctx, calls } = context([{ data: { data: [1], next } }], { listItemsField: 'data', nextPage: 'url:next' });
    await expect(readAllPages(ctx, auth, '/keys')).rejects.toMatchObject({
      name: 'KeyApiError',
      kind: 'invalid-response',
      message: expect.stringContaining('pointed its next page outside the base URL'),
    });
    expect(calls).toHaveLength(1);
  });

  it('stops after maxPages pages that all announce a next one', async () => {
    const answers = Array.from({ length: 10 }, (_, i) => ({ data: { data: [i], next: `c${i}` } }));
    const { ctx, calls } = context(answers, { listItemsField: 'data', nextPage: 'cursor:next:cursor' }, undefined, 3);
    await expect(readAllPages(ctx, auth, '/keys')).rejects.toMatchObject({
      kind: 'too-many-pages',
      message: expect.stringContaining('after 3 pages (API_MAX_PAGES)'),
    });
    expect(calls).toHaveLength(3);
  });

  it('a next page of the wrong type is an invalid response naming nextPage', async () => {
    const { ctx } = context([{ data: { data: [1], next: { href: '/keys?p=2' } } }], {
      listItemsField: 'data',
      nextPage: 'url:next',
    });
    await expect(readAllPages(ctx, auth, '/keys')).rejects.toMatchObject({
      kind: 'invalid-response',
      message: expect.stringContaining('check nextPage'),
    });
  });
});

describe('Link header', () => {
  it.each([
    ['<https://a/keys?page=2>; rel="next"', 'https://a/keys?page=2'],
    ['<https://a/keys?page=1>; rel="prev", <https://a/keys?page=3>; rel=next', 'https://a/keys?page=3'],
    ['<https://a/k?p=2>; title="a, b; c"; rel="next last"', 'https://a/k?p=2'],
    ['<https://a/k?p=9>; REL="Last"', undefined],
    ['', undefined],
  ])('%j → %j', (header, target) => {
    expect(nextLinkTarget(header)).toBe(target);
  });
});
