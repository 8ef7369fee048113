/**
 * The subset of CloudWatch Logs' JSON filter-pattern syntax the rotation-function module uses:
 * `{ ($.a = "x") && ($.b.c = "y") }` — exact string equality, joined by &&. Anything else throws,
 * so a pattern changed to a form this does not understand fails the test instead of passing it
 * wrongly. (moto accepts metric filters but does not evaluate JSON patterns, so it cannot judge.)
 */

interface Condition {
  path: string[];
  value: string;
}

const CONDITION = /^\(?\s*\$\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*\)?$/;

export function parseJsonPattern(pattern: string): Condition[] {
  const body = /^\{\s*(.*?)\s*\}$/s.exec(pattern.trim())?.[1];
  if (body === undefined) throw new Error(`not a JSON filter pattern: ${pattern}`);
  return body.split('&&').map((part) => {
    const match = CONDITION.exec(part.trim());
    if (!match) throw new Error(`unsupported condition in filter pattern: ${part.trim()}`);
    const value = match[2]!.replace(/\\(.)/g, '$1');
    // CloudWatch treats * in a string value as a wildcard; equality here would be wrong.
    if (value.includes('*')) throw new Error(`wildcards are not supported here: ${part.trim()}`);
    return { path: match[1]!.split('.'), value };
  });
}

/** Whether one log event (a line of JSON) matches, as CloudWatch would judge it. */
export function matchesJsonPattern(pattern: string, line: string): boolean {
  const conditions = parseJsonPattern(pattern);
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return false; // a JSON pattern never matches a line that is not JSON
  }
  return conditions.every(({ path, value }) => {
    const found = path.reduce<unknown>(
      (node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
      event,
    );
    return found === value;
  });
}

/**
 * The string assigned to `name` in a .tf file, unescaped, as Terraform would evaluate it: a literal
 * whose only interpolations name other such strings of the same file (`${local.message}`). Any
 * other interpolation or directive is refused: the test needs a value it can read without Terraform.
 */
export function hclStringLiteral(source: string, name: string, seen: string[] = []): string {
  if (seen.includes(name)) throw new Error(`${name} refers to itself through ${seen.join(' → ')}`);
  const match = new RegExp(`^\\s*${name}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"\\s*$`, 'm').exec(source);
  if (!match) throw new Error(`no string literal ${name} = "…" found`);
  // Split at ${local.x}: the literal parts are unescaped, the value of local.x goes in as it is.
  return match[1]!
    .split(/(\$\{local\.[A-Za-z0-9_]+\})/)
    .map((part, i) => {
      if (i % 2 === 1) return hclStringLiteral(source, part.slice('${local.'.length, -1), [...seen, name]);
      if (/[$%]\{/.test(part)) throw new Error(`${name} has an interpolation; the test needs a literal`);
      return part.replace(/\\(.)/g, '$1');
    })
    .join('');
}
