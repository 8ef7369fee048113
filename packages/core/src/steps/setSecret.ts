import type { UnlabelledVersion } from '../rotator.ts';
import type { SecretRecord } from '../secretValue.ts';
import type { StepRun } from './stepRun.ts';

export async function setSecret<S extends SecretRecord>(run: StepRun<S>): Promise<void> {
  const { current, pending } = await run.readCurrentAndPending();
  const previous = await run.readPreviousIfUsable();
  // Read only if the rotator asks (after the labelled versions failed), and then once.
  let unlabelled: Promise<UnlabelledVersion<S>[]> | undefined;
  const newerUnlabelled = () => (unlabelled ??= run.readNewerUnlabelled(current));
  await run.rotator.setPending({ current, pending, previous, newerUnlabelled }, run.stepContext());
  run.logger.info('setSecret: done');
}
