#!/usr/bin/env node
// Bundle a rotator package (run from its folder) into DIR/lambda/ for the nodejs22.x runtime: an ES
// module entry, index.mjs (Lambda's `index.handler`), and chunks/*.mjs that it imports. The AWS SDK is
// bundled (the runtime's copy is pinned and slower to load), minified, with source maps and esbuild's
// metafile written to DIR but never put in the zip, and the bundled packages' licence notices
// (*.LEGAL.txt) beside the code they belong to, which the zip ships.
//
// Why ES modules with code splitting (issue 13): a database driver, the RDS client or the HTTP client
// is reached through `await import(...)` in the step that uses it, and esbuild puts what only such an
// import reaches into a chunk of its own. A cold start then compiles and runs the engine and the
// Secrets Manager client only; createSecret and finishSecret of a database rotator never load the
// driver. A CommonJS bundle is one file that V8 compiles whole at every cold start (~40 µs per KB).
// Usage: node scripts/bundle-rotator.mjs [--out DIR]   (DIR defaults to dist)
import { build } from 'esbuild';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { builtinsByRequirePlugin } from './bundle-builtins.mjs';
import { swapPlugin } from './bundle-swaps.mjs';

const { values: args } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });
const packageDir = process.cwd();
const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const dist = resolve(packageDir, args.out);
// Exactly what the zip holds; emptied first so that no chunk of an earlier build is zipped.
const lambdaDir = join(dist, 'lambda');
rmSync(lambdaDir, { recursive: true, force: true });
for (const file of ['index.js', 'index.js.map', 'index.js.LEGAL.txt', 'maps'])
  rmSync(join(dist, file), { recursive: true, force: true });
// esbuild names chunks by a hash that covers their source maps, whose paths are relative to the
// output folder: a build into another folder (--out) would name the chunks differently. So the
// build goes to a staging folder at the depth of dist/lambda, then moves to DIR.
const stagingDir = mkdtempSync(join(packageDir, '.bundle-'));
const stagedLambda = join(stagingDir, 'lambda');

const result = await build({
  plugins: [swapPlugin, builtinsByRequirePlugin],
  entryPoints: { index: join(packageDir, 'src/index.ts') },
  outdir: stagedLambda,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  // The CommonJS packages inside (mysql2, pg, axios' dependencies) call require() for Node's own
  // modules; an ES module has none, so every output file gets one.
  banner: {
    js:
      "import{createRequire as __rotatorsCreateRequire}from'node:module';" +
      'const require=__rotatorsCreateRequire(import.meta.url);',
  },
  target: 'node22',
  minify: true,
  sourcemap: 'external',
  // Paths in the map are relative, so the output does not depend on where the repo is checked out.
  sourceRoot: '',
  // Third-party licences (MIT, Apache-2.0 notices) must travel with the code; keep them out of the
  // minified file but beside it.
  legalComments: 'external',
  metafile: true,
  // pg's optional native binding is never used; keep the bundle pure JavaScript (arm64-safe).
  external: ['pg-native'],
  // ES module builds first (esbuild's Node default is main, i.e. CommonJS), so unused code of the AWS
  // SDK and @smithy packages is tree-shaken: the SDK's CommonJS indexes pull in every command and
  // helper (issue 13: -140 KB of output, @aws-sdk/client-rds alone -190 KB).
  mainFields: ['module', 'main'],
  loader: { '.pem': 'text' },
  logLevel: 'warning',
}).catch((error) => {
  rmSync(stagingDir, { recursive: true, force: true });
  throw error;
});
mkdirSync(dist, { recursive: true });
// Paths in the metafile as if the build had gone to DIR itself.
const staged = relative(packageDir, stagingDir).split(sep).join('/');
const wanted = relative(packageDir, dist).split(sep).join('/');
writeFileSync(
  join(dist, 'meta.json'),
  JSON.stringify(result.metafile).replaceAll(`${staged}/lambda/`, `${wanted}/lambda/`),
);
// Source maps are for people reading a stack trace, not for Lambda: out of the folder that is zipped.
mkdirSync(join(dist, 'maps'), { recursive: true });
for (const file of readdirSync(stagedLambda, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.map'))) {
  const target = join(dist, 'maps', file);
  mkdirSync(dirname(target), { recursive: true });
  renameSync(join(stagedLambda, file), target);
}
cpSync(stagedLambda, lambdaDir, { recursive: true });
rmSync(stagingDir, { recursive: true, force: true });
const code = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.mjs'));
const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
const entry = code.find(([file]) => file.endsWith('/index.mjs'));
console.log(
  `${pkg.name}: ${args.out}/lambda/index.mjs ${kib(entry[1].bytes)}, ` +
    `${code.length - 1} chunks ${kib(code.reduce((sum, [, o]) => sum + o.bytes, 0) - entry[1].bytes)}`,
);
