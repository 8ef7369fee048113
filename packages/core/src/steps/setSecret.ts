import type { SecretRecord } from '../secretValue.ts';
import type { StepRun } from './stepRun.ts';

export async function setSecret<S extends SecretRecord>(run: StepRun<S>): Promise<void> {
  const { current, pending } = await run.readCurrentAndPending();
  const previous = await run.readPreviousIfUsable();
  await run.rotator.setPending({ current, pending, previous }, run.stepContext());
  run.logger.info('setSecret: done');
}
