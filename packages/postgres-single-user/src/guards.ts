/**
 * The confused-deputy checks: which role, server and database an older version's password may be
 * sent to (only the ones the secret names now), and with which TLS.
 */
import { ConfusedDeputyError, type StepContext } from '@rotators/core';
import { type PostgresSecret, targetOf } from './schema.ts';

/**
 * The fields that say which role on which server a version is about. AWSPENDING is held to
 * AWSCURRENT by the engine (every field but `password`), and so are the versions without a label
 * it hands over; these are what AWSPREVIOUS must share with AWSPENDING, and a version without a
 * label with AWSCURRENT, before its password is tried. (`ssl` is not compared: older versions are
 * used with AWSCURRENT's, see withTlsOf.)
 */
const TARGET_FIELDS = ['username', 'host', 'port', 'dbname'] as const;
type TargetField = (typeof TARGET_FIELDS)[number];

/**
 * The confused-deputy guard for AWSPREVIOUS: its password is tried only for the role, server and
 * database AWSPENDING names, or a tampered AWSPREVIOUS could have another user's password changed.
 * Returns the error to report (or undefined when both name the same target) rather than throwing
 * it: setSecret skips such a version, goes on to the others, and reports this only if none logs in.
 */
export function otherTargetError(
  candidate: PostgresSecret,
  reference: PostgresSecret,
  candidateLabel: string,
  referenceLabel: string,
  ctx: StepContext,
): ConfusedDeputyError | undefined {
  const field = differingTargetField(candidate, reference);
  if (!field) return undefined;
  return new ConfusedDeputyError(
    field,
    `${candidateLabel} field "${field}" (${JSON.stringify(targetFieldsOf(candidate)[field])}) differs from ` +
      `${referenceLabel}'s (${JSON.stringify(targetFieldsOf(reference)[field])}): refusing to send its password ` +
      `to another user, server or database`,
    ctx,
  );
}

/** The first of the role, server and database fields in which two versions differ (defaults applied). */
export function differingTargetField(candidate: PostgresSecret, reference: PostgresSecret): TargetField | undefined {
  const a = targetFieldsOf(candidate);
  const b = targetFieldsOf(reference);
  return TARGET_FIELDS.find((field) => a[field] !== b[field]);
}

/**
 * An older version with AWSCURRENT's `ssl` setting. AWS PR #72: the older version's own `ssl` may
 * be stale, so it does not loosen AWSCURRENT's; nor may AWSCURRENT's loosen it (a writer who sets
 * "ssl": false in a new AWSCURRENT pushes the real old version, with its working password, to
 * AWSPREVIOUS): plaintext only when both say so.
 */
export function withTlsOf(current: PostgresSecret, older: PostgresSecret): PostgresSecret {
  return {
    ...older,
    ssl: current.ssl === false && older.ssl === false ? false : current.ssl === false ? true : current.ssl,
  };
}

/** The compared values, defaults applied. */
function targetFieldsOf(secret: PostgresSecret): Record<TargetField, string | number> {
  const target = targetOf(secret);
  return { username: target.username, host: target.host, port: target.port, dbname: target.database };
}
