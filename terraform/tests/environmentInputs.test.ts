/**
 * Every environment variable a rotator reads has a module input, and every variable a module sets
 * is read by something. Read from the sources: the names a package passes to core's readers
 * (readBoolean(env, 'NAME'), …) or takes from `env.NAME`, in the rotator's own package, in core's
 * engine (a module for every rotator: rotation-function) and in the files of core's database
 * entry (`@rotators/core/db`) whose exports the rotator uses. A variable counts as having an input
 * when the rotator's module or rotation-function sets it (a key of the environment they build).
 * api-key's generic adapter settings are named by a rule instead (API_<FIELD>): apiKeySettings.test.ts
 * ties those to the package.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '@rotators/testkit';
import { describe, expect, it } from 'vitest';

/** Set by a module but read by a library, not by this repository's sources. */
const READ_ELSEWHERE: Record<string, string> = {
  POWERTOOLS_LOG_LEVEL: 'the Powertools logger reads it itself',
};

const modulesDir = join(repoRoot, 'terraform', 'modules');
const rotatorModules = readdirSync(modulesDir).filter(
  (name) => name !== 'rotation-function' && statSync(join(modulesDir, name)).isDirectory(),
);

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((file) => join(dir, file))
    .filter((file) => file.endsWith('.ts'));
}

const sources = (dir: string, skip: (path: string) => boolean = () => false) =>
  files(dir)
    .filter((file) => !skip(file))
    .map((file) => readFileSync(file, 'utf8'));

const READS = [
  /\bread(?:Boolean|Integer|Choice|String|List|CaBundle)\(\s*\w+\s*,\s*'([A-Z][A-Z0-9_]+)'/g,
  /\benv\.([A-Z][A-Z0-9_]+)\b/g,
  /\benv\[\s*'([A-Z][A-Z0-9_]+)'\s*\]/g,
];

/** The environment variable names these sources read. */
function readNames(texts: string[]): Set<string> {
  const names = new Set<string>();
  for (const text of texts)
    for (const pattern of READS) for (const match of text.matchAll(pattern)) names.add(match[1]!);
  return names;
}

/** The .tf text of one module. */
function moduleText(module: string): string {
  const dir = join(modulesDir, module);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.tf'))
    .map((file) => readFileSync(join(dir, file), 'utf8'))
    .join('\n');
}

/** Environment variables a module sets: the upper-case keys of its maps (`NAME = …`, `{ NAME = … }`). */
function setNames(tf: string): Set<string> {
  return new Set([...tf.matchAll(/(?:^\s*|\{\s*)([A-Z][A-Z0-9_]{2,})\s*=/gm)].map((match) => match[1]!));
}

const coreDir = join(repoRoot, 'packages', 'core', 'src');
const engineReads = readNames(sources(coreDir, (file) => relative(coreDir, file).startsWith('db')));
/** Per file of core's database entry: the functions it exports and the variables it reads. */
const databaseFiles = files(join(coreDir, 'db')).map((file) => {
  const text = readFileSync(file, 'utf8');
  return {
    exports: [...text.matchAll(/^export (?:async )?function (\w+)/gm)].map((match) => match[1]!),
    reads: readNames([text]),
  };
});
const databaseReads = new Set(databaseFiles.flatMap((file) => [...file.reads]));
const shared = moduleText('rotation-function');
const sharedSets = setNames(shared);

function readsOf(rotator: string): { own: Set<string>; all: Set<string> } {
  const texts = sources(join(repoRoot, 'packages', rotator, 'src'));
  const own = readNames(texts);
  const used = (fn: string) =>
    texts.some((text) => text.includes("'@rotators/core/db'") && new RegExp(`\\b${fn}\\b`).test(text));
  for (const file of databaseFiles) if (file.exports.some(used)) for (const name of file.reads) own.add(name);
  return { own, all: new Set([...own, ...engineReads]) };
}

describe('every environment variable a rotator reads has a module input', () => {
  it('finds what the engine reads (the sources are still read the way this test expects)', () => {
    expect([...engineReads]).toEqual(
      expect.arrayContaining([
        'SECRETS_MANAGER_ENDPOINT',
        'PASSWORD_LENGTH',
        'EXCLUDE_CHARACTERS',
        'POWERTOOLS_SERVICE_NAME',
      ]),
    );
    expect([...databaseReads]).toEqual(
      expect.arrayContaining(['REQUIRE_TLS', 'TLS_CA_BUNDLE_PATH', 'CONNECT_TIMEOUT_SECONDS', 'MASTER_SECRET_ARNS']),
    );
    expect(readsOf('postgres-single-user').own).not.toContain('MASTER_SECRET_ARNS');
    expect(readsOf('mysql-alternating-users').own).toContain('MASTER_SECRET_ARNS');
  });

  it('rotation-function sets what the engine reads', () => {
    const missing = [...engineReads].filter((name) => !sharedSets.has(name));
    expect(missing, 'read by packages/core/src but set by no input of terraform/modules/rotation-function').toEqual([]);
  });

  it.each(rotatorModules)('%s: each variable its package reads has an input, and each it sets is read', (module) => {
    const { own, all } = readsOf(module);
    const sets = setNames(moduleText(module));
    const withoutInput = [...own].filter((name) => !sets.has(name) && !sharedSets.has(name));
    expect(
      withoutInput,
      `read by packages/${module}/src (or core's database entry) but set by no input of terraform/modules/${module}`,
    ).toEqual([]);
    const unread = [...sets].filter((name) => !all.has(name) && !(name in READ_ELSEWHERE));
    expect(unread, `set by terraform/modules/${module} but read by no source of packages/${module} or core`).toEqual(
      [],
    );
  });

  it('rotation-function sets nothing the engine does not read', () => {
    const unread = [...sharedSets].filter(
      (name) => !engineReads.has(name) && !databaseReads.has(name) && !(name in READ_ELSEWHERE),
    );
    expect(unread).toEqual([]);
  });
});
