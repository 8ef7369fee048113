/**
 * Typed errors for every way a rotation can fail.
 *
 * Rules that hold for every class here:
 * - the message names the secret and the step (when known) and the field at fault;
 * - no message and no `cause` ever carries a secret value, a password, a key or a RotationToken.
 *   Callers wrap driver errors with `safeCause()` instead of passing them on, because drivers
 *   (mysql2's `sql`, pg's `detail`) can echo statement text.
 */
import type { RotationStep } from './rotationStep.ts';

export interface RotationErrorContext {
  /** ARN (or the id from the event when the ARN is not known yet). */
  secretId?: string;
  step?: RotationStep;
}

export class RotationError extends Error {
  override readonly name: string = 'RotationError';
  readonly secretId?: string;
  readonly step?: RotationStep;

  constructor(detail: string, context: RotationErrorContext = {}, options?: ErrorOptions) {
    super(withContext(detail, context), options);
    this.secretId = context.secretId;
    this.step = context.step;
  }
}

function withContext(detail: string, { secretId, step }: RotationErrorContext): string {
  const parts = [secretId ? `secret ${secretId}` : undefined, step ? `step ${step}` : undefined].filter(Boolean);
  return parts.length > 0 ? `${detail} (${parts.join(', ')})` : detail;
}

/** The invocation event is malformed. Raised before any AWS call. */
export class InvalidEventError extends RotationError {
  override readonly name: string = 'InvalidEventError';
  constructor(
    readonly field: string,
    detail: string,
    context: RotationErrorContext = {},
  ) {
    super(detail, context);
  }
}

/** An environment variable has a value the function cannot use. Raised at cold start. */
export class ConfigurationError extends RotationError {
  override readonly name: string = 'ConfigurationError';
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** DescribeSecret says rotation is explicitly disabled. */
export class RotationNotEnabledError extends RotationError {
  override readonly name: string = 'RotationNotEnabledError';
}

/** The ClientRequestToken is not a version of this secret. */
export class UnknownVersionError extends RotationError {
  override readonly name: string = 'UnknownVersionError';
}

/** The version exists but is neither AWSCURRENT nor AWSPENDING. */
export class VersionNotPendingError extends RotationError {
  override readonly name: string = 'VersionNotPendingError';
}

/** A secret version's SecretString is not JSON, or does not fit the rotator's schema. */
export class SecretValueError extends RotationError {
  override readonly name: string = 'SecretValueError';
  constructor(
    /** Dotted paths of the offending fields, e.g. ["username", "port"]. Never values. */
    readonly fields: string[],
    detail: string,
    context: RotationErrorContext = {},
  ) {
    super(detail, context);
  }
}

/**
 * The pending version would make the rotator act on something other than what the current
 * version names (another user, host, provider): the confused-deputy guard.
 */
export class ConfusedDeputyError extends RotationError {
  override readonly name: string = 'ConfusedDeputyError';
  constructor(
    readonly field: string,
    detail: string,
    context: RotationErrorContext = {},
  ) {
    super(detail, context);
  }
}

/** A Secrets Manager API call failed. `cause` is the SDK error, which never carries a SecretString. */
export class SecretsManagerCallError extends RotationError {
  override readonly name: string = 'SecretsManagerCallError';
  /** The SDK error's name, e.g. ResourceNotFoundException, ThrottlingException. */
  readonly errorName: string;
  constructor(
    readonly operation: string,
    context: RotationErrorContext,
    cause: unknown,
  ) {
    // A modelled service error's message is the service's own text and never carries the request.
    // Anything else (a deserialization failure quotes the response body, which can be a
    // SecretString) keeps only its class name.
    const fault = (cause ?? {}) as { $fault?: unknown; $metadata?: { httpStatusCode?: number } };
    const modelled = typeof fault.$fault === 'string';
    const status = fault.$metadata?.httpStatusCode;
    super(
      `${operation} failed: ${errorName(cause)}${modelled ? `: ${errorMessage(cause)}` : ''}` +
        `${status ? ` (HTTP ${status})` : ''}`,
      context,
      { cause: safeCause(cause) },
    );
    this.errorName = errorName(cause);
  }
}

export type ConnectionFailureKind = 'network' | 'timeout' | 'tls' | 'authentication' | 'database' | 'unknown';

/** Logging in to the rotation target (database, HTTP API) failed. */
export class TargetConnectionError extends RotationError {
  override readonly name: string = 'TargetConnectionError';
  constructor(
    readonly kind: ConnectionFailureKind,
    detail: string,
    context: RotationErrorContext = {},
    options?: ErrorOptions & {
      /**
       * The driver's error code (e.g. SQLSTATE 28P01, ER_ACCESS_DENIED_ERROR): safe, and lets a rotator
       * tell "wrong password" from "no such role".
       */
      code?: string;
    },
  ) {
    super(`${detail} [${kind}${options?.code ? ` ${options.code}` : ''}]`, context, options);
    this.code = options?.code;
  }

  readonly code?: string;
}

/** A statement or API call on the rotation target failed after connecting. */
export class TargetOperationError extends RotationError {
  override readonly name: string = 'TargetOperationError';
}

/** testSecret found the pending credentials do not work as required. */
export class PendingTestFailedError extends RotationError {
  override readonly name: string = 'PendingTestFailedError';
}

/** A hook of a scaffolded rotator that nobody has written yet. */
export class NotImplementedError extends RotationError {
  override readonly name: string = 'NotImplementedError';
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : 'non-error thrown';
}

/**
 * A copy of a driver or library error that keeps only what is safe to log: its class name and
 * machine-readable code. Use it as the `cause` of a RotationError in place of the original.
 */
export function safeCause(error: unknown): Error {
  const source = (error ?? {}) as { name?: unknown; code?: unknown; errno?: unknown };
  const name = typeof source.name === 'string' ? source.name : 'Error';
  const code = typeof source.code === 'string' || typeof source.code === 'number' ? String(source.code) : undefined;
  const errno = typeof source.errno === 'number' ? source.errno : undefined;
  const safe = new Error(code ? `${name} ${code}` : name);
  safe.name = name;
  Object.assign(safe, { code, errno });
  return safe;
}

/**
 * Our own errors are safe by construction. Anything else (a bug, a library error a rotator did not
 * wrap) may quote a value in its message, so only its class name and code leave.
 */
export function toRotationError(error: unknown, context: RotationErrorContext = {}): RotationError {
  if (error instanceof RotationError) return error;
  const cause = safeCause(error);
  return new RotationError(`Unexpected ${cause.message}`, { ...context }, { cause });
}
