/** Read a dotted path ("data.attributes.key") from parsed JSON; "" is the value itself. */
export function readPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  let node: unknown = value;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Build an object with `value` at a dotted path: ("data.name", "x") → { data: { name: "x" } }. */
export function objectAt(path: string, value: unknown): Record<string, unknown> {
  const parts = path.split('.');
  return parts.reduceRight<unknown>((inner, part) => ({ [part]: inner }), value) as Record<string, unknown>;
}
