/**
 * Issue #13 (module load): what scripts/bundle-builtins.mjs and scripts/bundle-swaps.mjs make of the
 * code they rewrite. Small entries are bundled with the same plugins and banner as the rotators and
 * run on Node 22: each gives the library's or the built-in's answer, and what a rewrite defers is
 * not loaded before it is used (which is what the original code did not do).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { node22Binary, repoRoot } from '@rotators/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const work = mkdtempSync(join(tmpdir(), 'rotators-bundle-rewrites-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Bundles `source` as bundle-rotator.mjs does (the plugins, the banner, ES module output). */
function bundle(name: string, source: string): string {
  const outfile = join(work, `${name}.mjs`);
  const build = [
    "import { build } from 'esbuild';",
    `import { builtinsByRequirePlugin } from ${JSON.stringify(join(repoRoot, 'scripts/bundle-builtins.mjs'))};`,
    `import { swapPlugin } from ${JSON.stringify(join(repoRoot, 'scripts/bundle-swaps.mjs'))};`,
    'const [contents, outfile, resolveDir] = process.argv.slice(1);',
    'await build({',
    "  stdin: { contents, resolveDir, loader: 'js' }, outfile, bundle: true, platform: 'node', format: 'esm',",
    "  target: 'node22', mainFields: ['module', 'main'], plugins: [swapPlugin, builtinsByRequirePlugin],",
    '  banner: { js: "import{createRequire as __r}from\'node:module\';const require=__r(import.meta.url);" },',
    "  logLevel: 'error',",
    '});',
  ].join('\n');
  execFileSync(process.execPath, ['--input-type=module', '-e', build, source, outfile, join(repoRoot, 'scripts')]);
  return outfile;
}

/** Runs a bundle on Node 22 the way Lambda loads a handler (import()); it prints one JSON line. */
function run(file: string): Record<string, unknown> {
  const out = execFileSync(node22Binary(), ['-e', `import(${JSON.stringify(file)})`], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

const LOADED = "const loaded = (id) => process.moduleLoadList.includes('NativeModule ' + id);";

describe("Node's built-ins through require() (bundle-builtins.mjs)", () => {
  it('a function that cannot be a constructor loads its built-in at its first call, answering as the built-in', () => {
    const text = join(work, 'text.txt');
    writeFileSync(text, 'héllo');
    const file = bundle(
      'lazy-call',
      [
        "import { readFile } from 'node:fs/promises';",
        "import fsp from 'node:fs/promises';",
        "import { createHash } from 'node:crypto';",
        LOADED,
        "const before = loaded('internal/fs/promises');",
        "const digest = createHash('sha256').update('x').digest('hex');",
        `const viaName = await readFile(${JSON.stringify(text)}, 'utf8');`,
        "const after = loaded('internal/fs/promises');",
        `const viaDefault = await fsp.readFile(${JSON.stringify(text)}, 'utf8');`,
        'console.log(JSON.stringify({ before, after, viaName, viaDefault, digest }));',
      ].join('\n'),
    );
    expect(run(file)).toEqual({
      before: false,
      after: true,
      viaName: 'héllo',
      viaDefault: 'héllo',
      digest: '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881',
    });
  });

  it("a default import reads the built-in's values when they are used", () => {
    const text = join(work, 'default.txt');
    writeFileSync(text, 'default');
    const file = bundle(
      'lazy-default',
      [
        "import fsp from 'node:fs/promises';",
        "import https from 'node:https';",
        "import { Agent } from 'node:https';",
        LOADED,
        "const before = loaded('internal/fs/promises');",
        `const read = await fsp.readFile(${JSON.stringify(text)}, 'utf8');`,
        "const after = loaded('internal/fs/promises');",
        'const agent = new https.Agent({ keepAlive: false });',
        'const same = https.Agent === Agent;',
        'console.log(JSON.stringify({ before, read, after, same, isAgent: agent instanceof Agent }));',
      ].join('\n'),
    );
    expect(run(file)).toEqual({ before: false, read: 'default', after: true, same: true, isAgent: true });
  });
});

describe("the SDK's files swapped at bundle time (bundle-swaps.mjs)", () => {
  it("the SDK's UUIDs come from node:crypto, and loading the SDK's serde does not load WebCrypto", () => {
    const file = bundle(
      'uuid',
      [
        "import { v4 } from '@smithy/core/serde';",
        LOADED,
        'const ids = [v4(), v4()];',
        "console.log(JSON.stringify({ ids, webcrypto: loaded('internal/crypto/webcrypto') }));",
      ].join('\n'),
    );
    const { ids, webcrypto } = run(file) as { ids: string[]; webcrypto: boolean };
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[0]).not.toBe(ids[1]);
    expect(webcrypto).toBe(false);
  });

  it("a body's length is the SDK's answer, and Node's file streams load only for a body that is one", () => {
    const text = join(work, 'body.txt');
    writeFileSync(text, 'x'.repeat(1234));
    const file = bundle(
      'body-length',
      [
        "import { calculateBodyLength } from '@smithy/core/serde';",
        "import { createReadStream } from 'node:fs';",
        LOADED,
        "const before = loaded('internal/fs/streams');",
        "const ofString = calculateBodyLength('héllo');",
        "const afterString = loaded('internal/fs/streams');",
        `const stream = createReadStream(${JSON.stringify(text)});`,
        'const ofStream = calculateBodyLength(stream);',
        'stream.destroy();',
        'console.log(JSON.stringify({ before, afterString, ofString, ofStream }));',
      ].join('\n'),
    );
    expect(run(file)).toEqual({ before: false, afterString: false, ofString: 6, ofStream: 1234 });
  });

  it('a swap whose text the library no longer has stops the build, naming the file', () => {
    const library = join(work, 'library.js');
    writeFileSync(library, 'export const a = 1;\n');
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { replaceExactly } from ${JSON.stringify(join(repoRoot, 'scripts/bundle-swaps.mjs'))};` +
          'try { replaceExactly(process.argv[1], [["export const b", "x"]]); console.log("no error"); }' +
          ' catch (error) { console.log(error.message); }',
        library,
      ],
      { encoding: 'utf8' },
    );
    expect(out.trim()).toBe(`bundle-swaps: ${library} does not contain "export const b" exactly once`);
  });
});
