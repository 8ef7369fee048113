#!/usr/bin/env node
// Scaffold a new rotator: the package (the src skeleton every rotator shares, with hooks that fail
// loudly; tests in tests/{unit,integration,zip}; README; zip build),
// its Terraform module on rotation-function, an example root, and its place in the CI matrix.
//
//   npm run new-rotator -- <name> [--description "…"] [--root DIR]
//
// <name> is the one word used everywhere: packages/<name>, @rotators/<name>, dist/<name>.zip,
// terraform/modules/<name>, terraform/examples/<name>.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { description: { type: 'string' }, root: { type: 'string' } },
});
const root = resolve(values.root ?? join(here, '..'));
const name = positionals[0];

function fail(message) {
  console.error(`new-rotator: ${message}`);
  process.exit(2);
}

if (!name) fail('usage: npm run new-rotator -- <name> [--description "…"]');
if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name) || name.length > 40) {
  fail(
    `"${name}" is not a valid rotator name: ` +
      'use lower-case words joined by dashes (e.g. redis-acl-user), at most 40 characters',
  );
}
if (['core', 'testkit', 'cli', 'rotation-function'].includes(name)) fail(`"${name}" is reserved`);

const pascal = name.replace(/(^|-)([a-z0-9])/g, (_, __, c) => c.toUpperCase());
const camel = pascal[0].toLowerCase() + pascal.slice(1);
const replacements = {
  __NAME__: name,
  __PASCAL__: pascal,
  __CAMEL__: camel,
  __SNAKE__: name.replaceAll('-', '_'),
  __DESCRIPTION__: values.description ?? `Rotator for ${name} (scaffolded; describe what it rotates)`,
};

const REFERENCE = 'generic-password';
const targets = [
  ['package', join('packages', name)],
  ['terraform-module', join('terraform', 'modules', name)],
  ['terraform-example', join('terraform', 'examples', name)],
];
for (const [, target] of targets) {
  if (existsSync(join(root, target))) fail(`${target} already exists`);
}

const written = [];
copyTree(join(here, 'templates', 'rotator', 'package'), join(root, 'packages', name));
// The Terraform module and example are the generic-password ones, renamed: the scaffold's secret
// has the same {"password"} shape, and cloning the reference keeps the scaffold from drifting
// from it. What every rotator module shares (the `function` input, the `function` output, the
// mock provider of its tests) lives in rotation-function, so the clone carries no copy of it; the
// example links the files every example shares. What the clone does repeat is generic-password's
// own variables and module tests, which the lint's copy detector (jscpd) reports until they say
// what this rotator needs: step 4 below.
for (const kind of ['modules', 'examples']) {
  cloneRenamed(join(root, 'terraform', kind, REFERENCE), join(root, 'terraform', kind, name));
}
addToCiMatrix();
formatScaffold();

console.log(`Scaffolded rotator "${name}":`);
for (const file of written) console.log(`  ${file}`);
console.log(`
Next:
  1. npm install                                   (links the new workspace)
  2. in packages/${name}/src: the secret in schema.ts, the environment in config.ts, the
     confused-deputy checks in guards.ts, the target in connect.ts, the hooks in rotator.ts;
     tests fail with "not implemented" until then
  3. npx turbo run package --filter=@rotators/${name} && npx vitest run --project ${name}
     (tests/unit, tests/integration, tests/zip)
  4. fill in the README, the Terraform module's variables and tests, and the example (until then
     npm run lint reports them as copies of generic-password's)`);

function copyTree(source, target) {
  for (const entry of readdirSync(source).sort()) {
    const from = join(source, entry);
    if (statSync(from).isDirectory()) {
      copyTree(from, join(target, entry));
      continue;
    }
    const to = join(target, entry.replace(/\.tmpl$/, ''));
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, render(readFileSync(from, 'utf8')));
    written.push(relative(root, to));
  }
}

function cloneRenamed(source, target) {
  for (const entry of readdirSync(source).sort()) {
    const from = join(source, entry);
    if (['.terraform', '.terraform.lock.hcl', 'terraform.tfstate', 'terraform.tfstate.backup'].includes(entry))
      continue;
    const to = join(target, entry.replaceAll('generic_password', replacements.__SNAKE__));
    // The example's shared files are links into terraform/examples-common: link them too, at the
    // same relative target, so that the new example shares them instead of holding a copy.
    if (lstatSync(from).isSymbolicLink()) {
      mkdirSync(dirname(to), { recursive: true });
      symlinkSync(readlinkSync(from), to);
      written.push(`${relative(root, to)} -> ${readlinkSync(from)}`);
      continue;
    }
    if (statSync(from).isDirectory()) {
      cloneRenamed(from, to);
      continue;
    }
    let text = readFileSync(from, 'utf8')
      .replaceAll(REFERENCE, name)
      .replaceAll('generic_password', replacements.__SNAKE__);
    if (entry === 'README.md') text = describeInReadme(text);
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, text);
    written.push(relative(root, to));
  }
}

// The reference README's opening paragraph describes generic-password; say what this one is.
function describeInReadme(text) {
  const [title, , ...rest] = text.split('\n\n');
  return [
    title,
    `${replacements.__DESCRIPTION__}\n\n` +
      "> Scaffolded from the generic-password module by `npm run new-rotator`: add this rotator's own\n" +
      '> settings (typed variables → environment) and say what its function needs to reach.',
    ...rest,
  ].join('\n\n');
}

function render(text) {
  return text.replace(/__[A-Z]+__/g, (token) => replacements[token] ?? token);
}

// The templates are text with placeholders; the package they become is formatted as every other
// (Biome, biome.jsonc), so that `npm run lint` passes on a fresh scaffold.
function formatScaffold() {
  const biome = join(root, 'node_modules', '.bin', 'biome');
  if (!existsSync(biome)) return;
  const result = spawnSync(biome, ['format', '--write', join(root, 'packages', name)], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) fail(`biome could not format the scaffold: ${result.stderr || result.stdout}`);
}

// The CI workflow lists every rotator package between two marker comments; keep it sorted.
function addToCiMatrix() {
  const workflow = join(root, '.github', 'workflows', 'ci.yml');
  if (!existsSync(workflow)) return;
  const text = readFileSync(workflow, 'utf8');
  const match = text.match(/^([ \t]*)(# BEGIN rotator packages.*\n)([\s\S]*?)^[ \t]*# END rotator packages/m);
  if (!match) fail(`${relative(root, workflow)} has no "# BEGIN rotator packages" / "# END rotator packages" markers`);
  const [, indent, beginLine, body] = match;
  const items = body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('- '))
    .map((l) => l.slice(2));
  const sorted = [...new Set([...items, name])].sort();
  const block = `${sorted.map((item) => `${indent}- ${item}`).join('\n')}\n`;
  // Splice at the block's own position: replacing by its text would hit the top of the file when
  // the block is empty (the empty string is found at index 0).
  const start = match.index + indent.length + beginLine.length;
  writeFileSync(workflow, text.slice(0, start) + block + text.slice(start + body.length));
  written.push(`${relative(root, workflow)} (matrix)`);
}
