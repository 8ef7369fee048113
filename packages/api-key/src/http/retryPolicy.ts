/**
 * When to retry a key API request, and after how long. Pure, so it is unit-tested on its own.
 *
 * - 429: always retried, for every method: the provider refused the request without acting on it,
 *   so even the POST that creates a key cannot create a second one. Retry-After is honoured.
 * - 5xx, timeouts, dropped connections: retried only for idempotent calls (list, test, revoke).
 *   A create POST that timed out may have created the key; it is not repeated here. The
 *   idempotent retry of a create is the next whole attempt, which finds the key by its label.
 * - Connection refused: retried for every method (the request never reached the provider).
 * - TLS failures and other 4xx: never retried.
 * - A wait that would not fit in the step's time budget is not started: the call fails now, with
 *   time left for the error to be reported, instead of Lambda killing the function mid-wait.
 */
export interface RetryInput {
  idempotent: boolean;
  /** HTTP status, when a response arrived. */
  status?: number;
  /** Error code when no response arrived (ECONNRESET, ECONNABORTED, ERR_CANCELED...). */
  code?: string;
  /** Retry-After header value (seconds or an HTTP date). */
  retryAfter?: string;
  /** Which retry this would be: 1 for the first. */
  retryNumber: number;
  maxRetries: number;
  baseDelayMs: number;
  now: number;
  deadline: number;
  /** 0..1; jitter spreads retries of many functions apart. */
  random: number;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string };

const MAX_BACKOFF_MS = 5_000;
/** Time kept back after the wait so the retried request has a chance to finish. */
const MIN_TIME_FOR_ATTEMPT_MS = 1_000;
const NEVER_RETRIED_CODES = new Set([
  'ERR_CANCELED',
  'ERR_BAD_REQUEST',
  'ERR_BAD_RESPONSE',
  'ERR_FR_TOO_MANY_REDIRECTS',
]);

export function decideRetry(input: RetryInput): RetryDecision {
  if (input.retryNumber > input.maxRetries)
    return { retry: false, reason: `gave up after ${input.maxRetries} retries` };
  const retryable =
    input.status !== undefined
      ? retryableStatus(input.status, input.idempotent)
      : retryableCode(input.code, input.idempotent);
  if (!retryable) return { retry: false, reason: 'not retryable' };

  const backoff = Math.min(input.baseDelayMs * 2 ** (input.retryNumber - 1), MAX_BACKOFF_MS) * (1 + 0.2 * input.random);
  const retryAfterMs = parseRetryAfter(input.retryAfter, input.now);
  const delayMs = Math.round(Math.max(backoff, retryAfterMs));
  if (input.now + delayMs + MIN_TIME_FOR_ATTEMPT_MS > input.deadline) {
    return {
      retry: false,
      reason: `a wait of ${Math.ceil(delayMs / 1000)} s does not fit in the time left for this step`,
    };
  }
  return { retry: true, delayMs };
}

function retryableStatus(status: number, idempotent: boolean): boolean {
  if (status === 429) return true;
  return idempotent && status >= 500 && status <= 599 && status !== 501;
}

function retryableCode(code: string | undefined, idempotent: boolean): boolean {
  if (!code || NEVER_RETRIED_CODES.has(code) || isTlsCode(code)) return false;
  if (code === 'ECONNREFUSED') return true;
  return idempotent;
}

export function isTlsCode(code: string): boolean {
  return /CERT|SSL|TLS|SIGNATURE|ISSUER|HANDSHAKE/.test(code);
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date; 0 when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number {
  if (!value) return 0;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? 0 : Math.max(0, date - now);
}
