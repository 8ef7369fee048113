/**
 * The whole proof for every rotator (or those named): call points × faults, load, overlap,
 * hostile input, then the leak scan over everything the run produced. Two scales: `full` (what
 * `npm run proof` runs and docs/RELIABILITY.md reports) and `test` (the same suites, smaller,
 * inside `npm test`).
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretsManagerClient } from '../aws.ts';
import { startMoto } from '../moto.ts';
import { ensureRotationFunction } from '../rotationFunction.ts';
import { type EnumerationResult, enumerateFaults } from './callPoints.ts';
import type { ProofContext } from './harness.ts';
import { type HostileOutcome, casesFor, runHostile } from './hostile.ts';
import { errorsText, type LeakScan, outputText, scanForLeaks } from './leaks.ts';
import { type LoadOptions, type LoadResult, runLoad } from './load.ts';
import { type OverlapOutcome, runOverlap, SCHEDULES } from './overlap.ts';
import { discoverSubjects, type ProofSubject } from './registry.ts';
import { ProofTargets } from './targets.ts';
import { type CallRecord, type Channel, FAULT_KINDS, type FaultKind, type Strategy } from './types.ts';

export interface PhasePlan {
  /** Clean rotations before the one whose calls are faulted. */
  phase: number;
  /** Only calls on these channels (default: all). */
  channels?: Channel[];
  /** Only rotators with these strategies (default: all). */
  strategies?: Strategy[];
  /**
   * 'all' call points, or a subset: every write (PutSecretValue, UpdateSecretVersionStage, DDL/DCL/DML
   * and COMMIT, POST/DELETE).
   */
  points: 'all' | 'writes';
}

export interface ProofScale {
  name: 'full' | 'test';
  /** Parallel cases per rotator (each with its own fixture). */
  workers: number;
  faults: readonly FaultKind[];
  phases: PhasePlan[];
  load: LoadOptions;
  /** Overlap schedules by name ('all', or a list). */
  overlap: 'all' | string[];
}

export const FULL_SCALE: ProofScale = {
  name: 'full',
  workers: 3,
  faults: FAULT_KINDS,
  phases: [
    { phase: 0, points: 'all' },
    // A second rotation takes the other path of alternating users (the base user gets the new
    // password); the engine's Secrets Manager calls are the same as in the first, so only target calls.
    { phase: 1, channels: ['sql', 'http'], strategies: ['alternating users', 'api key'], points: 'all' },
  ],
  load: { clients: 24, rotations: 10, ttlMs: 300, intervalMs: 900, paceMs: 100 },
  overlap: 'all',
};

export const TEST_SCALE: ProofScale = {
  name: 'test',
  workers: 2,
  faults: FAULT_KINDS,
  phases: [{ phase: 0, points: 'writes' }],
  load: { clients: 20, rotations: 2, ttlMs: 300, intervalMs: 900, paceMs: 150 },
  overlap: [SCHEDULES[3]!.name, SCHEDULES[5]!.name],
};

export interface RotatorProof {
  name: string;
  strategy?: Strategy;
  target?: string;
  /** Why this rotator could not be proven (then it fails the proof). */
  unsupported?: string;
  enumerations: EnumerationResult[];
  load?: LoadResult;
  loadSkipped?: string;
  overlap: OverlapOutcome[];
  hostile: HostileOutcome[];
  durationMs: number;
  /** Time per suite (call points, load, overlap, hostile). */
  suiteMs: Record<string, number>;
  /** Every problem of this rotator, one line each. */
  failures: string[];
}

export interface ProofResult {
  scale: ProofScale;
  started: Date;
  durationMs: number;
  rotators: RotatorProof[];
  leaks: { secretsKnown: number; scans: LeakScan[] };
  versions: { postgres?: string; mariadb?: string };
  failures: string[];
}

export interface ProofOptions {
  scale: ProofScale;
  /** Rotator names to prove (default: every rotator package). */
  only?: string[];
  /** A moto to use (default: one started here). */
  motoEndpoint?: string;
  progress?: (message: string) => void;
}

