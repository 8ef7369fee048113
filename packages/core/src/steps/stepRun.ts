/** What one invocation knows: the event, the secret's metadata, and how to read its versions. */
import type { SecretSchema } from '../schema.ts';
import type { RotationErrorContext } from '../errors.ts';
import type { RotationStep } from '../event.ts';
import type { RotationLogger } from '../logger.ts';
import type { PasswordPolicy } from '../passwordPolicy.ts';
import type { CreateContext, Rotator, StepContext } from '../rotator.ts';
import type { SecretMetadata, SecretsGateway } from '../secretsGateway.ts';
import { parseSecretValue, type SecretRecord } from '../secretValue.ts';
import { assertPendingFollowsCurrent } from './pendingGuard.ts';

/** What an invocation starts from: the rotator, the event's step and tokens, and what the handler set up. */
export interface StepRunInit<S extends SecretRecord> {
  rotator: Rotator<S>;
  secrets: SecretsGateway;
  metadata: SecretMetadata;
  step: RotationStep;
  /** The ClientRequestToken: the pending version's id. */
  token: string;
  /** Cross-account proof, passed to PutSecretValue only. */
  rotationToken?: string;
  logger: RotationLogger;
  errorContext: RotationErrorContext;
  passwordPolicy: PasswordPolicy;
}

export class StepRun<S extends SecretRecord> {
  readonly rotator: Rotator<S>;
  readonly secrets: SecretsGateway;
  readonly metadata: SecretMetadata;
  readonly step: RotationStep;
  readonly token: string;
  readonly rotationToken: string | undefined;
  readonly logger: RotationLogger;
  readonly errorContext: RotationErrorContext;
  private readonly passwordPolicy: PasswordPolicy;

  constructor(init: StepRunInit<S>) {
    ({
      rotator: this.rotator,
      secrets: this.secrets,
      metadata: this.metadata,
      step: this.step,
      token: this.token,
      rotationToken: this.rotationToken,
      logger: this.logger,
      errorContext: this.errorContext,
      passwordPolicy: this.passwordPolicy,
    } = init);
  }

  get secretId(): string {
    return this.metadata.arn;
  }

  /** Both versions, parsed, and the pending one checked to follow the current one (pendingGuard.ts). */
  async readCurrentAndPending(): Promise<{ current: S; pending: S }> {
    const [currentVersion, pendingVersion] = await Promise.all([
      this.secrets.getVersion(this.secretId, 'AWSCURRENT'),
      this.secrets.getVersion(this.secretId, 'AWSPENDING', this.token),
    ]);
    const current = parseSecretValue(this.rotator.schema, currentVersion.secretString, 'AWSCURRENT', this.errorContext);
    const pending = parseSecretValue(this.rotator.schema, pendingVersion.secretString, 'AWSPENDING', this.errorContext);
    assertPendingFollowsCurrent(current, pending, this.rotator.rotatedFields, this.errorContext);
    return { current, pending };
  }

  /**
   * AWSPREVIOUS when it exists and fits the schema. On the first rotation there is none, and an old
   * version in another shape must not mask the real failure (AWS templates PR #13), so both are undefined.
   */
  async readPreviousIfUsable(): Promise<S | undefined> {
    const previous = await this.secrets.findVersion(this.secretId, 'AWSPREVIOUS');
    if (!previous) return undefined;
    try {
      return parseSecretValue(this.rotator.schema, previous.secretString, 'AWSPREVIOUS', this.errorContext);
    } catch (error) {
      this.logger.warn('AWSPREVIOUS does not fit the schema; continuing without it', { reason: (error as Error).message });
      return undefined;
    }
  }

  stepContext(): StepContext {
    return {
      secretId: this.secretId,
      step: this.step,
      token: this.token,
      logger: this.logger,
      readSecret: async <T extends SecretRecord>(otherSecretId: string, schema: SecretSchema<T>): Promise<T> => {
        const version = await this.secrets.getVersion(otherSecretId, 'AWSCURRENT');
        return parseSecretValue(schema, version.secretString, `AWSCURRENT of secret ${otherSecretId}`, this.errorContext);
      },
    };
  }

  createContext(): CreateContext {
    return {
      ...this.stepContext(),
      randomPassword: (overrides) => this.secrets.randomPassword({ ...this.passwordPolicy, ...overrides }),
    };
  }
}
