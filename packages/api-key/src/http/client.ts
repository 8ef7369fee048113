/**
 * The HTTP client every adapter uses: axios with axios-retry, one per step so every call of the step
 * shares one time budget. The key travels only in the auth header; redirects are not followed (they
 * could carry the header to another host); TLS is verified against the configured trust; proxies
 * from the environment are ignored (axios would send an https request to an http proxy unencrypted).
 * Any failure leaves as a KeyApiError without the axios error, whose config holds the headers.
 */
import { randomInt } from 'node:crypto';
import { type RotationErrorContext, type RotationLogger, safeCause } from '@rotators/core';
import type { AxiosError, AxiosInstance, CreateAxiosDefaults } from 'axios';
import type { Agent } from 'node:https';
import { KeyApiError, type KeyApiFailureKind } from '../errors.ts';
import { decideRetry, isTlsCode, type RetryDecision } from './retryPolicy.ts';

export interface ApiAuth {
  key: string;
  /** Which key this is, for messages: "the current key", "the pending key". */
  role: string;
}

export interface KeyApiCall {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  /** Path below the base URL, ids already URL-encoded. Never a query. */
  path: string;
  /** Query parameters (page size, page, cursor): never a key. Kept out of messages and logs. */
  query?: URLSearchParams;
  auth: ApiAuth;
  data?: unknown;
  /** Safe to repeat after a timeout or 5xx (lists, tests, revocations); false for key creation. */
  idempotent: boolean;
}

export interface KeyApiHttp {
  /** `headers` has lower-case names (a Link header for paging). */
  call(request: KeyApiCall): Promise<{ status: number; data: unknown; headers: Record<string, unknown> }>;
}

/** What the client takes from the function's configuration (config.ts's ApiKeyConfig has these). */
export interface KeyApiHttpConfig {
  /** Every call of one step together, retries and waits included. */
  stepTimeoutMs: number;
  /** One attempt of one request. */
  requestTimeoutMs: number;
  maxRetries: number;
  retryBaseDelayMs: number;
  httpsAgent: Agent;
}

export interface KeyApiHttpOptions {
  /** Normalized base URL (no trailing slash). */
  baseUrl: string;
  authHeader: string;
  authScheme: string;
  config: KeyApiHttpConfig;
  logger: RotationLogger;
  errorContext: RotationErrorContext;
}

/**
 * axios and axios-retry are loaded by the first request, not at cold start (issue 13: a client is
 * loaded only by the steps that call it; here that is every step, but the module load stays small).
 */
async function createInstance(defaults: CreateAxiosDefaults, retries: number): Promise<AxiosInstance> {
  const [{ default: axios }, { default: axiosRetry }] = await Promise.all([import('axios'), import('axios-retry')]);
  const instance = axios.create(defaults);
  axiosRetry(instance, { retries, shouldResetTimeout: true });
  return instance;
}

/** axios' own isAxiosError (an object whose isAxiosError is true), without loading axios to ask. */
function isAxiosError(error: unknown): error is AxiosError {
  return typeof error === 'object' && error !== null && (error as { isAxiosError?: unknown }).isAxiosError === true;
}

