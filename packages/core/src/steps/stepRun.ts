/** What one invocation knows: the event, the secret's metadata, and how to read its versions. */
import type { SecretSchema } from '../schema.ts';
import type { RotationStep } from '../event.ts';
import type { RotationLogger } from '../logger.ts';
import type { PasswordPolicy } from '../passwordPolicy.ts';
import { type RotationErrorContext, SecretsManagerCallError, SecretValueError } from '../errors.ts';
import type { CreateContext, Rotator, StepContext, UnlabelledVersion } from '../rotator.ts';
import type { ListedVersion, SecretMetadata, SecretsGateway, SecretVersion } from '../secretsGateway.ts';
import { parseSecretValue, type SecretRecord } from '../secretValue.ts';
import { assertPendingFollowsCurrent, fieldsOutsideRotation } from './pendingGuard.ts';

/**
 * At most this many usable versions without a label are handed to the rotator. An abandoned
 * rotation leaves one; a few cover several abandoned in a row, and the bound keeps a secret with
 * many such versions from costing a target login each.
 */
export const MAX_UNLABELLED_VERSIONS = 3;

/**
 * At most this many GetSecretValue calls are spent looking for them, newest first. Higher than
 * MAX_UNLABELLED_VERSIONS so that versions that cannot be used (not JSON, binary only, the empty
 * placeholder of a rotation abandoned before its createSecret), which anyone who can write the
 * secret can add, do not push the real one out of reach; bounded so that many of them cost little.
 */
export const MAX_UNLABELLED_READS = 10;

