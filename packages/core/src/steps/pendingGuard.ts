/**
 * The engine's confused-deputy guard for every rotator: AWSPENDING may differ from AWSCURRENT only
 * in the fields the rotation itself changes (`Rotator.rotatedFields`). Anyone who can write the
 * secret could otherwise plant a pending value naming another host, database, master secret or
 * provider, and the rotator would act on it (setSecret) or promote it (finishSecret), where
 * clients then read it. Every other top-level field, known to the schema or not, must be equal.
 * A field a rotator adds later is covered without anyone remembering to list it.
 */
import { isDeepStrictEqual } from 'node:util';
import { ConfusedDeputyError, type RotationErrorContext } from '../errors.ts';
import type { SecretRecord } from '../secretValue.ts';

export function assertPendingFollowsCurrent<S extends SecretRecord>(
  current: S,
  pending: S,
  rotatedFields: readonly string[],
  context: RotationErrorContext,
): void {
  for (const field of fieldsOutsideRotation(current, pending, rotatedFields)) {
    // Values are never shown: an unknown field may hold anything, a credential included.
    const change = !(field in pending)
      ? 'is missing from AWSPENDING'
      : !(field in current)
        ? 'is in AWSPENDING but not in AWSCURRENT'
        : 'differs between AWSPENDING and AWSCURRENT';
    throw new ConfusedDeputyError(
      field,
      `field "${field}" ${change}; ` +
        `a rotation may change only ${rotatedFields.map((f) => `"${f}"`).join(', ') || 'nothing'}. ` +
        'Refusing to act on or promote a pending value that names anything else ' +
        '(a new rotation starts from AWSCURRENT)',
      context,
    );
  }
}

/** The top-level fields, outside `rotatedFields`, in which `value` differs from `current`, sorted. */
export function fieldsOutsideRotation(
  current: SecretRecord,
  value: SecretRecord,
  rotatedFields: readonly string[],
): string[] {
  const keys = [...new Set([...Object.keys(current), ...Object.keys(value)])].sort();
  return keys.filter((field) => !rotatedFields.includes(field) && !isDeepStrictEqual(current[field], value[field]));
}
