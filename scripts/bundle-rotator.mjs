#!/usr/bin/env node
// Bundle a rotator package (run from its folder) into dist/index.js for the nodejs22.x runtime:
// CommonJS (no dynamic-require pitfalls), the AWS SDK bundled (the runtime's copy is pinned and
// slower to load), minified, with a source map written beside it but never put in the zip, and the
// bundled packages' licence notices in dist/index.js.LEGAL.txt, which the zip ships.
// Usage: node scripts/bundle-rotator.mjs [--out DIR]   (DIR defaults to dist)
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });
const packageDir = process.cwd();
const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const dist = resolve(packageDir, args.out);
// esbuild writes index.js.LEGAL.txt only when some input has a legal comment: never zip a stale one.
for (const file of ['index.js', 'index.js.LEGAL.txt']) rmSync(join(dist, file), { force: true });

const result = await build({
  entryPoints: [join(packageDir, 'src/index.ts')],
  outfile: join(dist, 'index.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
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
  loader: { '.pem': 'text' },
  logLevel: 'warning',
});
writeFileSync(join(dist, 'meta.json'), JSON.stringify(result.metafile));
const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs).find((f) => f.endsWith('index.js'))].bytes;
console.log(`${pkg.name}: ${args.out}/index.js ${(bytes / 1024).toFixed(0)} KiB`);
