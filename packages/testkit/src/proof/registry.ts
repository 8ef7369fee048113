/**
 * The rotators under proof, discovered: every package under packages/ with a `package` script (the
 * bench's rule) is one. Its rotator comes from `src/rotator.ts` (the scaffold's layout): a
 * `create…Rotator(options)` factory, called with `{ env, <wire> }`, or an exported rotator object.
 * Its target comes from its name (targets.ts). A package this cannot set up is still listed, with
 * the reason, and the proof fails for it: a rotator without a proof is not proven.
 *
 * A new rotator named like an existing kind (postgres-…, mysql-…, api-key…) is proven without a
 * change here; another kind needs its target in targets.ts (one entry).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../paths.ts';
import { type HttpFactoryLike, KNOWN_TARGETS, targetKind } from './targets.ts';
import type { Strategy, TargetKind } from './types.ts';

/** The parts of @rotators/core's Rotator the harness uses (the engine does the rest). */
export interface RotatorLike {
  name: string;
  schema: unknown;
  rotatedFields: readonly string[];
  createPending: (...args: never[]) => unknown;
}

export interface ProofSubject {
  /** The package folder (= rotator name). */
  name: string;
  kind: TargetKind;
  strategy: Strategy;
  /** A new rotator with these options (`env` and the wire); a new one per cold start. */
  build(options: Record<string, unknown>): RotatorLike;
  /** api-key: the real HTTP factory the recording wire wraps. */
  httpFactory?: HttpFactoryLike;
}

export type Discovered = { subject: ProofSubject } | { name: string; unsupported: string };

/** Rotator packages: workspaces under packages/ that build a Lambda zip (a "package" script). */
export function rotatorPackages(root = repoRoot): string[] {
  return readdirSync(join(root, 'packages'))
    .filter((name) => existsSync(join(root, 'packages', name, 'package.json')))
    .filter((name) =>
      Boolean(
        (
          JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as {
            scripts?: Record<string, string>;
          }
        ).scripts?.package,
      ),
    )
    .sort();
}

export function strategyOf(name: string, kind: TargetKind): Strategy {
  if (kind === 'none') return 'no target';
  if (kind === 'key-api') return 'api key';
  return name.includes('alternating') ? 'alternating users' : 'single user';
}

/** Every rotator package, as a subject or with the reason it cannot be proven. `only` narrows by name. */
export async function discoverSubjects(only?: string[], root = repoRoot): Promise<Discovered[]> {
  const names = rotatorPackages(root).filter((name) => !only || only.length === 0 || only.includes(name));
  return Promise.all(names.map((name) => discover(name, root)));
}

async function discover(name: string, root: string): Promise<Discovered> {
  const kind = targetKind(name);
  if (!kind)
    return {
      name,
      unsupported:
        `the proof has no target for "${name}" ` +
        `(packages/testkit/src/proof/targets.ts knows ${KNOWN_TARGETS}): add one there`,
    };
  const source = join(root, 'packages', name, 'src', 'rotator.ts');
  if (!existsSync(source))
    return { name, unsupported: `packages/${name}/src/rotator.ts not found: the proof builds the rotator from it` };
  const module = (await import(pathToFileURL(source).href)) as Record<string, unknown>;
  const build = builderOf(module);
  if (!build)
    return {
      name,
      unsupported:
        `packages/${name}/src/rotator.ts exports neither ` +
        'a create…Rotator(options) factory ' +
        'nor a rotator object',
    };
  let httpFactory: HttpFactoryLike | undefined;
  if (kind === 'key-api') {
    const client = join(root, 'packages', name, 'src', 'http', 'client.ts');
    const found = existsSync(client)
      ? ((await import(pathToFileURL(client).href)) as Record<string, unknown>).createKeyApiHttp
      : undefined;
    if (typeof found !== 'function')
      return {
        name,
        unsupported: `packages/${name}/src/http/client.ts exports no createKeyApiHttp for the recording wire to wrap`,
      };
    httpFactory = found as HttpFactoryLike;
  }
  return { subject: { name, kind, strategy: strategyOf(name, kind), build, httpFactory } };
}

function builderOf(module: Record<string, unknown>): ((options: Record<string, unknown>) => RotatorLike) | undefined {
  const factory = Object.entries(module).find(
    ([key, value]) => /^create\w*Rotator$/.test(key) && typeof value === 'function',
  )?.[1] as ((options: Record<string, unknown>) => RotatorLike) | undefined;
  if (factory) return factory;
  const object = Object.values(module).find((value) => isRotator(value)) as RotatorLike | undefined;
  return object ? () => object : undefined;
}

function isRotator(value: unknown): value is RotatorLike {
  const candidate = value as Partial<RotatorLike> | undefined;
  return Boolean(
    candidate &&
      typeof candidate === 'object' &&
      typeof candidate.name === 'string' &&
      typeof candidate.createPending === 'function' &&
      candidate.schema,
  );
}
