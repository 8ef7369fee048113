/**
 * A key API call that failed. The message names the method, the path (never a query), the status
 * or network failure and which key was used; it never carries a key, a header or the response body.
 * The axios error is never kept: it holds the request headers, so only its name and code survive.
 */
import { type RotationErrorContext, TargetOperationError } from '@rotators/core';

export type KeyApiFailureKind =
  | 'authentication'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'rate-limited'
  | 'server'
  | 'client'
  | 'redirect'
  | 'network'
  | 'timeout'
  | 'tls'
  | 'invalid-response'
  | 'too-many-pages';

export class KeyApiError extends TargetOperationError {
  override readonly name: string = 'KeyApiError';
  constructor(
    readonly kind: KeyApiFailureKind,
    readonly method: string,
    readonly path: string,
    readonly status: number | undefined,
    detail: string,
    context: RotationErrorContext,
    options?: ErrorOptions,
  ) {
    super(`${method} ${path} ${detail} [${kind}]`, context, options);
  }
}
