/**
 * Reading a key list to its end. Providers cap a page at 50-100 keys; a rotator that reads only the
 * first page misses its own keys on later ones (orphan recovery, the pending-key check, clean-up).
 *
 * The nextPage setting says where an answer points at the next page:
 *   none                       one answer holds every key
 *   link                       a Link header with rel="next" (a URL)
 *   url:<field path>           a field of the answer holding the next page's URL (absolute or relative)
 *   cursor:<field path>:<param> a field holding a cursor, sent back as query parameter <param>
 * pageSizeParam/pageSize ask for big pages. A next page URL must stay under the base URL (same
 * scheme, host and port, path below it): the provider's answer does not choose where the key goes.
 * After maxPages pages with a next one still announced, the list is an error: a partial list must
 * not decide which keys exist, so nothing is created or revoked from it.
 */
import { KeyApiError } from '../errors.ts';
import type { ApiAuth } from '../http/client.ts';
import { nextLinkTarget } from '../http/linkHeader.ts';
import { readPath } from '../jsonPath.ts';
import type { AdapterContext } from './types.ts';

type NextPage =
  | { kind: 'none' }
  | { kind: 'link' }
  | { kind: 'url'; field: string }
  | { kind: 'cursor'; field: string; param: string };

/** The setting is validated by its schema (settings.ts), so the shape is known here. */
function parseNextPage(value: string): NextPage {
  const [kind, field = '', param = ''] = value.split(':');
  if (kind === 'link') return { kind: 'link' };
  if (kind === 'url') return { kind: 'url', field };
  if (kind === 'cursor') return { kind: 'cursor', field, param };
  return { kind: 'none' };
}

interface PageRequest {
  /** Below the base URL, as KeyApiCall.path. */
  path: string;
  query: URLSearchParams;
}

/** Every item of the list at `path`, page after page. */
export async function readAllPages(
  { settings, http, errorContext, baseUrl, maxPages }: AdapterContext,
  auth: ApiAuth,
  path: string,
): Promise<unknown[]> {
  const nextPage = parseNextPage(settings.nextPage);
  const sizeQuery = () =>
    new URLSearchParams(settings.pageSizeParam ? { [settings.pageSizeParam]: String(settings.pageSize) } : {});
  const invalid = (detail: string) => new KeyApiError('invalid-response', 'GET', path, undefined, detail, errorContext);

  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  /** A next-page URL from the provider, as a request below the base URL; refused anywhere else. */
  const below = (target: string, from: PageRequest): PageRequest => {
    let url: URL;
    try {
      url = new URL(target, `${baseUrl}${from.path}?${from.query}`);
    } catch {
      throw invalid('answered with a next page that is not a URL; check nextPage');
    }
    if (url.origin !== base.origin || !(url.pathname === basePath || url.pathname.startsWith(`${basePath}/`))) {
      throw invalid(`pointed its next page outside the base URL (${url.origin}${url.pathname}); it is not followed`);
    }
    return { path: url.pathname.slice(basePath.length) || '/', query: url.searchParams };
  };
  const following = (data: unknown, headers: Record<string, unknown>, from: PageRequest): PageRequest | undefined => {
    if (nextPage.kind === 'none') return undefined;
    if (nextPage.kind === 'link') {
      const target = nextLinkTarget(typeof headers.link === 'string' ? headers.link : undefined);
      return target === undefined ? undefined : below(target, from);
    }
    const value = readPath(data, nextPage.field);
    if (value === undefined || value === null || value === '' || value === false) return undefined;
    if (nextPage.kind === 'url') {
      if (typeof value !== 'string')
        throw invalid(`answered with a next page at "${nextPage.field}" that is not a string; check nextPage`);
      return below(value, from);
    }
    if (typeof value !== 'string' && typeof value !== 'number')
      throw invalid(`answered with a cursor at "${nextPage.field}" that is not a string or number; check nextPage`);
    const query = sizeQuery();
    query.set(nextPage.param, String(value));
    return { path, query };
  };

  const items: unknown[] = [];
  let request: PageRequest = { path, query: sizeQuery() };
  for (let page = 1; ; page += 1) {
    const { data, headers } = await http.call({
      method: 'GET',
      path: request.path,
      query: request.query,
      auth,
      idempotent: true,
    });
    const pageItems = readPath(data, settings.listItemsField);
    if (!Array.isArray(pageItems))
      throw invalid(`answered without an array at "${settings.listItemsField || '(root)'}"; check listItemsField`);
    items.push(...pageItems);
    const next = following(data, headers, request);
    if (!next) return items;
    if (page >= maxPages) {
      throw new KeyApiError(
        'too-many-pages',
        'GET',
        path,
        undefined,
        `still announced a next page after ${maxPages} pages (API_MAX_PAGES); the ` +
          'key list was not read to its end, so no key is created or revoked from it',
        errorContext,
      );
    }
    request = next;
  }
}