export async function runProof(options: ProofOptions): Promise<ProofResult> {
  const started = new Date();
  const progress = options.progress ?? (() => undefined);
  const moto = options.motoEndpoint ? undefined : await startMoto();
  const endpoint = options.motoEndpoint ?? moto!.endpoint;
  const targets = new ProofTargets();
  const admin: SecretsManagerClient = secretsManagerClient(endpoint);
  const ctx: ProofContext = {
    motoEndpoint: endpoint,
    rotationLambdaArn: await ensureRotationFunction(endpoint),
    admin,
    errors: [],
  };
  const rotators: RotatorProof[] = [];
  try {
    for (const found of await discoverSubjects(options.only)) {
      if ('unsupported' in found) {
        rotators.push({
          name: found.name,
          unsupported: found.unsupported,
          enumerations: [],
          overlap: [],
          hostile: [],
          durationMs: 0,
          suiteMs: {},
          failures: [`${found.name}: not proven: ${found.unsupported}`],
        });
        continue;
      }
      rotators.push(
        await proveRotator(ctx, targets, found.subject, options.scale, (m) => progress(`${found.subject.name}: ${m}`)),
      );
    }
    const versions = await targets.versions();
    const leakSources = [
      { source: 'log lines and output of the run', text: outputText() },
      {
        source: `errors thrown by the handlers (${ctx.errors.length}, with causes and stacks)`,
        text: errorsText(ctx.errors),
      },
      ...(await targets.serverLogs()),
    ];
    const leaks = scanForLeaks(leakSources);
    const failures = [
      ...rotators.flatMap((r) => r.failures),
      ...leaks.scans.filter((s) => s.hits > 0).map((s) => `LEAK: ${s.hits} secret value(s) in ${s.source}`),
    ];
    return {
      scale: options.scale,
      started,
      durationMs: Date.now() - started.getTime(),
      rotators,
      leaks,
      versions,
      failures,
    };
  } finally {
    await targets.stop();
    await moto?.stop();
  }
}

async function proveRotator(
  ctx: ProofContext,
  targets: ProofTargets,
  subject: ProofSubject,
  scale: ProofScale,
  progress: (m: string) => void,
): Promise<RotatorProof> {
  const started = Date.now();
  const proof: RotatorProof = {
    name: subject.name,
    strategy: subject.strategy,
    enumerations: [],
    overlap: [],
    hostile: [],
    durationMs: 0,
    suiteMs: {},
    failures: [],
  };
  let mark = Date.now();
  const lap = (suite: string) => {
    proof.suiteMs[suite] = (proof.suiteMs[suite] ?? 0) + Date.now() - mark;
    mark = Date.now();
  };
  const fail = (line: string) => proof.failures.push(`${subject.name}: ${line}`);
  try {
    const fixtures = [];
    for (let i = 0; i < scale.workers; i += 1)
      fixtures.push(await targets.fixture(subject.kind, subject.name, { httpFactory: subject.httpFactory }));
    const fixture = fixtures[0]!;
    proof.target = fixture.description;
    lap('set-up');

    for (const plan of scale.phases) {
      if (plan.strategies && !plan.strategies.includes(subject.strategy)) continue;
      progress(`call points × faults, phase ${plan.phase}`);
      const result = await enumerateFaults(ctx, subject, fixtures, {
        phase: plan.phase,
        faults: scale.faults,
        select: (calls) => selectPoints(calls, plan),
        progress,
      });
      proof.enumerations.push(result);
      for (const problem of result.referenceProblems) fail(`recorded rotation ${plan.phase + 1}: ${problem}`);
      for (const c of result.cases)
        for (const problem of c.problems)
          fail(`rotation ${plan.phase + 1} call ${c.index} ${c.call.step} ${c.call.label} × ${c.fault}: ${problem}`);
      lap('call points');
    }

    if (subject.kind === 'none') proof.loadSkipped = 'no target: nothing to log in to (clients read the secret only)';
    else {
      progress(`load: ${scale.load.clients} clients, ${scale.load.rotations} rotations`);
      proof.load = await runLoad(ctx, subject, fixture, scale.load);
      for (const problem of proof.load.problems) fail(`load: ${problem}`);
      lap('load');
    }

    progress('overlap');
    const schedules = scale.overlap === 'all' ? SCHEDULES : SCHEDULES.filter((s) => scale.overlap.includes(s.name));
    proof.overlap = await runOverlap(ctx, subject, fixture, schedules);
    for (const o of proof.overlap) for (const problem of o.problems) fail(`overlap "${o.schedule}": ${problem}`);
    lap('overlap');

    progress(`hostile input (${casesFor(subject).length} cases)`);
    proof.hostile = await runHostile(ctx, subject, fixture);
    for (const h of proof.hostile)
      for (const problem of h.problems) fail(`hostile "${h.name}" (${h.step}): ${problem}`);
    lap('hostile');
  } catch (error) {
    fail(`harness error: ${(error as Error).name}: ${(error as Error).message}`);
  }
  proof.durationMs = Date.now() - started;
  progress(`done in ${Math.round(proof.durationMs / 1000)} s, ${proof.failures.length} failure(s)`);
  return proof;
}

function selectPoints(calls: CallRecord[], plan: PhasePlan): number[] {
  const inChannel = calls.filter((c) => !plan.channels || plan.channels.includes(c.channel));
  return inChannel.filter((c) => plan.points === 'all' || c.write).map((c) => c.index);
}