/** What reading one version newer than AWSCURRENT gave: a version to hand over, nothing, or the end of the walk. */
type NewerVersionOutcome<S extends SecretRecord> = { usable: UnlabelledVersion<S> } | 'skip' | 'stop';

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
      this.logger.warn('AWSPREVIOUS does not fit the schema; continuing without it', {
        reason: (error as Error).message,
      });
      return undefined;
    }
  }

  /**
   * The versions no staging label holds that were created after AWSCURRENT, newest first, at most
   * MAX_UNLABELLED_VERSIONS, each parsed with the schema and held to `current` by the AWSPENDING
   * rules (pendingGuard.ts): whoever can write AWSPENDING can write such a version, so it gets no
   * more trust.
   *
   * One ListSecretVersionIds (DescribeSecret lists only labelled versions), then a walk through the
   * versions created after AWSCURRENT, newest first, one GetSecretValue each, until
   * MAX_UNLABELLED_VERSIONS usable ones are found or MAX_UNLABELLED_READS were read:
   * - one that cannot be read, has no string value or does not fit the schema is skipped with a
   *   WARN naming its id (never its value), so that such versions cannot push the real one out;
   * - one that fits the schema but differs from AWSCURRENT in a field a rotation does not change
   *   ends the walk, with a WARN naming its id and the fields: it was written before the secret was
   *   pointed at its present target (or planted), and so was everything older. AWSCURRENT's place
   *   is only a label, which a writer of the secret can move back to a version from before a change
   *   of target; this is what keeps the passwords of the old target from being tried then.
   *   Versions that hold a label (say AWSPREVIOUS, after AWSCURRENT was moved back) are read for
   *   this check too, and never handed over: moving AWSCURRENT labels the version it leaves
   *   AWSPREVIOUS, and any label can hide a version, so a walk of unlabelled ones alone would
   *   step over the change.
   *
   * "Created after" is judged by ListSecretVersionIds' CreatedDate, and between equal dates by the
   * order of the list: moto dates every version "now" in that call and lists versions in the order
   * they were created; on AWS dates have millisecond precision. A Secrets Manager failure is a WARN
   * and gives fewer versions: this only adds a way to recover, and the rotator's own error says
   * best what failed. The time budget running out still ends the invocation.
   */
  async readNewerUnlabelled(current: S): Promise<UnlabelledVersion<S>[]> {
    let listing: { versions: ListedVersion[]; complete: boolean };
    try {
      listing = await this.secrets.listVersions(this.secretId);
    } catch (error) {
      this.warnSecretsManagerFailure(
        error,
        "could not list the secret's versions; versions without a staging label are not tried",
        'secretsmanager:ListSecretVersionIds',
      );
      return [];
    }
    if (!listing.complete)
      this.logger.warn(
        'ListSecretVersionIds: stopped after too many pages; ' +
          'looking for versions without a label only among those listed',
      );
    const newer = versionsNewerThanCurrent(listing.versions, this.token);
    if (newer === undefined) {
      this.logger.warn(
        'ListSecretVersionIds did not list AWSCURRENT with a creation date; ' +
          'versions without a staging label are not tried',
      );
      return [];
    }
    const usable: UnlabelledVersion<S>[] = [];
    const read: string[] = [];
    for (const [index, listed] of newer.entries()) {
      if (usable.length === MAX_UNLABELLED_VERSIONS) break;
      if (read.length === MAX_UNLABELLED_READS) {
        this.logger.warn(
          `read ${MAX_UNLABELLED_READS} versions newer than AWSCURRENT and found ${usable.length} usable ` +
            `without a staging label; the ${newer.length - index} older ones are not read`,
          { notRead: newer.length - index },
        );
        break;
      }
      read.push(listed.versionId);
      const outcome = await this.readNewerVersion(listed, current);
      if (outcome === 'stop') break;
      if (outcome !== 'skip') usable.push(outcome.usable);
    }
    this.logger.info('versions newer than AWSCURRENT read for those without a staging label', {
      versionIds: read,
      usable: usable.map((v) => v.versionId),
    });
    return usable;
  }

  /** One step of readNewerUnlabelled's walk. */
  private async readNewerVersion(listed: ListedVersion, current: S): Promise<NewerVersionOutcome<S>> {
    const { versionId } = listed;
    const labelled = listed.stages.length > 0;
    const what = labelled
      ? `version ${versionId} (labelled ${listed.stages.join(', ')}, newer than AWSCURRENT)`
      : `version ${versionId} (no staging label)`;
    let version: SecretVersion | undefined;
    try {
      version = await this.secrets.findVersionById(this.secretId, versionId);
    } catch (error) {
      this.warnSecretsManagerFailure(error, `could not read ${what}; it is not tried`);
      return 'skip';
    }
    if (version?.secretString === undefined) {
      // RotateSecret's placeholder of a rotation abandoned before its createSecret, a binary-only
      // version, or one deleted since the listing.
      this.logger.warn(
        `${what} has no value ` +
          `(a binary-only version, or the placeholder of a rotation abandoned before its createSecret); skipped`,
        { versionId },
      );
      return 'skip';
    }
    let value: S;
    try {
      value = parseSecretValue(this.rotator.schema, version.secretString, what, this.errorContext);
    } catch (error) {
      if (!(error instanceof SecretValueError)) throw error;
      // The error names fields, never values (secretValue.ts).
      this.logger.warn(`${what} is not used: it does not fit the schema; skipped`, {
        versionId,
        fields: error.fields,
        reason: error.message,
      });
      return 'skip';
    }
    // The pending guard's comparison (pendingGuard.ts); field names only, values are never shown.
    const fields = fieldsOutsideRotation(current, value, this.rotator.rotatedFields);
    if (fields.length > 0) {
      this.logger.warn(
        `${what} is not used: it differs from AWSCURRENT in ${fields.map((f) => `"${f}"`).join(', ')}, ` +
          `which a rotation does not change, so it was written before the secret named its present target ` +
          `(or planted); neither it nor any older version is tried`,
        { versionId, fields },
      );
      return 'stop';
    }
    // A labelled version was read only to find where the target changed; it is not a candidate.
    return labelled ? 'skip' : { usable: { versionId, value } };
  }

  private warnSecretsManagerFailure(error: unknown, what: string, permission?: string): void {
    // Out of time: the invocation ends here, as at any other call.
    if (!(error instanceof SecretsManagerCallError) || this.secrets.timedOut) throw error;
    const hint =
      permission && error.errorName === 'AccessDeniedException' ? ` (the function's role needs ${permission})` : '';
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
        return parseSecretValue(
          schema,
          version.secretString,
          `AWSCURRENT of secret ${otherSecretId}`,
          this.errorContext,
        );
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
 * The versions created after AWSCURRENT, newest first, labelled or not (readNewerUnlabelled reads
 * the labelled ones only to see whether the target changed); undefined when AWSCURRENT is not
 * listed with a creation date. Later = a later CreatedDate, or the same one and listed after (see
 * readNewerUnlabelled). `token` is left out whatever its labels: it was AWSPENDING at the
 * preamble, is tried as such, and has been held to AWSCURRENT already.
 */
export function versionsNewerThanCurrent(listed: readonly ListedVersion[], token: string): ListedVersion[] | undefined {
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
    .filter((d) => d.version.versionId !== token && later(d, current) > 0)
    .sort((a, b) => later(b, a))
    .map((d) => d.version);
}
