/**
 * Post-promotion clean-up failures (issue #17). After AWSCURRENT has moved, a rotator's afterFinish
 * may fail (e.g. old API keys not revoked); the engine logs one ERROR line and the function still
 * succeeds, so neither the errors alarm nor RotationFailed sees it. The CLI counts those lines in
 * the function's log group (CloudWatch Logs FilterLogEvents), for this secret, since its last
 * rotation. The Terraform module's metric filter watches the same line.
 */
import { type Clients, describeAwsError, filterLogEvents, type FunctionInfo } from './aws.ts';

/**
 * The engine's line (packages/core/src/steps/finishSecret.ts); tests/integration/cleanupFailures.test.ts
 * ties the two.
 */
export const CLEANUP_FAILED_MESSAGE =
  'finishSecret: post-promotion clean-up failed; it runs again at the next rotation';
/** The quoted term the log search uses; every match is then parsed and checked field by field. */
const SEARCH_TERM = 'post-promotion clean-up failed';

const HOUR = 3_600_000;
const DEFAULT_LOOKBACK_DAYS = 30;

export interface CleanupFailures {
  /** Failures logged for this secret since `since`; undefined when the log group could not be read. */
  count?: number;
  last?: Date;
  since: Date;
  logGroup?: string;
  /** Why it is not known (no function configured, logs unreadable). */
  unknown?: string;
}

/** Since shortly before the last rotation: a failure there is what the next rotation has to retry. */
export function cleanupWindowStart(lastRotated: Date | undefined, now: Date): Date {
  return lastRotated
    ? new Date(lastRotated.getTime() - HOUR)
    : new Date(now.getTime() - DEFAULT_LOOKBACK_DAYS * 24 * HOUR);
}

/**
 * One log search per function (the secrets of a function share its log group), counted per secret.
 * `secrets`: ARN → start of its window.
 */
export async function countCleanupFailures(
  clients: Clients,
  fn: FunctionInfo | undefined,
  secrets: Map<string, Date>,
): Promise<Map<string, CleanupFailures>> {
  const result = new Map<string, CleanupFailures>();
  if (!fn) {
    for (const [arn, since] of secrets) result.set(arn, { since, unknown: 'no rotation function configured' });
    return result;
  }
  const earliest = new Date(Math.min(...[...secrets.values()].map((d) => d.getTime())));
  let lines: Array<{ time?: Date; line: Record<string, unknown> }>;
  try {
    const events = await filterLogEvents(clients, fn.logGroup, SEARCH_TERM, earliest);
    lines = events.flatMap((event) => {
      const line = parseLine(event.message);
      return line ? [{ time: event.timestamp === undefined ? undefined : new Date(event.timestamp), line }] : [];
    });
  } catch (error) {
    const why =
      (error as Error).name === 'ResourceNotFoundException'
        ? `log group ${fn.logGroup} does not exist (the function never logged, or logs elsewhere)`
        : `log group ${fn.logGroup} not readable: ${describeAwsError(error)}`;
    for (const [arn, since] of secrets) result.set(arn, { since, logGroup: fn.logGroup, unknown: why });
    return result;
  }
  for (const [arn, since] of secrets) {
    const mine = lines.filter(({ time, line }) => isCleanupFailure(line, arn) && (!time || time >= since));
    const last = mine
      .map(({ time }) => time)
      .filter((t): t is Date => t !== undefined)
      .sort((a, b) => b.getTime() - a.getTime())[0];
    result.set(arn, { count: mine.length, last, since, logGroup: fn.logGroup });
  }
  return result;
}

export function isCleanupFailure(line: Record<string, unknown>, secretArn: string): boolean {
  return line.level === 'ERROR' && line.message === CLEANUP_FAILED_MESSAGE && line.secretId === secretArn;
}

/**
 * The function's JSON line. Lambda's JSON log format keeps a JSON line as the event itself; in
 * Text format a prefix may precede it.
 */
function parseLine(message: string | undefined): Record<string, unknown> | undefined {
  if (!message) return undefined;
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  try {
    const parsed = JSON.parse(message.slice(start)) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const record = parsed as Record<string, unknown>;
    // A platform record that wraps the function's line in "message".
    if (typeof record.message === 'object' && record.message !== null) return record.message as Record<string, unknown>;
    return record;
  } catch {
    return undefined;
  }
}
