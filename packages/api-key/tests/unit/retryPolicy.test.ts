import { describe, expect, it } from 'vitest';
import { decideRetry, parseRetryAfter, type RetryInput } from '../../src/http/retryPolicy.ts';

const base: RetryInput = {
  idempotent: true,
  retryNumber: 1,
  maxRetries: 3,
  baseDelayMs: 200,
  now: 1_000_000,
  deadline: 1_000_000 + 20_000,
  random: 0,
};

describe('retry policy', () => {
  it('retries 5xx, timeouts and dropped connections only for idempotent calls', () => {
    expect(decideRetry({ ...base, status: 503 })).toEqual({ retry: true, delayMs: 200 });
    expect(decideRetry({ ...base, code: 'ECONNRESET' }).retry).toBe(true);
    expect(decideRetry({ ...base, code: 'ETIMEDOUT' }).retry).toBe(true);
    for (const failure of [{ status: 500 }, { code: 'ECONNRESET' }, { code: 'ETIMEDOUT' }]) {
      expect(decideRetry({ ...base, idempotent: false, ...failure })).toEqual({
        retry: false,
        reason: 'not retryable',
      });
    }
  });

  it('retries 429 and refused connections for every call: the provider did not act', () => {
    expect(decideRetry({ ...base, idempotent: false, status: 429 }).retry).toBe(true);
    expect(decideRetry({ ...base, idempotent: false, code: 'ECONNREFUSED' }).retry).toBe(true);
  });

  it('never retries other 4xx, 501, TLS failures or a cancelled call', () => {
    for (const failure of [
      { status: 400 },
      { status: 401 },
      { status: 404 },
      { status: 409 },
      { status: 501 },
      { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
      { code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
      { code: 'ERR_CANCELED' },
    ]) {
      expect(decideRetry({ ...base, ...failure }).retry).toBe(false);
    }
  });

  it('backs off exponentially with at most 20 % jitter, capped at 5 s', () => {
    expect(decideRetry({ ...base, status: 500, retryNumber: 3 })).toEqual({ retry: true, delayMs: 800 });
    expect(decideRetry({ ...base, status: 500, retryNumber: 3, random: 0.999 })).toEqual({ retry: true, delayMs: 960 });
    expect(decideRetry({ ...base, status: 500, retryNumber: 10, maxRetries: 10 })).toEqual({
      retry: true,
      delayMs: 5000,
    });
  });

  it('honours Retry-After (seconds or date) when it is longer than the backoff', () => {
    expect(decideRetry({ ...base, status: 429, retryAfter: '3' })).toEqual({ retry: true, delayMs: 3000 });
    expect(decideRetry({ ...base, status: 429, retryAfter: new Date(base.now + 4000).toUTCString() })).toEqual({
      retry: true,
      delayMs: 4000,
    });
    expect(parseRetryAfter('soon', 0)).toBe(0);
  });

  it('does not start a wait that does not fit in the step budget, and stops after maxRetries', () => {
    expect(decideRetry({ ...base, status: 429, retryAfter: '30' })).toEqual({
      retry: false,
      reason: 'a wait of 30 s does not fit in the time left for this step',
    });
    expect(decideRetry({ ...base, status: 500, retryNumber: 4 })).toEqual({
      retry: false,
      reason: 'gave up after 3 retries',
    });
  });
});
