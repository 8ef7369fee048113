/**
 * Issue #13 (module load), held by the built bundles (dist/lambda, as `turbo run package` left
 * them): Node's built-ins reach the bundle through require() (scripts/bundle-builtins.mjs), never
 * through an `import` statement, whose facade reads every export of the built-in and so loads
 * internal modules no rotation uses.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { localAwsEnv, node22Binary, repoRoot } from '@rotators/testkit';
import { describe, expect, it } from 'vitest';
import { rotatorPackages } from './rotatorPackages.ts';

const rotators = rotatorPackages(repoRoot);
const lambdaDir = (name: string) => join(repoRoot, 'packages', name, 'dist', 'lambda');
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** `import … from "x"` statements of a minified ES module, as [statement, specifier]. */
function staticImports(code: string): [string, string][] {
  return [
    ...code.matchAll(/\bimport\s*(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*\s*as\s+[\w$]+)?\s*from\s*["']([^"']+)["']/g),
  ].map((match) => [match[0], match[1]!]);
}

describe("Node's built-ins in the bundles", () => {
  it('the scan finds a built-in import where there is one', () => {
    expect(staticImports('import{randomInt as a}from"node:crypto";import b from"fs";')).toEqual([
      ['import{randomInt as a}from"node:crypto"', 'node:crypto'],
      ['import b from"fs"', 'fs'],
    ]);
  });

  it.each(rotators)("%s: no file of the bundle imports a built-in, except the banner's createRequire", (name) => {
    const files = readdirSync(lambdaDir(name), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.mjs'));
    expect(files).toContain('index.mjs');
    const imported = files.flatMap((file) =>
      staticImports(readFileSync(join(lambdaDir(name), file), 'utf8'))
        .filter(([, specifier]) => builtins.has(specifier) && specifier !== 'node:module')
        .map(([statement]) => `${file}: ${statement}`),
    );
    expect(imported).toEqual([]);
  });

  it('generic-password: loading index.mjs on Node 22 loads none of the internals a built-in import would', () => {
    const loaded = execFileSync(
      node22Binary(),
      [
        '-e',
        "const before = new Set(process.moduleLoadList); import('./index.mjs').then(() => " +
          'console.log(JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m)))));',
      ],
      {
        cwd: lambdaDir('generic-password'),
        env: { PATH: process.env.PATH ?? '', AWS_LAMBDA_FUNCTION_NAME: 'x', ...localAwsEnv('http://127.0.0.1:1') },
        encoding: 'utf8',
      },
    );
    const modules = JSON.parse(loaded) as string[];
    // What it does load: the HTTPS client the Secrets Manager client needs.
    expect(modules).toContain('NativeModule https');
    // A built-in import's facade would load the first three; the rest, the SDK's eager reads of
    // fs.ReadStream and of the global crypto (bundleRewrites.test.ts).
    for (const unused of [
      'worker_threads',
      'internal/util/parse_args/parse_args',
      'internal/util/diff',
      'internal/crypto/webcrypto',
      'internal/fs/streams',
      'internal/fs/promises',
      'internal/readline/interface',
    ])
      expect(modules).not.toContain(`NativeModule ${unused}`);
  });
});
