/**
 * Which secrets may serve as a master (admin) secret. A secret's `masterarn` is written by whoever
 * can write the secret, and the function's role can read every secret it rotates: without a list,
 * a secret's writer could name another rotated secret as its "master" and have its credential used
 * on their behalf (on the same server; the host check still holds). MASTER_SECRET_ARNS, set by the
 * Terraform modules from the masters they wire, is that list: the function's configuration, not the
 * secret, decides. Unset, any readable secret may serve, and the cold start logs a WARN saying so.
 */
import { ConfusedDeputyError, type RotationErrorContext } from '../errors.ts';
import { type Env, readList } from '../env.ts';
import type { RotationLogger } from '../logger.ts';

/** Same secret: equal ARNs, or one given without the 6-character suffix Secrets Manager appends. */
export function sameSecretArn(a: string, b: string): boolean {
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  return long === short || (long.startsWith(`${short}-`) && long.length === short.length + 7);
}

export interface MasterSecretPolicy {
  /** Undefined: MASTER_SECRET_ARNS unset, any readable secret may serve. */
  allowed?: readonly string[];
}

export function readMasterSecretPolicy(env: Env, logger?: Pick<RotationLogger, 'warn'>): MasterSecretPolicy {
  const allowed = readList(env, 'MASTER_SECRET_ARNS');
  if (allowed.length > 0) return { allowed };
  logger?.warn(
    'MASTER_SECRET_ARNS is unset: any secret this function can read may be named as a master by a rotated secret. ' +
      "The Terraform modules set it; set it to the master secrets' ARNs",
  );
  return {};
}

/** Before the master secret is read: `masterarn` must be one of MASTER_SECRET_ARNS when that is set. */
export function checkMasterSecretAllowed(
  masterArn: string,
  policy: MasterSecretPolicy,
  context: RotationErrorContext,
): void {
  if (!policy.allowed || policy.allowed.some((arn) => sameSecretArn(arn, masterArn))) return;
  throw new ConfusedDeputyError(
    'masterarn',
    `"masterarn" names ${masterArn}, which is not one of this function's master secrets (MASTER_SECRET_ARNS): ` +
      `a secret cannot choose whose credential the rotator uses`,
    context,
  );
}
