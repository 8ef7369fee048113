/**
 * The invocation's time budget. The SDK's retries alone can outlast a short Lambda timeout (3
 * attempts of up to 2 s connect + 5 s request each), and a function that Lambda kills mid-call
 * reports only "Task timed out": no typed error, no log line naming the call that hung. So every
 * Secrets Manager call of an invocation shares one AbortSignal that fires a margin before Lambda's
 * deadline; the call then fails as a SecretsManagerCallError naming it, which is logged and thrown
 * while the function still runs.
 */

/** Time kept back for logging and returning the error after the budget runs out. */
export const DEADLINE_MARGIN_MS = 1_500;

export interface InvocationBudget {
  /** Undefined when the caller gave no clock (tests, a direct call). */
  signal?: AbortSignal;
  dispose(): void;
}

/** The error an aborted call carries as its cause: named, so messages and logs say what happened. */
export class TimeBudgetExceeded extends Error {
  override readonly name = 'TimeBudgetExceeded';
  constructor(remainingAtStartMs: number) {
    super(
      `the invocation's time budget ran out ` +
        `(${remainingAtStartMs} ms at the start, ${DEADLINE_MARGIN_MS} ms kept back for reporting)`,
    );
  }
}

export function invocationBudget(context?: { getRemainingTimeInMillis?: () => number }): InvocationBudget {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (typeof remaining !== 'number' || !Number.isFinite(remaining)) return { dispose: () => undefined };
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new TimeBudgetExceeded(remaining)),
    Math.max(0, remaining - DEADLINE_MARGIN_MS),
  );
  timer.unref();
  return { signal: controller.signal, dispose: () => clearTimeout(timer) };
}
