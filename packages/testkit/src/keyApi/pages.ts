/**
 * Paged key lists, as real key APIs serve them once an account holds more keys than one answer
 * carries (most cap a page at 50-100). The client asks for a page size with `limit` (honoured up to
 * the account's page size) and follows the API's pointer to the next page:
 *
 *   link     generic dialect: the body is the array; `Link: <https://…/keys?page=2&limit=2>; rel="next"`
 *   url      generic dialect: `{ data: [...], links: { next: "/keys?page=2&limit=2" | null } }`
 *   cursor   generic dialect: `{ data: [...], next_cursor: "…" | null }`, sent back as `?cursor=`
 *
 * The SendGrid dialect always answers `{ result: [...], _metadata: { next? } }` with an absolute
 * next URL (`?limit=&offset=`), whatever the style.
 */

export interface ListPages {
  /** Most keys on one page; a smaller `limit` query parameter is honoured. */
  size: number;
  /** How the generic dialect points at the next page. */
  style: 'link' | 'url' | 'cursor';
  /** A misbehaving API: every page has a next one, even past the last key. */
  endless?: boolean;
}

export interface Page<T> {
  items: T[];
  /** Offset of the next page; undefined on the last one. */
  next?: number;
  limit: number;
}

/** Which slice of `all` this request asks for, and where the next one starts. */
export function pageOf<T>(all: T[], query: URLSearchParams, pages: ListPages): Page<T> {
  const asked = Number(query.get('limit'));
  const limit = Number.isInteger(asked) && asked > 0 ? Math.min(asked, pages.size) : pages.size;
  const offset = offsetOf(query, limit);
  const end = offset + limit;
  return { items: all.slice(offset, end), next: end < all.length || pages.endless ? end : undefined, limit };
}

function offsetOf(query: URLSearchParams, limit: number): number {
  const cursor = query.get('cursor');
  if (cursor)
    return (
      Number(
        Buffer.from(cursor, 'base64url')
          .toString('utf8')
          .replace(/^offset:/, ''),
      ) || 0
    );
  const offset = Number(query.get('offset'));
  if (Number.isInteger(offset) && offset > 0) return offset;
  const page = Number(query.get('page'));
  return Number.isInteger(page) && page > 1 ? (page - 1) * limit : 0;
}

/** An opaque cursor, as APIs hand them out. */
export function cursorFor(offset: number): string {
  return Buffer.from(`offset:${offset}`, 'utf8').toString('base64url');
}

/** Query of the next page for the link and url styles (page numbers). */
export function pageQuery(offset: number, limit: number): string {
  return `page=${Math.floor(offset / limit) + 1}&limit=${limit}`;
}
