import { toRotationError } from '../errors.ts';
import type { SecretRecord } from '../secretValue.ts';
import type { StepRun } from './stepRun.ts';

/**
 * Move AWSCURRENT to the token. AWSPENDING is left where it is: Secrets Manager removes it once
 * the rotation has succeeded, and removing it here would make a retried step fail the preamble.
 */
export async function finishSecret<S extends SecretRecord>(run: StepRun<S>): Promise<void> {
  const { secrets, secretId, token, logger, metadata, rotator } = run;
  // The preamble already returned if the token holds AWSCURRENT, so this is another version (or none).
  const currentVersionId = Object.entries(metadata.versionIdsToStages).find(([, stages]) =>
    stages.includes('AWSCURRENT'),
  )?.[0];

  // Only a pending value that fits the schema and follows AWSCURRENT is promoted: a stray value put
  // by hand, then a direct invoke of finishSecret, must not become what clients read. Read before
  // the labels move, so a read failure cannot strand a promotion half-done; afterFinish uses it too.
  const versions = await run.readCurrentAndPending();

  await secrets.promote(secretId, token, currentVersionId);
  logger.info('finishSecret: moved AWSCURRENT to the pending version', { previousVersionId: currentVersionId });

  if (rotator.afterFinish) {
    try {
      await rotator.afterFinish({ current: versions.pending, previous: versions.current }, run.stepContext());
    } catch (error) {
      const safe = toRotationError(error, run.errorContext);
      logger.error('finishSecret: post-promotion clean-up failed; it runs again at the next rotation', {
        error: { name: safe.name, message: safe.message },
      });
    }
  }
}
