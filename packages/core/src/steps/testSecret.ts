import type { SecretRecord } from '../secretValue.ts';
import type { StepRun } from './stepRun.ts';

export async function testSecret<S extends SecretRecord>(run: StepRun<S>): Promise<void> {
  const { current, pending } = await run.readCurrentAndPending();
  await run.rotator.testPending({ current, pending }, run.stepContext());
  run.logger.info('testSecret: pending version works');
}
