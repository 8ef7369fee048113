// pg's escaping functions live in pg/lib/utils.js (exported by pg's package.json); @types/pg types
// them only on the package root, whose import would load the whole driver.
declare module 'pg/lib/utils.js' {
  const utils: {
    escapeIdentifier(value: string): string;
    escapeLiteral(value: string): string;
  };
  export default utils;
}
