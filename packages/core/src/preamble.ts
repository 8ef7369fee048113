/** The checks AWS's templates make before any step, in the same order. */
import {
  RotationNotEnabledError,
  type RotationErrorContext,
  UnknownVersionError,
  VersionNotPendingError,
} from './errors.ts';
import type { SecretMetadata } from './secretsGateway.ts';

export type PreambleOutcome = 'run-step' | 'already-current';

export function checkPreamble(metadata: SecretMetadata, token: string, context: RotationErrorContext): PreambleOutcome {
  // Only an explicit false fails: moto omits the field until the first RotateSecret.
  if (metadata.rotationEnabled === false) {
    throw new RotationNotEnabledError('Rotation is not enabled for this secret', context);
  }
  const stages = metadata.versionIdsToStages[token];
  if (!stages) {
    throw new UnknownVersionError(`Secret version ${token} has no stage for rotation of this secret`, context);
  }
  if (stages.includes('AWSCURRENT')) return 'already-current';
  if (!stages.includes('AWSPENDING')) {
    throw new VersionNotPendingError(
      `Secret version ${token} is not set as AWSPENDING for rotation of this secret`,
      context,
    );
  }
  return 'run-step';
}
