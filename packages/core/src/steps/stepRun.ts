/** What one invocation knows: the event, the secret's metadata, and how to read its versions. */
import type { SecretSchema } from '../schema.ts';
import type { RotationStep } from '../event.ts';
import type { RotationLogger } from '../logger.ts';
import type { PasswordPolicy } from '../passwordPolicy.ts';
import { ConfusedDeputyError, type RotationErrorContext, SecretsManagerCallError, SecretValueError } from '../errors.ts';
import type { CreateContext, Rotator, StepContext, UnlabelledVersion } from '../rotator.ts';
import type { ListedVersion, SecretMetadata, SecretsGateway } from '../secretsGateway.ts';
import { parseSecretValue, type SecretRecord } from '../secretValue.ts';
import { assertPendingFollowsCurrent } from './pendingGuard.ts';

/**
 * At most this many versions without a label are read and handed to the rotator. An abandoned
 * rotation leaves one; a few cover several abandoned in a row, and the bound keeps a secret with
 * many such versions from costing a GetSecretValue and a target login each.
 */
export const MAX_UNLABELLED_VERSIONS = 3;

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

  /**
   * The versions no staging label holds that were created after AWSCURRENT, newest first, at most
   * MAX_UNLABELLED_VERSIONS, each parsed with the schema and held to `current` by the AWSPENDING
   * rules (pendingGuard.ts): whoever can write AWSPENDING can write such a version, so it gets no
   * more trust. One that fails is left out with a WARN naming its id (never its value).
   *
   * One ListSecretVersionIds (DescribeSecret lists only labelled versions), then one GetSecretValue
   * per version. "Created after" is judged by ListSecretVersionIds' CreatedDate, and between equal
   * dates by the order of the list: moto dates every version "now" in that call and lists versions
   * in the order they were created; on AWS dates have millisecond precision. A Secrets Manager
   * failure is a WARN and gives fewer versions: this only adds a way to recover, and the rotator's
   * own error says best what failed. The time budget running out still ends the invocation.
   */
  async readNewerUnlabelled(current: S): Promise<UnlabelledVersion<S>[]> {
    let listing: { versions: ListedVersion[]; complete: boolean };
    try {
      listing = await this.secrets.listVersions(this.secretId);
    } catch (error) {
      this.warnSecretsManagerFailure(error, 'could not list the secret\'s versions; versions without a staging label are not tried', 'secretsmanager:ListSecretVersionIds');
      return [];
    }
    if (!listing.complete) this.logger.warn('ListSecretVersionIds: stopped after too many pages; looking for versions without a label only among those listed');
    const candidates = newerUnlabelledCandidates(listing.versions, this.token);
    if (candidates === undefined) {
      this.logger.warn('ListSecretVersionIds did not list AWSCURRENT with a creation date; versions without a staging label are not tried');
      return [];
    }
    if (candidates.length > MAX_UNLABELLED_VERSIONS) {
      this.logger.info(`${candidates.length} versions without a staging label are newer than AWSCURRENT; trying the ${MAX_UNLABELLED_VERSIONS} newest`);
    }
    const chosen = candidates.slice(0, MAX_UNLABELLED_VERSIONS);
    const read = await Promise.all(chosen.map((candidate) => this.readUnlabelled(candidate.versionId, current)));
    const usable = read.filter((version): version is UnlabelledVersion<S> => version !== undefined);
    this.logger.info('versions without a staging label newer than AWSCURRENT', { versionIds: chosen.map((c) => c.versionId), usable: usable.map((v) => v.versionId) });
    return usable;
  }

  private async readUnlabelled(versionId: string, current: S): Promise<UnlabelledVersion<S> | undefined> {
    let version;
    try {
      version = await this.secrets.findVersionById(this.secretId, versionId);
    } catch (error) {
      this.warnSecretsManagerFailure(error, `could not read version ${versionId} (no staging label); it is not tried`);
      return undefined;
    }
    if (version?.secretString === undefined) {
      // RotateSecret's placeholder of a rotation abandoned before its createSecret, or deleted since the listing.
      this.logger.info(`version ${versionId} (no staging label) has no value; skipped`);
      return undefined;
    }
    try {
      const value = parseSecretValue(this.rotator.schema, version.secretString, `version ${versionId} (no staging label)`, this.errorContext);
      assertPendingFollowsCurrent(current, value, this.rotator.rotatedFields, this.errorContext);
      return { versionId, value };
    } catch (error) {
      if (!(error instanceof SecretValueError || error instanceof ConfusedDeputyError)) throw error;
      const fields = error instanceof ConfusedDeputyError ? [error.field] : error.fields;
      // The error names fields, never values (secretValue.ts, pendingGuard.ts).
      this.logger.warn(`version ${versionId} (no staging label) is not used: it does not fit the schema or differs from AWSCURRENT in a field a rotation may not change`, {
        versionId,
        fields,
        reason: error.message,
      });
      return undefined;
    }
  }

  private warnSecretsManagerFailure(error: unknown, what: string, permission?: string): void {
    // Out of time: the invocation ends here, as at any other call.
    if (!(error instanceof SecretsManagerCallError) || this.secrets.timedOut) throw error;
    const hint = permission && error.errorName === 'AccessDeniedException' ? ` (the function's role needs ${permission})` : '';
    this.logger.warn(`${what}${hint}`, { error: { name: error.name, message: error.message } });
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

/**
 * The versions without a staging label created after AWSCURRENT, newest first; undefined when
 * AWSCURRENT is not listed with a creation date. Later = a later CreatedDate, or the same one and
 * listed after (see readNewerUnlabelled). `token` is left out whatever its labels: it was
 * AWSPENDING at the preamble, and is tried as such.
 */
export function newerUnlabelledCandidates(listed: readonly ListedVersion[], token: string): ListedVersion[] | undefined {
  type Dated = { version: ListedVersion; time: number; index: number };
  const dated: Dated[] = [];
  listed.forEach((version, index) => {
    const time = version.createdDate?.getTime();
    if (time !== undefined && !Number.isNaN(time)) dated.push({ version, time, index });
  });
  const current = dated.find((d) => d.version.stages.includes('AWSCURRENT'));
  if (!current) return undefined;
  /** Positive when `a` is later than `b`. */
  const later = (a: Dated, b: Dated) => a.time - b.time || a.index - b.index;
  return dated
    .filter((d) => d.version.stages.length === 0 && d.version.versionId !== token && later(d, current) > 0)
    .sort((a, b) => later(b, a))
    .map((d) => d.version);
}
