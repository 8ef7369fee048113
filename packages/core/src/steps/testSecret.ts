import { isDeepStrictEqual } from 'node:util';
import { parseSecretValue, type SecretRecord } from '../secretValue.ts';
import { assertPendingFollowsCurrent } from './pendingGuard.ts';
import type { StepRun } from './stepRun.ts';

/**
 * Prove the pending value works. RotateSecret with RotateImmediately=false invokes this step alone
 * to test the configuration: then the pending version has no value of its own (or the current
 * one), and the current value is what gets tested.
 */
export async function testSecret<S extends SecretRecord>(run: StepRun<S>): Promise<void> {
  const { rotator, secrets, secretId, token, logger, errorContext } = run;
  const [currentVersion, pendingVersion] = await Promise.all([
    secrets.getVersion(secretId, 'AWSCURRENT'),
    secrets.findVersion(secretId, 'AWSPENDING', token),
  ]);
  const current = parseSecretValue(rotator.schema, currentVersion.secretString, 'AWSCURRENT', errorContext);
  const pending =
    pendingVersion?.secretString === undefined
      ? undefined
      : parseSecretValue(rotator.schema, pendingVersion.secretString, 'AWSPENDING', errorContext);

  if (pending === undefined || isDeepStrictEqual(pending, current)) {
    logger.info(
      'testSecret: no new pending value (a configuration test, RotateImmediately=false); testing the current value',
    );
    if (rotator.testConfiguration) await rotator.testConfiguration(current, run.stepContext());
    else await rotator.testPending({ current, pending: current }, run.stepContext());
    logger.info('testSecret: the current value works');
    return;
  }
  assertPendingFollowsCurrent(current, pending, rotator.rotatedFields, errorContext);
  await rotator.testPending({ current, pending }, run.stepContext());
  logger.info('testSecret: pending version works');
}
