// pg's escaping functions live in pg/lib/utils.js (exported by pg's package.json); @types/pg types
// them only on the package root, whose import would load the whole driver.
declare module 'pg/lib/utils.js' {
  export function escapeIdentifier(value: string): string;
  export function escapeLiteral(value: string): string;
}
