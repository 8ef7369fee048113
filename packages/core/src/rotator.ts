/**
 * The contract a rotator implements. The engine owns the Secrets Manager protocol; a rotator
 * only turns the current value into a pending one and applies / checks it on its target.
 */
import type { SecretSchema } from './schema.ts';
import type { RotationErrorContext } from './errors.ts';
import type { RotationStep } from './event.ts';
import type { RotationLogger } from './logger.ts';
import type { PasswordPolicy, PasswordPolicyDefaults } from './passwordPolicy.ts';
import type { SecretRecord } from './secretValue.ts';

/** Also a RotationErrorContext: pass `ctx` itself to any RotationError to name the secret and step. */
export interface StepContext extends RotationErrorContext {
  /** The secret's ARN. */
  readonly secretId: string;
  readonly step: RotationStep;
  /** The ClientRequestToken: the pending version's id. Fine to log; use it as an idempotency label. */
  readonly token: string;
  readonly logger: RotationLogger;
  /**
   * Read another secret (e.g. a master secret) at AWSCURRENT, validated with `schema`.
   * Errors name that secret's id and the field at fault.
   */
  readSecret<T extends SecretRecord>(secretId: string, schema: SecretSchema<T>): Promise<T>;
}

export interface CreateContext extends StepContext {
  /** A new password from GetRandomPassword with the function's policy, optionally adjusted. */
  randomPassword(overrides?: Partial<PasswordPolicy>): Promise<string>;
}

/**
 * A version of the secret that no staging label holds and that was created after AWSCURRENT's:
 * typically the AWSPENDING of a rotation abandoned after its setSecret (a new rotation moved the
 * label away, or an operator removed it), whose password the target may hold. The engine has
 * parsed it with the schema and held it to AWSCURRENT exactly as it holds AWSPENDING (every field
 * but `rotatedFields` equal): anyone who can write AWSPENDING can write such a version too.
 */
export interface UnlabelledVersion<S extends SecretRecord> {
  /** Fine to log. */
  readonly versionId: string;
  readonly value: S;
}

/** What setSecret hands the rotator. */
export interface SetPendingVersions<S extends SecretRecord> {
  current: S;
  pending: S;
  /** AWSPREVIOUS when it exists and fits the schema (not held to AWSCURRENT: check what you use). */
  previous?: S;
  /**
   * The versions without a staging label created after AWSCURRENT, newest first, at most
   * MAX_UNLABELLED_VERSIONS usable ones (steps/stepRun.ts). The walk reads newest first, at most
   * MAX_UNLABELLED_READS versions; one that cannot be read, holds no text or fails the schema is
   * skipped with a WARN naming its id, and the walk stops at the first version that names another
   * target than AWSCURRENT (it and everything older predate a change of target). Read only when
   * called (ListSecretVersionIds, then GetSecretValue per version read), once per invocation
   * however often it is called: call it only after the labelled versions failed, to recover a
   * credential only such a version holds.
   * A Secrets Manager failure here is logged and gives fewer versions, not an error (the rotator's
   * own error, e.g. "no version logs in", stays the one reported); only the time budget running out throws.
   * Always set by the engine; optional so that tests may call setPending without it.
   */
  newerUnlabelled?: () => Promise<readonly UnlabelledVersion<S>[]>;
}

export interface Rotator<S extends SecretRecord> {
  /** Same word as the package folder, the zip and the Terraform module. */
  readonly name: string;
  /** Parses SecretString JSON. Keep unknown keys (z.looseObject) so users' extra fields survive. */
  readonly schema: SecretSchema<S>;
  /**
   * Top-level fields a rotation changes (e.g. ["password"], or ["username", "password"] for
   * alternating users). The engine refuses an AWSPENDING whose other fields differ from AWSCURRENT
   * (ConfusedDeputyError naming the field) before any hook runs, in setSecret, testSecret and
   * finishSecret. Fields the rotator reads but must not change stay out of this list.
   */
  readonly rotatedFields: readonly (keyof S & string)[];
  /** Defaults for the password policy when the environment does not set them. */
  readonly passwordDefaults?: PasswordPolicyDefaults;

  /** createSecret: build the pending value from the current one. Nothing is written if this throws. */
  createPending(current: S, ctx: CreateContext): Promise<S>;
  /** setSecret: make the target accept the pending value. Must be idempotent. */
  setPending(versions: SetPendingVersions<S>, ctx: StepContext): Promise<void>;
  /** testSecret: prove the pending value works on the target. Throw to fail the rotation. */
  testPending(versions: { current: S; pending: S }, ctx: StepContext): Promise<void>;
  /**
   * testSecret when there is no new pending value: RotateSecret with RotateImmediately=false only
   * tests the configuration, and createSecret never ran. Prove the function can use the current
   * value (reach the target, log in). Default: testPending with the current value as pending.
   */
  testConfiguration?(current: S, ctx: StepContext): Promise<void>;
  /**
   * After AWSCURRENT has moved (e.g. retire keys older than AWSPREVIOUS). A failure is logged
   * and never undoes the promotion; the next rotation runs it again.
   */
  afterFinish?(versions: { current: S; previous?: S }, ctx: StepContext): Promise<void>;
}
