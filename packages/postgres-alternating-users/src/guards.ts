/**
 * Confused-deputy checks this rotator adds to the engine's (which holds every field of AWSPENDING
 * but username and password to AWSCURRENT's): the pending user is the alternate of the current
 * one, and the master secret names the server the secret does.
 *
 * Checked elsewhere, because they need the server's answers: that the roles which exist are this
 * secret's (plan.ts checkEvidence, on the marks of markers.ts); and MASTER_SECRET_ARNS by core
 * (checkMasterSecretAllowed).
 */
import { ConfusedDeputyError, type RotationErrorContext } from '@rotators/core';
import { alternateUsername } from './names.ts';
import { type MasterSecret, type PostgresAlternatingSecret, portOf, sameHost } from './schema.ts';

export function checkPendingIsAlternate(
  current: PostgresAlternatingSecret,
  pending: PostgresAlternatingSecret,
  context: RotationErrorContext,
): void {
  if (pending.username !== alternateUsername(current.username)) {
    throw new ConfusedDeputyError(
      'username',
      'AWSPENDING "username" must be the alternate of AWSCURRENT\'s user ' +
        '(the same name with "_clone" added or removed)',
      context,
    );
  }
}

/** The master is used only on the server the secret names (no replica or other endpoint is followed). */
export function checkMasterTarget(
  current: PostgresAlternatingSecret,
  master: MasterSecret,
  context: RotationErrorContext,
): void {
  if (!sameHost(master.host, current.host) || portOf(master) !== portOf(current)) {
    throw new ConfusedDeputyError(
      'masterarn',
      `the master secret ${current.masterarn} names ${master.host}:${portOf(master)}, not the secret's server ` +
        `${current.host}:${portOf(current)}; the master's password is sent only there`,
      context,
    );
  }
}
