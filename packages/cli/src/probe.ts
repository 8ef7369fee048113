/**
 * Which versions of a secret work on its target, asked of the rotator itself with the engine's own
 * pieces: versions are read through core's SecretsGateway and parsed with the rotator's schema, the
 * StepContext comes from core's StepRun (readSecret of a master secret included), AWSPENDING and
 * AWSPREVIOUS must pass the engine's pending guard before anything is sent for them, and the check
 * is the rotator's own testConfiguration / testPending. Nothing is written.
 */
import {
  assertPendingFollowsCurrent,
  ConfusedDeputyError,
  finishSecret,
  parseSecretValue,
  readEngineConfig,
  type RotationErrorContext,
  type Rotator,
  type SecretMetadata,
  type SecretRecord,
  SecretsGateway,
  SecretValueError,
  type StepContext,
  StepRun,
  TargetConnectionError,
  toRotationError,
} from '@rotators/core';
import type { Clients, SecretInfo } from './aws.ts';
import { CliError } from './errors.ts';
import { type Connection, connectionsIn, type RecordingLogger } from './logger.ts';
import type { Env, RotatorKind } from './rotators.ts';

export type Label = 'AWSCURRENT' | 'AWSPENDING' | 'AWSPREVIOUS';

export type CheckState =
  /** The rotator's check passed. */
  | 'works'
  /** The rotator's check failed (see error). */
  | 'fails'
  /** The version exists but has no value: RotateSecret's placeholder that createSecret never filled. */
  | 'empty'
  /** The value does not fit the rotator's schema. */
  | 'invalid'
  /** The engine's guard refused it (it names another target than AWSCURRENT): nothing was sent. */
  | 'refused'
  /** Not checked, and why (detail). */
  | 'skipped';

export interface CheckError {
  name: string;
  /** The typed error's message, without the "(secret …, step …)" suffix; never a value. */
  message: string;
  field?: string;
  kind?: string;
  code?: string;
}

export interface VersionCheck {
  label: Label | 'pair';
  versionId?: string;
  state: CheckState;
  detail?: string;
  error?: CheckError;
  /** Target connections the rotator opened during the check (from its log lines). */
  connections: Connection[];
}

export interface ReadVersion {
  versionId: string;
  value?: SecretRecord;
  check?: VersionCheck;
}

export class Probe {
  private readonly gateway: SecretsGateway;
  private readonly metadata: SecretMetadata;
  private readonly errorContext: RotationErrorContext;

  constructor(
    readonly kind: RotatorKind,
    readonly rotator: Rotator<SecretRecord>,
    clients: Clients,
    info: SecretInfo,
    readonly env: Env,
    readonly logger: RecordingLogger,
  ) {
    this.errorContext = { secretId: info.arn, step: 'testSecret' };
    this.gateway = new SecretsGateway(clients.secrets, this.errorContext);
    this.metadata = { arn: info.arn, rotationEnabled: info.rotationEnabled, versionIdsToStages: info.stages };
  }

  /** The StepContext the engine would give a step for version `versionId`. */
  context(versionId: string, step: 'testSecret' | 'finishSecret' = 'testSecret'): StepContext {
    const policy = readEngineConfig(this.env, this.rotator.passwordDefaults).passwordPolicy;
    const errorContext = { ...this.errorContext, step };
    // The keys the engine puts on every line of an invocation (seen with --verbose).
    this.logger.appendKeys({ secretId: this.metadata.arn, step, clientRequestToken: versionId });
    return new StepRun({
      rotator: this.rotator,
      secrets: this.gateway,
      metadata: this.metadata,
      step,
      token: versionId,
      logger: this.logger,
      errorContext,
      passwordPolicy: policy,
    }).stepContext();
  }

  /**
   * The engine's finishSecret step for `versionId`, called directly rather than through the handler:
   * the handler's preamble refuses every step while rotation is turned off. The caller has checked
   * the rest of the preamble (the version holds AWSPENDING, not AWSCURRENT) on fresh metadata.
   */
  async finishStep(versionId: string, stages: Record<string, string[]>): Promise<void> {
    const metadata: SecretMetadata = { ...this.metadata, versionIdsToStages: stages };
    const errorContext = { ...this.errorContext, step: 'finishSecret' as const };
    const policy = readEngineConfig(this.env, this.rotator.passwordDefaults).passwordPolicy;
    await finishSecret(
      new StepRun({
        rotator: this.rotator,
        secrets: this.gateway,
        metadata,
        step: 'finishSecret',
        token: versionId,
        logger: this.logger,
        errorContext,
        passwordPolicy: policy,
      }),
    );
  }

  /** AWSCURRENT, parsed. A problem reading or parsing it is returned as a failed check. */
  async readCurrent(versionId: string): Promise<ReadVersion> {
    try {
      const version = await this.gateway.getVersion(this.metadata.arn, 'AWSCURRENT');
      return {
        versionId,
        value: parseSecretValue(this.rotator.schema, version.secretString, 'AWSCURRENT', this.errorContext),
      };
    } catch (error) {
      return {
        versionId,
        check: this.failure(
          'AWSCURRENT',
          versionId,
          error,
          [],
          error instanceof SecretValueError ? 'invalid' : 'fails',
        ),
      };
    }
  }

