/**
 * `npm run bench`: what each rotator costs, measured on its built zip as Lambda runs it (Node 22,
 * unpacked alone), against moto and the local targets. Writes docs/BENCHMARKS.md and prints it;
 * progress goes to stderr. Figures come from here, never from a test's timing.
 *
 *   ROTATIONS   cold and warm rotations per rotator (default 10)
 *   LOAD_RUNS   runs of `node -e 0` and of the module load, each (default 10)
 *   FLEET_SIZES batches of fresh secrets one warm process rotates, in order (default 10,100,500)
 *
 * Every package under packages/ with a `package` script is a rotator and is measured; one whose
 * target the bench cannot set up still gets its zip and module load measured, and the report says
 * why its rotations were not. Exits 1 when anything failed (the report says what).
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensureRotationFunction,
  localAwsEnv,
  repoRoot,
  secretsManagerClient,
  startMoto,
  zipPath,
} from '@rotators/testkit';
import { rotatorPackages } from '../tests/rotatorPackages.ts';
import { machine, motoVersion, node22Version, sha256, sourceRevision } from './machine.ts';
import { measureFleet } from './fleet.ts';
import { measureModuleLoads } from './moduleLoad.ts';
import { waitForQuiet } from './quiet.ts';
import { startCountingProxy } from './proxy.ts';
import { renderReport, type RotatorResult } from './report.ts';
import { measureRotations } from './rotations.ts';
import { measureStepLoads } from './stepLoads.ts';
import { type TargetSetup, Targets } from './targets.ts';
import { zipBudget } from './zipBudget.ts';

const ROTATIONS = positive('ROTATIONS', 10);
const LOAD_RUNS = positive('LOAD_RUNS', 10);
const FLEET_SIZES = (process.env.FLEET_SIZES?.trim() || '10,100,500').split(',').map((size) => {
  if (!/^[1-9]\d*$/.test(size.trim()))
    throw new Error(`FLEET_SIZES must be positive integers separated by commas (got "${process.env.FLEET_SIZES}")`);
  return Number(size);
});
const REPORT = join(repoRoot, 'docs', 'BENCHMARKS.md');

function positive(variable: string, fallback: number): number {
  const raw = process.env[variable]?.trim();
  if (!raw) return fallback;
  if (!/^[1-9]\d*$/.test(raw)) throw new Error(`${variable} must be a positive integer (got "${raw}")`);
  return Number(raw);
}

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

async function main(): Promise<number> {
  const started = Date.now();
  const date = new Date();
  const machineAtStart = machine();
  const rotators = rotatorPackages(repoRoot);
  progress(`rotators: ${rotators.join(', ')}; ROTATIONS=${ROTATIONS}, LOAD_RUNS=${LOAD_RUNS}`);

  const moto = await startMoto();
  const proxy = await startCountingProxy(moto.endpoint);
  // The rotation service and the secrets' set-up talk to moto directly: only the zip's calls are counted.
  const client = secretsManagerClient(moto.endpoint);
  const targets = new Targets(client);
  const results: RotatorResult[] = [];
  try {
    progress('starting moto and the targets');
    await targets.prepare(rotators);
    const rotationLambdaArn = await ensureRotationFunction(moto.endpoint);
    // First every rotator's target and zip, then every zip's module load, before anything rotates.
    const planned: { result: RotatorResult; zip: string; env: Record<string, string>; setup: TargetSetup }[] = [];
    for (const name of rotators) {
      const result: RotatorResult = { name, problems: [] };
      results.push(result);
      const zip = zipPath(name);
      if (!existsSync(zip)) {
        result.problems.push(`no ${zip.slice(repoRoot.length + 1)}: its package script did not produce it`);
        continue;
      }
      result.zip = { bytes: statSync(zip).size, sha256: sha256(zip), budget: zipBudget(name) };
      try {
        const setup = await targets.setUp(name);
        const env = { ...localAwsEnv(proxy.endpoint), ...('target' in setup ? setup.target.env : {}) };
        planned.push({ result, zip, env, setup });
      } catch (error) {
        result.problems.push(`target not set up: ${describe(error)}`);
      }
    }
    progress('waiting for a quiet machine (CPUs at least 90% idle for 3 s in a row, at most 120 s)');
    const loadQuiet = await waitForQuiet();
    progress(`module load of ${planned.length} zips, ${LOAD_RUNS} rounds`);
    const { loads, failed } = await measureModuleLoads(
      planned.map(({ result, zip, env }) => ({ name: result.name, zip, env })),
      LOAD_RUNS,
    );
    for (const { result } of planned) {
      result.moduleLoad = loads.get(result.name);
      if (failed.has(result.name))
        result.problems.push(`module load not measured: ${describe(failed.get(result.name))}`);
    }
    for (const { result, zip, env, setup } of planned) {
      const say = (message: string) => progress(`${result.name}: ${message}`);
      if ('unsupported' in setup) {
        result.problems.push(`rotations not measured: ${setup.unsupported}`);
        continue;
      }
      try {
        result.target = setup.target.description;
        const secretId = await setup.target.newSecret();
        result.runs = await measureRotations({
          zip,
          env,
          proxy,
          client,
          rotationLambdaArn,
          secretId,
          rotations: ROTATIONS,
          progress: say,
        });
        say('what each step loads');
        result.stepLoads = await measureStepLoads({
          rotator: result.name,
          zip,
          env,
          client,
          rotationLambdaArn,
          secretId,
        });
        result.fleet = await measureFleet({
          zip,
          env,
          client,
          rotationLambdaArn,
          sizes: FLEET_SIZES,
          newSecret: setup.target.newSecret,
          progress: say,
        });
      } catch (error) {
        result.problems.push(`rotations failed: ${describe(error)}`);
      }
    }
    const servers = await targets.versions();
    const report = renderReport({
      date,
      machine: machineAtStart,
      versions: { node22: node22Version(), bench: process.version, moto: motoVersion(), ...servers },
      revision: sourceRevision(),
      rotations: ROTATIONS,
      loadRuns: LOAD_RUNS,
      loadQuiet,
      fleetSizes: FLEET_SIZES,
      rotators: results,
    });
    mkdirSync(join(repoRoot, 'docs'), { recursive: true });
    writeFileSync(REPORT, report);
    process.stdout.write(report);
    progress(`wrote docs/BENCHMARKS.md in ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    await targets.stop();
    await proxy.stop();
    await moto.stop();
  }
  const failed = results.filter((r) => r.problems.some((p) => !p.startsWith('rotations not measured')));
  for (const r of results) for (const problem of r.problems) progress(`${r.name}: ${problem}`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    progress(`failed: ${describe(error)}`);
    process.exit(1);
  },
);
