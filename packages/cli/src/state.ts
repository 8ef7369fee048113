/** A secret's rotation state from metadata alone: what `status` shows and `doctor` / `repair` start from. */
import {
  type Clients,
  describeAwsError,
  describeSecret,
  type FunctionInfo,
  readFunction,
  type SecretInfo,
  versionDates,
} from './aws.ts';
import { type CleanupFailures, cleanupWindowStart, countCleanupFailures } from './cleanup.ts';
import { type Assessment, assess, pendingVersionOf } from './verdict.ts';

export interface SecretState {
  info: SecretInfo;
  /** The rotation function, when one is configured. */
  fn?: FunctionInfo;
  /** Version id → creation date; undefined when not read (status --all reads them only for a pending version). */
  dates?: Map<string, Date | undefined>;
  /** Why the version dates could not be read. */
  datesUnreadable?: string;
  assessment: Assessment;
  cleanup?: CleanupFailures;
}

/** Function configurations, read once per function. */
export type FunctionCache = Map<string, Promise<FunctionInfo>>;

export function functionOf(
  clients: Clients,
  info: SecretInfo,
  cache: FunctionCache,
): Promise<FunctionInfo> | undefined {
  const arn = info.rotationLambdaArn;
  if (!arn) return undefined;
  let fn = cache.get(arn);
  if (!fn) {
    fn = readFunction(clients, arn);
    cache.set(arn, fn);
  }
  return fn;
}

/**
 * Assess one secret. `allDates`: read every version's date (single status); otherwise only when a
 * pending version needs its age.
 */
export async function assessSecret(
  clients: Clients,
  info: SecretInfo,
  cache: FunctionCache,
  now: Date,
  options: { allDates: boolean },
): Promise<SecretState> {
  // One call at a time per secret, so `status --all`'s bound on secrets read at once bounds the calls too.
  const fn = await functionOf(clients, info, cache);
  const pendingId = pendingVersionOf(info.stages);
  let dates: Map<string, Date | undefined> | undefined;
  let datesUnreadable: string | undefined;
  if (options.allDates || pendingId) {
    try {
      dates = await versionDates(clients, info.arn);
    } catch (error) {
      datesUnreadable = (error as Error).message ?? describeAwsError(error);
    }
  }
  const assessment = assess(info, pendingId ? dates?.get(pendingId) : undefined, fn?.timeoutSeconds, now);
  return { info, fn, dates, datesUnreadable, assessment };
}

/** status / doctor / repair of one secret: metadata, function, dates, and clean-up failures. */
export async function readSecretState(
  clients: Clients,
  secretId: string,
  now: Date,
  cache: FunctionCache = new Map(),
): Promise<SecretState> {
  const info = await describeSecret(clients, secretId);
  const state = await assessSecret(clients, info, cache, now, { allDates: true });
  const windows = new Map([[info.arn, cleanupWindowStart(info.lastRotated, now)]]);
  state.cleanup = (await countCleanupFailures(clients, state.fn, windows)).get(info.arn);
  return state;
}