export function createKeyApiHttp(options: KeyApiHttpOptions): KeyApiHttp {
  const { config, logger, errorContext } = options;
  const deadline = Date.now() + config.stepTimeoutMs;
  let instance: Promise<AxiosInstance> | undefined;
  const defaults: CreateAxiosDefaults = {
    baseURL: options.baseUrl,
    adapter: 'http',
    httpsAgent: config.httpsAgent,
    proxy: false,
    maxRedirects: 0,
    allowAbsoluteUrls: false,
    maxContentLength: 1024 * 1024,
    maxBodyLength: 1024 * 1024,
    transitional: { clarifyTimeoutError: true },
    headers: { Accept: 'application/json' },
  };

  return {
    async call(request) {
      const { method, path, query, auth, data, idempotent } = request;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new KeyApiError(
          'timeout',
          method,
          path,
          undefined,
          `was not sent: the step's API time budget (API_STEP_TIMEOUT_SECONDS) is used up`,
          errorContext,
        );
      }
      let decision: RetryDecision | undefined;
      try {
        instance ??= createInstance(defaults, config.maxRetries);
        const response = await (await instance).request({
          method,
          url: path,
          params: query,
          data,
          timeout: Math.min(config.requestTimeoutMs, remaining),
          signal: AbortSignal.timeout(remaining),
          headers: {
            [options.authHeader]: options.authScheme ? `${options.authScheme} ${auth.key}` : auth.key,
            ...(data === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          'axios-retry': {
            retryCondition: (error: AxiosError) => {
              decision = decideRetry({
                idempotent,
                status: error.response?.status,
                code: error.code,
                retryAfter: headerValue(error.response?.headers?.['retry-after']),
                retryNumber: (error.config?.['axios-retry']?.retryCount ?? 0) + 1,
                maxRetries: config.maxRetries,
                baseDelayMs: config.retryBaseDelayMs,
                now: Date.now(),
                deadline,
                random: randomInt(1000) / 1000,
              });
              return decision.retry;
            },
            retryDelay: () => (decision?.retry ? decision.delayMs : 0),
            onRetry: (retryNumber: number, error: AxiosError) => {
              logger.warn('Key API call failed; retrying', {
                method,
                path,
                status: error.response?.status,
                code: error.response ? undefined : error.code,
                retry: retryNumber,
                delayMs: decision?.retry ? decision.delayMs : 0,
              });
            },
          },
        });
        return { status: response.status, data: response.data, headers: { ...response.headers } };
      } catch (error) {
        throw toKeyApiError(error, request, decision, errorContext);
      }
    },
  };
}

function headerValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function toKeyApiError(
  error: unknown,
  { method, path, auth }: KeyApiCall,
  decision: RetryDecision | undefined,
  context: RotationErrorContext,
): KeyApiError {
  const cause = safeCause(error);
  const retries = isAxiosError(error) ? (error.config?.['axios-retry']?.retryCount ?? 0) : 0;
  const stopped =
    decision && !decision.retry && decision.reason !== 'not retryable'
      ? decision.reason
      : retries > 0
        ? `after ${retries} retries`
        : '';
  const gaveUp = stopped ? `; ${stopped}` : '';
  if (!isAxiosError(error))
    return new KeyApiError('network', method, path, undefined, `failed (${cause.message})`, context, { cause });
  const status = error.response?.status;
  if (status !== undefined) {
    const kind = kindOfStatus(status);
    return new KeyApiError(
      kind,
      method,
      path,
      status,
      `answered HTTP ${status} to a call with ${auth.role}${HINTS[kind] ?? ''}${gaveUp}`,
      context,
      { cause },
    );
  }
  const code = error.code ?? '';
  const kind: KeyApiFailureKind =
    code === 'ERR_CANCELED' || code === 'ETIMEDOUT' || code === 'ECONNABORTED'
      ? 'timeout'
      : isTlsCode(code)
        ? 'tls'
        : 'network';
  const what =
    code === 'ERR_CANCELED'
      ? `the step's API time budget (API_STEP_TIMEOUT_SECONDS) ran out`
      : `failed with ${code || 'an unknown error'}`;
  return new KeyApiError(
    kind,
    method,
    path,
    undefined,
    `${what} on a call with ${auth.role}${HINTS[kind] ?? ''}${gaveUp}`,
    context,
    { cause },
  );
}

function kindOfStatus(status: number): KeyApiFailureKind {
  if (status === 401) return 'authentication';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409 || status === 422) return 'conflict';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'server';
  if (status >= 300 && status < 400) return 'redirect';
  return 'client';
}

const HINTS: Partial<Record<KeyApiFailureKind, string>> = {
  authentication: ': the provider does not accept this key (revoked, expired, or not a key of this base URL)',
  forbidden: ': the key is valid but may not manage keys; it needs the permission to list, create and revoke keys',
  conflict: ': the account may be at its active-key limit; revoke keys that are neither AWSCURRENT nor AWSPREVIOUS',
  redirect: ': redirects are not followed (they could carry the key to another host); check the base URL',
  tls: ': the certificate is not trusted for this host; set API_CA_BUNDLE_PATH for a private CA',
};
