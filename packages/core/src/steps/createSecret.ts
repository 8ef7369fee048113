import { SecretsManagerCallError } from '../errors.ts';
import { parseSecretValue, type SecretRecord, validateSecretValue } from '../secretValue.ts';
import type { StepRun } from './stepRun.ts';

/**
 * Put a pending value under the token, once. A retry finds the pending version by
 * (VersionId=token, VersionStage=AWSPENDING) and writes nothing.
 */
export async function createSecret<S extends SecretRecord>(run: StepRun<S>): Promise<void> {
  const { rotator, secrets, secretId, token, logger, errorContext } = run;
  const current = parseSecretValue(
    rotator.schema,
    (await secrets.getVersion(secretId, 'AWSCURRENT')).secretString,
    'AWSCURRENT',
    errorContext,
  );

  const existing = await secrets.findVersion(secretId, 'AWSPENDING', token);
  if (existing) {
    parseSecretValue(rotator.schema, existing.secretString, 'AWSPENDING', errorContext);
    logger.info('createSecret: pending version already exists, nothing to do');
    return;
  }

  const pending = validateSecretValue(
    rotator.schema,
    await rotator.createPending(current, run.createContext()),
    'the pending value built by the rotator',
    errorContext,
  );
  try {
    await secrets.putPending(secretId, token, JSON.stringify(pending), run.rotationToken);
  } catch (error) {
    // A concurrent invocation may have put the value first; that is success if it is readable now.
    if (
      error instanceof SecretsManagerCallError &&
      (error.cause as Error | undefined)?.name === 'ResourceExistsException'
    ) {
      if (await secrets.findVersion(secretId, 'AWSPENDING', token)) {
        logger.info('createSecret: pending version was put by a concurrent invocation');
        return;
      }
    }
    throw error;
  }
  logger.info('createSecret: put pending version');
}
