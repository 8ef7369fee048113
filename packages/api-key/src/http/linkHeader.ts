/**
 * The target of rel="next" in an HTTP Link header (RFC 8288), as GitHub-style paged APIs send it:
 * `<https://api.example.com/keys?page=2>; rel="next", <…?page=9>; rel="last"`. Only what paging
 * needs; a quoted parameter value may hold "," or ";".
 */
const LINK_VALUE = /<([^>]*)>((?:\s*;\s*(?:[^;,"]|"[^"]*")*)*)/g;
const REL = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))/i;

export function nextLinkTarget(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const [, target, params] of header.matchAll(LINK_VALUE)) {
    const rel = REL.exec(params ?? '');
    // rel may hold several space-separated relation types: rel="next last".
    const types = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (types.includes('next')) return target;
  }
  return undefined;
}
