// Node's own modules, imported by the bundle through require() instead of an `import` statement
// (issue 13: module load).
//
// Why: Node gives an ES module that imports a built-in (`import { randomInt } from 'node:crypto'`)
// a facade that lists every export of the built-in and reads each value once, which runs the
// lazy getters behind them. Importing node:crypto loads WebCrypto, node:process loads the
// diagnostic report and the finalization registry, node:util loads parseArgs and the diff
// helpers, node:fs loads fs/promises and readline: about fifteen internal modules no rotation
// uses, compiled at every cold start. So each built-in becomes a small module of the bundle that
// takes the exports object from require() and exports each of its names as the value read from it,
// marked pure: esbuild drops the names nobody imports, and the rest are read once, as the import
// would. (A plain `module.exports = require(…)` is not enough: esbuild's CommonJS interop copies
// the exports' property descriptors, and asking for a lazy property's descriptor loads it too.)
// The bundle's banner defines `require` in every output file (createRequire).
//
// Only static `import` statements are rewritten; `require()` calls already go this way, and a
// dynamic `import('node:…')` is left alone (none is on the start-up path).
import { builtinModules, createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const NAMESPACE = 'rotators-node-builtin';
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const escaped = [...builtins].map((name) => name.replace(/[/:]/g, (c) => `\\${c}`));
const filter = new RegExp(`^(${escaped.join('|')})$`);

/** Names that can be exported as `export const name`: identifiers, not reserved words. */
function exportable(name) {
  if (!/^[A-Za-z_$][\w$]*$/.test(name) || name === 'default') return false;
  try {
    new Function(`let ${name};`);
    return true;
  } catch {
    return false;
  }
}

/** The module that stands for built-in `name` ("node:crypto"). */
function facade(name) {
  // The names as this (build-time) Node lists them, without reading a value: the listing does
  // not run the lazy getters. A name the code imports that is missing here fails the build.
  const names = Object.getOwnPropertyNames(require(name)).filter(exportable);
  return [
    `const m = require(${JSON.stringify(name)});`,
    'export default m;',
    ...names.map((n) => `export const ${n} = /* @__PURE__ */ (() => m.${n})();`),
  ].join('\n');
}

/** @type {import('esbuild').Plugin} */
export const builtinsByRequirePlugin = {
  name: 'node-builtins-by-require',
  setup(build) {
    build.onResolve({ filter }, (args) => {
      if (args.kind !== 'import-statement') return undefined;
      const name = args.path.startsWith('node:') ? args.path : `node:${args.path}`;
      return { path: name, namespace: NAMESPACE };
    });
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({ contents: facade(args.path), loader: 'js' }));
  },
};
