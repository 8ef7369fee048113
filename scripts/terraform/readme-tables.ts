/**
 * Keeps each Terraform module's README inputs/outputs tables in step with its variables and
 * outputs (what terraform-docs does; it is not available from the registries this project uses).
 * The tables live between <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS -->.
 *
 *   npx tsx scripts/terraform/readme-tables.ts           check: exit 1 naming every README out of step
 *   npx tsx scripts/terraform/readme-tables.ts --write   rewrite the tables
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BEGIN = '<!-- BEGIN_TF_DOCS -->';
const END = '<!-- END_TF_DOCS -->';

export interface Block {
  kind: 'variable' | 'output';
  name: string;
  attributes: Record<string, string>;
}

/** Top-level `variable "x" {…}` and `output "x" {…}` blocks with their own (depth-1) attributes. */
export function parseBlocks(source: string): Block[] {
  const blocks: Block[] = [];
  const header = /^(variable|output)\s+"([^"]+)"\s*\{/gm;
  for (let match = header.exec(source); match; match = header.exec(source)) {
    const bodyStart = match.index + match[0].length;
    const bodyEnd = matchingBrace(source, bodyStart - 1);
    blocks.push({
      kind: match[1] as Block['kind'],
      name: match[2]!,
      attributes: attributesOf(source.slice(bodyStart, bodyEnd)),
    });
    header.lastIndex = bodyEnd;
  }
  return blocks;
}

/** Index of the brace closing the one at `open`, skipping strings and heredocs. */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    const c = text[i];
    if (c === '"') i = endOfString(text, i);
    else if (text.startsWith('<<', i) && /^<<-?[A-Z]+\n/.test(text.slice(i, i + 40))) i = endOfHeredoc(text, i);
    else if (c === '#' || text.startsWith('//', i)) i = text.indexOf('\n', i);
    else if (c === '{' || c === '[' || c === '(') depth += 1;
    else if (c === '}' || c === ']' || c === ')') {
      depth -= 1;
      if (depth === 0) return i;
    }
    if (i < 0) break;
  }
  throw new Error(`unbalanced braces after offset ${open}`);
}

function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i += 1) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === '"') return i;
  }
  throw new Error('unterminated string');
}

function endOfHeredoc(text: string, start: number): number {
  const marker = /^<<-?([A-Z]+)\n/.exec(text.slice(start))![1]!;
  const close = new RegExp(`^\\s*${marker}\\s*$`, 'm');
  const rest = text.slice(start);
  const found = close.exec(rest.slice(rest.indexOf('\n') + 1));
  if (!found) throw new Error(`unterminated heredoc ${marker}`);
  return start + rest.indexOf('\n') + 1 + found.index + found[0].length - 1;
}

/** `key = expression` pairs at the top of a block body; nested blocks (validation) are skipped. */
function attributesOf(body: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    const rest = body.slice(i);
    const attribute = /^\s*([a-z_]+)\s*=\s*/.exec(rest);
    const nested = /^\s*[a-z_]+\s*\{/.exec(rest);
    if (attribute) {
      const start = i + attribute[0].length;
      const end = endOfExpression(body, start);
      attributes[attribute[1]!] = body.slice(start, end).trim();
      i = end;
    } else if (nested) {
      i = matchingBrace(body, i + nested[0].length - 1) + 1;
    } else {
      const newline = body.indexOf('\n', i);
      i = newline < 0 ? body.length : newline + 1;
    }
  }
  return attributes;
}

function endOfExpression(text: string, start: number): number {
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (c === '\n') return i;
    if (c === '"') i = endOfString(text, i);
    else if (text.startsWith('<<', i)) i = endOfHeredoc(text, i);
    else if (c === '{' || c === '[' || c === '(') i = matchingBrace(text, i);
  }
  return text.length;
}

function unquote(expression: string): string {
  const heredoc = /^<<-?([A-Z]+)\n([\s\S]*?)\n\s*\1$/.exec(expression);
  if (heredoc) return heredoc[2]!.replace(/\s+/g, ' ').trim();
  if (expression.startsWith('"')) return JSON.parse(expression) as string;
  return expression;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
const code = (text: string) => `\`${cell(text)}\``;

/** Multi-line types are shortened to their outer shape; the description explains the fields. */
function typeCell(type: string | undefined): string {
  if (!type) return code('any');
  if (!type.includes('\n')) return code(type);
  return code(type.replace(/\{[\s\S]*\}/, '{…}'));
}

export function renderTables(blocks: Block[]): string {
  const variables = blocks.filter((b) => b.kind === 'variable').sort((a, b) => a.name.localeCompare(b.name));
  const outputs = blocks.filter((b) => b.kind === 'output').sort((a, b) => a.name.localeCompare(b.name));
  const lines = [
    '## Inputs',
    '',
    '| Name | Description | Type | Default | Required |',
    '|------|-------------|------|---------|:--------:|',
  ];
  for (const v of variables) {
    const def = v.attributes.default;
    lines.push(
      `| ${code(v.name)} | ${cell(unquote(v.attributes.description ?? ''))} | ${typeCell(v.attributes.type)} ` +
        `| ${def === undefined ? 'n/a' : code(def)} | ${def === undefined ? 'yes' : 'no'} |`,
    );
  }
  lines.push('', '## Outputs', '', '| Name | Description |', '|------|-------------|');
  for (const o of outputs) lines.push(`| ${code(o.name)} | ${cell(unquote(o.attributes.description ?? ''))} |`);
  return lines.join('\n');
}

export function moduleBlocks(moduleDir: string): Block[] {
  return readdirSync(moduleDir)
    .filter((file) => file.endsWith('.tf'))
    .sort()
    .flatMap((file) => parseBlocks(readFileSync(join(moduleDir, file), 'utf8')));
}

/** Every module and example root: folders under terraform/modules and terraform/examples. */
export function terraformRoots(): string[] {
  return ['modules', 'examples'].flatMap((kind) => {
    const base = join(repoRoot, 'terraform', kind);
    return readdirSync(base, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(base, entry.name));
  });
}

function main(): void {
  const write = process.argv.includes('--write');
  let passed = 0;
  let failed = 0;
  for (const dir of terraformRoots()) {
    const readmePath = join(dir, 'README.md');
    const name = relative(repoRoot, readmePath);
    let readme: string;
    try {
      readme = readFileSync(readmePath, 'utf8');
    } catch {
      console.log(`FAIL ${name}: missing`);
      failed += 1;
      continue;
    }
    const begin = readme.indexOf(BEGIN);
    const end = readme.indexOf(END);
    if (begin < 0 || end < begin) {
      console.log(`FAIL ${name}: no ${BEGIN} … ${END} section`);
      failed += 1;
      continue;
    }
    const expected = `${BEGIN}\n${renderTables(moduleBlocks(dir))}\n${END}`;
    const actual = readme.slice(begin, end + END.length);
    if (actual === expected) {
      passed += 1;
    } else if (write) {
      writeFileSync(readmePath, readme.slice(0, begin) + expected + readme.slice(end + END.length));
      console.log(`wrote ${name}`);
      passed += 1;
    } else {
      const want = new Set(expected.split('\n'));
      const have = new Set(actual.split('\n'));
      console.log(
        `FAIL ${name}: tables differ from the .tf files (run: npx tsx scripts/terraform/readme-tables.ts --write)`,
      );
      for (const line of want) if (!have.has(line)) console.log(`  missing: ${line}`);
      for (const line of have) if (!want.has(line)) console.log(`  stale:   ${line}`);
      failed += 1;
    }
  }
  console.log(`readme tables: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
