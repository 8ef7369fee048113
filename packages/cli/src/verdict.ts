/**
 * The verdict on a secret's rotation, from its metadata alone (no value, no target):
 *
 *   rotating  AWSPENDING is on a version that is not AWSCURRENT, younger than the rotation window
 *   stuck     the same, older: a rotation stopped part-way (or no version holds AWSCURRENT)
 *   disabled  rotation is off, or was never configured
 *   overdue   rotation is on, but the last rotation is older than the schedule allows
 *   healthy   none of the above
 *
 * The rotation window is four times the function's timeout: a rotation is four invocations, each
 * bounded by the timeout, so a pending version younger than that may belong to a rotation still
 * running. Unknown timeout: Lambda's maximum, 900 s.
 */
import type { SecretInfo } from './aws.ts';

export type Verdict = 'healthy' | 'rotating' | 'stuck' | 'overdue' | 'disabled';

export const STEPS_PER_ROTATION = 4;
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
/** Secrets Manager picks the hour of a scheduled rotation; a day late is not yet overdue. */
export const OVERDUE_MARGIN_HOURS = 24;

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface PendingRotation {
  versionId: string;
  /** When the pending version was created (the rotation started); undefined when unknown. */
  since?: Date;
  ageSeconds?: number;
  /** Seconds a rotation may take before it counts as stuck. */
  windowSeconds: number;
}

export interface Assessment {
  verdict: Verdict;
  /** One sentence an operator can act on. */
  reason: string;
  currentVersionId?: string;
  pending?: PendingRotation;
  /** When the next rotation is due by the schedule (absent when rotation is off). */
  dueBy?: Date;
}

/** The version holding AWSPENDING but not AWSCURRENT: an unfinished rotation. */
export function pendingVersionOf(stages: Record<string, string[]>): string | undefined {
  return Object.entries(stages).find(
    ([, labels]) => labels.includes('AWSPENDING') && !labels.includes('AWSCURRENT'),
  )?.[0];
}

export function currentVersionOf(stages: Record<string, string[]>): string | undefined {
  return Object.entries(stages).find(([, labels]) => labels.includes('AWSCURRENT'))?.[0];
}

export function previousVersionOf(stages: Record<string, string[]>): string | undefined {
  return Object.entries(stages).find(
    ([, labels]) => labels.includes('AWSPREVIOUS') && !labels.includes('AWSCURRENT'),
  )?.[0];
}

/** The schedule's interval in ms, when it has a fixed one (days, or rate(N hours|days)). */
export function scheduleInterval(rules: SecretInfo['rules']): number | undefined {
  if (rules.automaticallyAfterDays) return rules.automaticallyAfterDays * DAY;
  const rate = /^rate\((\d+) (hours?|days?)\)$/.exec(rules.scheduleExpression ?? '');
  if (rate) return Number(rate[1]) * (rate[2]!.startsWith('hour') ? HOUR : DAY);
  return undefined;
}

export function describeSchedule(rules: SecretInfo['rules']): string {
  if (rules.automaticallyAfterDays)
    return `every ${rules.automaticallyAfterDays} day${rules.automaticallyAfterDays === 1 ? '' : 's'}`;
  if (rules.scheduleExpression)
    return `${rules.scheduleExpression}${rules.duration ? `, window ${rules.duration}` : ''}`;
  return 'no schedule';
}

export function assess(
  info: SecretInfo,
  pendingSince: Date | undefined,
  functionTimeoutSeconds: number | undefined,
  now: Date,
): Assessment {
  const currentVersionId = currentVersionOf(info.stages);
  const pendingVersionId = pendingVersionOf(info.stages);
  const dueBy = info.rotationEnabled ? dueDate(info) : undefined;

  if (!currentVersionId) {
    return { verdict: 'stuck', reason: 'no version holds AWSCURRENT: clients cannot read the secret', dueBy };
  }
  if (pendingVersionId) {
    const windowSeconds = STEPS_PER_ROTATION * (functionTimeoutSeconds ?? LAMBDA_MAX_TIMEOUT_SECONDS);
    const ageSeconds = pendingSince
      ? Math.max(0, Math.round((now.getTime() - pendingSince.getTime()) / 1000))
      : undefined;
    const pending: PendingRotation = { versionId: pendingVersionId, since: pendingSince, ageSeconds, windowSeconds };
    const timeoutNote =
      functionTimeoutSeconds === undefined
        ? `Lambda's maximum timeout (${LAMBDA_MAX_TIMEOUT_SECONDS} s, the function's own is unknown)`
        : `the function's ${functionTimeoutSeconds} s timeout`;
    if (ageSeconds !== undefined && ageSeconds < windowSeconds) {
      return {
        verdict: 'rotating',
        reason:
          `rotation ${pendingVersionId} started ${formatAge(ageSeconds)} ago and may still be running ` +
          `(a rotation is ${STEPS_PER_ROTATION} invocations of at most ${timeoutNote}, ` +
          `${formatAge(windowSeconds)} in all)`,
        currentVersionId,
        pending,
        dueBy,
      };
    }
    const age = ageSeconds === undefined ? 'for an unknown time' : `for ${formatAge(ageSeconds)}`;
    return {
      verdict: 'stuck',
      reason:
        `AWSPENDING has been on version ${pendingVersionId}, not AWSCURRENT, ${age} ` +
        `(longer than ${STEPS_PER_ROTATION} x ${timeoutNote}): a rotation stopped part-way, ` +
        `and Secrets Manager refuses to start another until it is finished or cleaned up`,
      currentVersionId,
      pending,
      dueBy,
    };
  }
  if (info.rotationEnabled !== true) {
    return {
      verdict: 'disabled',
      reason:
        info.rotationEnabled === false
          ? 'rotation is turned off for this secret'
          : 'rotation was never configured for this secret',
      currentVersionId,
    };
  }
  if (dueBy && now.getTime() > dueBy.getTime() + OVERDUE_MARGIN_HOURS * HOUR) {
    const since = info.lastRotated
      ? `last rotated ${formatAge((now.getTime() - info.lastRotated.getTime()) / 1000)} ago`
      : 'never rotated';
    return {
      verdict: 'overdue',
      reason:
        `${since}; the schedule (${describeSchedule(info.rules)}) wanted a rotation by ${formatDate(dueBy)}: ` +
        `rotation stops silently when the function cannot be invoked or fails before it logs ` +
        `(check the function's errors alarm and Secrets Manager's RotationFailed events)`,
      currentVersionId,
      dueBy,
    };
  }
  return { verdict: 'healthy', reason: 'rotation is on and within its schedule', currentVersionId, dueBy };
}

/**
 * When the next rotation is due: the last one plus the interval; for cron schedules, Secrets Manager's
 * NextRotationDate.
 */
export function dueDate(info: SecretInfo): Date | undefined {
  const interval = scheduleInterval(info.rules);
  const from = info.lastRotated ?? info.created;
  if (interval !== undefined && from) return new Date(from.getTime() + interval);
  return info.nextRotation;
}

export function formatAge(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 120) return `${s} s`;
  if (s < 7_200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3_600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

/** UTC, to the minute: "2026-11-22 01:40 UTC". */
export function formatDate(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
