/**
 * Overlap: two rotations of one secret with two tokens, their steps interleaved. moto accepts a
 * second RotateSecret while the first rotation is unfinished and moves AWSPENDING to the new token
 * (AWS refuses it; on AWS it happens when an operator removes the stuck AWSPENDING, as AWS's
 * troubleshooting guide advises, and starts again). The first rotation's later steps then fail the
 * preamble. Schedules: both started at once (either step order), the second started after the
 * first's createSecret, setSecret or testSecret, and both driven at the same time. As Secrets
 * Manager does, a failed step is invoked again with the same token (up to 3 times) and a rotation
 * whose step keeps failing goes no further (its later steps are never invoked).
 *
 * Must hold: at most one rotation completes (moves AWSCURRENT to its token); no lockout in any
 * state on the way; after the service's clean-up the labels are consistent and the target accepts
 * AWSCURRENT; nothing is left that no version holds (API key: no key at the provider that no
 * version holds); and the next rotation succeeds at once.
 */
import { CaseRun, type ProofContext, finalProblems } from './harness.ts';
import type { ProofSubject } from './registry.ts';
import { STEPS, type Step } from '../rotationService.ts';
import type { Fixture } from './fixture.ts';

export interface OverlapOutcome {
  schedule: string;
  /** Tokens that moved AWSCURRENT to themselves ("A", "B"). */
  completed: string[];
  problems: string[];
}

type Action = { start: 'A' | 'B' } | { run: 'A' | 'B'; step: Step } | { concurrent: true };

const steps = (who: 'A' | 'B') => STEPS.map((step) => ({ run: who, step }) as Action);
const alternate = (first: Action[], second: Action[]) =>
  first.flatMap((a, i) => [a, ...(second[i] ? [second[i]!] : [])]).concat(second.slice(first.length));

/** The schedules, by name. `k` = how many of A's steps ran before B started. */
export const SCHEDULES: Array<{ name: string; actions: Action[] }> = [
  {
    name: 'both started at once, steps A B A B …',
    actions: [{ start: 'A' }, { start: 'B' }, ...alternate(steps('A'), steps('B'))],
  },
  {
    name: 'both started at once, steps B A B A …',
    actions: [{ start: 'A' }, { start: 'B' }, ...alternate(steps('B'), steps('A'))],
  },
  ...[1, 2, 3].map((k) => ({
    name: `B started after A's ${STEPS[k - 1]}, then steps alternate`,
    actions: [
      { start: 'A' } as Action,
      ...steps('A').slice(0, k),
      { start: 'B' } as Action,
      ...alternate(steps('A').slice(k), steps('B')),
    ],
  })),
  { name: 'both driven at the same time, each step retried', actions: [{ concurrent: true }] },
];

export async function runOverlap(
  ctx: ProofContext,
  subject: ProofSubject,
  fixture: Fixture,
  schedules = SCHEDULES,
): Promise<OverlapOutcome[]> {
  const outcomes: OverlapOutcome[] = [];
  for (const schedule of schedules) outcomes.push(await runSchedule(ctx, subject, fixture, schedule));
  return outcomes;
}

async function runSchedule(
  ctx: ProofContext,
  subject: ProofSubject,
  fixture: Fixture,
  schedule: { name: string; actions: Action[] },
): Promise<OverlapOutcome> {
  const outcome: OverlapOutcome = { schedule: schedule.name, completed: [], problems: [] };
  try {
    const run = await CaseRun.start(ctx, subject, fixture);
    const { service } = run;
    const tokens: Record<'A' | 'B', string> = { A: '', B: '' };
    const stopped = new Set<'A' | 'B'>();
    const finished = async (who: 'A' | 'B') => {
      const stages = await service.stages(run.secretId);
      if ((stages[tokens[who]] ?? []).includes('AWSCURRENT') && !outcome.completed.includes(who))
        outcome.completed.push(who);
    };
    for (let i = 0; i < schedule.actions.length; i += 1) {
      const action = schedule.actions[i]!;
      if ('concurrent' in action) {
        const [a, b] = await Promise.all([service.start(run.secretId), service.start(run.secretId)]);
        Object.assign(tokens, { A: a, B: b });
        const record = { completed: false, tokens: [], invocations: 0, failures: [], abandoned: [] };
        await Promise.all([
          service.runSteps(run.secretId, a, STEPS, { ...record }),
          service.runSteps(run.secretId, b, STEPS, { ...record }),
        ]);
        await finished('A');
        await finished('B');
      } else if ('start' in action) {
        // "At once": the next action is also a start, so both RotateSecret calls go out together.
        const next = schedule.actions[i + 1];
        if (next && 'start' in next) {
          const [first, second] = await Promise.all([service.start(run.secretId), service.start(run.secretId)]);
          // moto applies them in some order; the one that holds AWSPENDING now is B.
          const stages = await service.stages(run.secretId);
          const bFirst = (stages[first] ?? []).includes('AWSPENDING');
          Object.assign(tokens, bFirst ? { A: second, B: first } : { A: first, B: second });
          i += 1;
        } else tokens[action.start] = await service.start(run.secretId);
      } else if (!stopped.has(action.run)) {
        const record = { completed: false, tokens: [], invocations: 0, failures: [], abandoned: [] };
        if (!(await service.runSteps(run.secretId, tokens[action.run], [action.step], record))) stopped.add(action.run);
        else if (action.step === 'finishSecret') await finished(action.run);
      }
    }
    if (outcome.completed.length > 1)
      outcome.problems.push(`both rotations completed (${outcome.completed.join(', ')})`);
    // The service's clean-up: AWSPENDING off the completed token, and off any abandoned one.
    for (const who of outcome.completed as Array<'A' | 'B'>) await service.cleanUpPending(run.secretId, tokens[who]);
    await service.removeStuckPending(run.secretId);
    if (run.fixture.leftovers)
      outcome.problems.push(
        ...(await run.fixture.leftovers(ctx.admin, run.secret, false)).map((p) => `after the overlap: ${p}`),
      );
    outcome.problems.push(...(await run.cleanRotation('the next rotation after the overlap')));
    outcome.problems.push(...(await finalProblems(run, { strictLeftovers: true })));
  } catch (error) {
    outcome.problems.push(`harness error: ${(error as Error).name}: ${(error as Error).message}`);
  }
  return outcome;
}
