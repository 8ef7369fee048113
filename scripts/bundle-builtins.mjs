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
// would (or, for a function that cannot be a constructor, at its first call: see facade). (A plain
// `module.exports = require(…)` is not enough: esbuild's CommonJS interop copies the exports'
// property descriptors, and asking for a lazy property's descriptor loads it too.)
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

/**
 * A function that cannot be a constructor (an async or arrow function, a method): a wrapper that
 * calls it through the module object behaves the same, as `new`, `extends` and `instanceof` do
 * not apply to it. Only data properties are read, so no lazy getter of the built-in runs here.
 */
function callableOnly(exports, name) {
  const value = Object.getOwnPropertyDescriptor(exports, name)?.value;
  // A bound function has no prototype either, but `new` accepts it.
  return typeof value === 'function' && !Object.hasOwn(value, 'prototype') && !value.name.startsWith('bound ');
}

/**
 * The module that stands for built-in `name` ("node:crypto"). A name bound to a function that
 * cannot be a constructor becomes a wrapper that loads the built-in at its first call: the
 * start-up path imports node:fs/promises (the SDK's config-file and container-credential readers)
 * but calls it only when it reads a file, and loading it costs ~1 ms (readline, fs watchers).
 * Any other name is read once, when the bundle loads, as an `import` would. The default export
 * is a proxy that loads the built-in at its first use and then answers as the module object
 * (every property, including those a newer Node has and the build's does not): esbuild evaluates
 * a shared module when the bundle loads, even if only a lazily loaded chunk imports its default.
 */
function facade(name) {
  // The names as this (build-time) Node lists them. A name the code imports that is missing
  // here fails the build.
  const exports = require(name);
  const names = Object.getOwnPropertyNames(exports).filter(exportable);
  return [
    `const load = () => require(${JSON.stringify(name)});`,
    // The default export (`import fs from 'node:fs/promises'`). Every trap asks the module; an
    // own property is reported configurable, which the empty target requires of a proxy.
    'export default /* @__PURE__ */ new Proxy({}, {',
    '  get: (_, key) => load()[key],',
    '  set: (_, key, value) => Reflect.set(load(), key, value),',
    '  has: (_, key) => key in load(),',
    '  ownKeys: () => Reflect.ownKeys(load()),',
    '  getOwnPropertyDescriptor: (_, key) => {',
    '    const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);',
    '    return descriptor && { ...descriptor, configurable: true };',
    '  },',
    '});',
    ...names.map((n) =>
      callableOnly(exports, n)
        ? `export const ${n} = (...args) => load().${n}(...args);`
        : `export const ${n} = /* @__PURE__ */ (() => load().${n})();`,
    ),
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