  /**
   * AWSPENDING or AWSPREVIOUS, parsed and held to AWSCURRENT by the engine's guard: a version that
   * names another host, user, provider or master secret is refused before anything is sent.
   */
  async readOther(
    label: 'AWSPENDING' | 'AWSPREVIOUS',
    versionId: string,
    current: SecretRecord | undefined,
  ): Promise<ReadVersion> {
    try {
      const version = await this.gateway.findVersion(this.metadata.arn, label, versionId);
      if (!version || version.secretString === undefined) {
        return {
          versionId,
          check: {
            label,
            versionId,
            state: 'empty',
            detail: 'the version has no value (createSecret never stored one)',
            connections: [],
          },
        };
      }
      const value = parseSecretValue(this.rotator.schema, version.secretString, label, this.errorContext);
      if (current) assertPendingFollowsCurrent(current, value, this.rotator.rotatedFields, this.errorContext);
      return { versionId, value };
    } catch (error) {
      if (error instanceof ConfusedDeputyError) {
        return {
          versionId,
          check: {
            label,
            versionId,
            state: 'refused',
            detail:
              `field "${error.field}" differs from AWSCURRENT's, and a rotation changes only ` +
              `${this.rotator.rotatedFields.map((f) => `"${f}"`).join(', ')}: not sent anywhere`,
            error: this.describe(error),
            connections: [],
          },
        };
      }
      return {
        versionId,
        check: this.failure(label, versionId, error, [], error instanceof SecretValueError ? 'invalid' : 'fails'),
      };
    }
  }

  /** Does this version work on the target? The rotator's configuration test, with the version as "current". */
  async logsIn(label: Label, versionId: string, value: SecretRecord): Promise<VersionCheck> {
    if (this.kind.target === null) {
      return {
        label,
        versionId,
        state: 'works',
        detail: 'nothing to log in to: no service stands behind this secret',
        connections: [],
      };
    }
    const mark = this.logger.mark();
    try {
      const ctx = this.context(versionId);
      if (this.rotator.testConfiguration) await this.rotator.testConfiguration(value, ctx);
      else await this.rotator.testPending({ current: value, pending: value }, ctx);
      return { label, versionId, state: 'works', connections: connectionsIn(this.logger.since(mark)) };
    } catch (error) {
      return this.failure(label, versionId, error, connectionsIn(this.logger.since(mark)));
    }
  }

  /** The engine's testSecret gate for AWSPENDING: what must pass before finishSecret may promote it. */
  async passesTestSecret(
    current: SecretRecord,
    pendingVersionId: string,
    pending: SecretRecord,
  ): Promise<VersionCheck> {
    if (this.kind.target === null) {
      return {
        label: 'AWSPENDING',
        versionId: pendingVersionId,
        state: 'works',
        detail: 'nothing to log in to: no service stands behind this secret',
        connections: [],
      };
    }
    const mark = this.logger.mark();
    try {
      await this.rotator.testPending({ current, pending }, this.context(pendingVersionId));
      return {
        label: 'AWSPENDING',
        versionId: pendingVersionId,
        state: 'works',
        connections: connectionsIn(this.logger.since(mark)),
      };
    } catch (error) {
      return this.failure('AWSPENDING', pendingVersionId, error, connectionsIn(this.logger.since(mark)));
    }
  }

  /**
   * Alternating users with no rotation unfinished: are both users' privileges equal? The rotator's
   * testSecret check with AWSPREVIOUS as "current" and AWSCURRENT as "pending" (it compares the pair).
   */
  async pairMatches(previous: SecretRecord, currentVersionId: string, current: SecretRecord): Promise<VersionCheck> {
    const mark = this.logger.mark();
    try {
      await this.rotator.testPending({ current: previous, pending: current }, this.context(currentVersionId));
      return {
        label: 'pair',
        versionId: currentVersionId,
        state: 'works',
        connections: connectionsIn(this.logger.since(mark)),
      };
    } catch (error) {
      return this.failure('pair', currentVersionId, error, connectionsIn(this.logger.since(mark)));
    }
  }

  private failure(
    label: VersionCheck['label'],
    versionId: string,
    error: unknown,
    connections: Connection[],
    state: CheckState = 'fails',
  ): VersionCheck {
    return { label, versionId, state, error: this.describe(error), connections };
  }

  describe(error: unknown): CheckError {
    // The CLI's own AWS calls: messages built from modelled errors only (aws.ts).
    if (error instanceof CliError) return { name: error.name, message: error.message };
    const safe = toRotationError(error, this.errorContext);
    const e = safe as unknown as { field?: unknown; fields?: unknown; kind?: unknown; code?: unknown };
    return {
      name: safe.name,
      message: withoutContext(safe.message),
      field: typeof e.field === 'string' ? e.field : Array.isArray(e.fields) ? e.fields.join(', ') : undefined,
      kind: typeof e.kind === 'string' ? e.kind : undefined,
      code: error instanceof TargetConnectionError ? error.code : undefined,
    };
  }
}

/** RotationError messages end with "(secret <arn>, step <step>)": the CLI already says which secret. */
export function withoutContext(message: string): string {
  return message.replace(/ \((?:secret [^,()]+)?(?:, )?(?:step [A-Za-z]+)?\)$/, '');
}
