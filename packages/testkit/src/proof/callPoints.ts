/**
 * Every call point × every fault. One clean rotation is recorded first (after `phase` clean
 * rotations: phase 1 is a rotator's second rotation, where alternating users take the other path).
 * Then, for each call k of that rotation and each fault, a fresh secret is rotated the same way
 * with that fault at call k, the service retrying as Secrets Manager does; then one more clean
 * rotation must succeed at once, and the case's checks (harness.ts finalProblems) must hold.
 */
import { brief, CaseRun, type ProofContext, cleanProblems, finalProblems } from './harness.ts';
import type { ProofSubject } from './registry.ts';
import { type CallPoint, callPointsOf } from './recorder.ts';
import type { CallRecord, FaultKind } from './types.ts';
import type { Fixture } from './fixture.ts';

export interface FaultCase {
  index: number;
  fault: FaultKind;
  /** The call the fault was meant for (from the recorded rotation). */
  call: CallRecord;
  /** Where the call came in the faulted rotation, when not where it came in the recorded one. */
  hit?: string;
  problems: string[];
  /** Invocations that failed before the rotation completed. */
  failedInvocations: number;
  /** Rotations abandoned for a new token (the step kept failing). */
  abandoned: number;
  ms: number;
}

export interface EnumerationResult {
  phase: number;
  /** The recorded rotation's calls. */
  calls: CallRecord[];
  /** Problems of the recorded (fault-free) rotation itself. */
  referenceProblems: string[];
  cases: FaultCase[];
}

export interface EnumerationOptions {
  /** Clean rotations before the one under test (0: the first rotation of a new secret). */
  phase: number;
  faults: readonly FaultKind[];
  /** Which call indices to fault (default: all). */
  select?: (calls: CallRecord[]) => number[];
  progress?: (message: string) => void;
}

export async function enumerateFaults(
  ctx: ProofContext,
  subject: ProofSubject,
  fixtures: Fixture[],
  options: EnumerationOptions,
): Promise<EnumerationResult> {
  const referenceProblems: string[] = [];
  // A first rotation on the server does its one-time set-up (e.g. the MySQL rotator's ownership
  // table): done here, on a secret of its own, so the recorded rotation is what every case meets.
  const warmUp = await CaseRun.start(ctx, subject, fixtures[0]!, { probe: false });
  referenceProblems.push(...(await warmUp.cleanRotation('the warm-up rotation')));
  const reference = await CaseRun.start(ctx, subject, fixtures[0]!);
  for (let i = 1; i <= options.phase; i += 1)
    referenceProblems.push(...(await reference.cleanRotation(`clean rotation ${i}`)));
  reference.recorder.reset();
  referenceProblems.push(...cleanProblems(await reference.service.rotate(reference.secretId), 'the recorded rotation'));
  const calls = [...reference.recorder.calls];
  const points = callPointsOf(calls);
  referenceProblems.push(...(await finalProblems(reference, { strictLeftovers: false })));

  const indices = options.select ? options.select(calls) : calls.map((c) => c.index);
  const queue = indices.flatMap((index) => options.faults.map((fault) => ({ index, fault })));
  const total = queue.length;
  const cases: FaultCase[] = [];
  const worker = async (fixture: Fixture) => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      cases.push(
        await runFaultCase(ctx, subject, fixture, options.phase, calls[next.index]!, points[next.index]!, next.fault),
      );
      if (cases.length % 10 === 0 || cases.length === total)
        options.progress?.(`phase ${options.phase}: ${cases.length}/${total} fault cases`);
    }
  };
  await Promise.all(fixtures.map(worker));
  cases.sort((a, b) => a.index - b.index || a.fault.localeCompare(b.fault));
  return { phase: options.phase, calls, referenceProblems, cases };
}

async function runFaultCase(
  ctx: ProofContext,
  subject: ProofSubject,
  fixture: Fixture,
  phase: number,
  call: CallRecord,
  point: CallPoint,
  fault: FaultKind,
): Promise<FaultCase> {
  const started = Date.now();
  const problems: string[] = [];
  const result: FaultCase = { index: call.index, fault, call, problems, failedInvocations: 0, abandoned: 0, ms: 0 };
  try {
    const run = await CaseRun.start(ctx, subject, fixture);
    for (let i = 1; i <= phase; i += 1)
      problems.push(...(await run.cleanRotation(`clean rotation ${i} before the fault`)));
    run.recorder.reset();
    run.recorder.arm(point, fault);
    const outcome = await run.service.rotate(run.secretId);
    const fired = run.recorder.fired;
    run.recorder.disarm();
    result.failedInvocations = outcome.failures.length;
    result.abandoned = outcome.abandoned.length + (outcome.completed ? 0 : 1);
    if (!fired) problems.push('the fault was never reached: this rotation made no such call');
    else if (fired.call.index !== call.index) result.hit = `call ${fired.call.index}`;
    if (!outcome.completed)
      problems.push(
        `LOST ROTATION: no rotation completed after the fault ` +
          `(${outcome.tokens.length} token(s), ${outcome.invocations} invocations): ${describe(outcome.failures)}`,
      );
    problems.push(...(await run.cleanRotation('the next rotation after the fault')));
    problems.push(...(await finalProblems(run, { strictLeftovers: true })));
  } catch (error) {
    problems.push(`harness error: ${(error as Error).name}: ${(error as Error).message}`);
  }
  result.ms = Date.now() - started;
  return result;
}

function describe(
  failures: Array<{ step: string; attempt: number; crashed: boolean; error?: { name: string; message: string } }>,
): string {
  return failures
    .slice(-3)
    .map((f) => `${f.step}#${f.attempt} ${f.crashed ? 'crashed' : `${f.error?.name}: ${brief(f.error?.message)}`}`)
    .join(' | ');
}
