/**
 * Every Secrets Manager call the engine makes goes through here. Rotators never hold the client.
 * Each call passes VersionStage explicitly (moto's default version is not AWSCURRENT), and every
 * SDK failure becomes a SecretsManagerCallError naming the operation and the secret.
 */
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { type RotationErrorContext, SecretsManagerCallError } from './errors.ts';
import { type PasswordPolicy, toGetRandomPasswordRequest } from './passwordPolicy.ts';

export type StagingLabel = 'AWSCURRENT' | 'AWSPENDING' | 'AWSPREVIOUS';

export interface SecretMetadata {
  arn: string;
  /** undefined when DescribeSecret omits it (moto before the first RotateSecret). */
  rotationEnabled?: boolean;
  versionIdsToStages: Record<string, string[]>;
}

export interface SecretVersion {
  versionId: string;
  secretString?: string;
}

/** One entry of ListSecretVersionIds: no value, only the id, the labels and when it was created. */
export interface ListedVersion {
  versionId: string;
  /** Empty for a version no staging label holds. */
  stages: string[];
  createdDate?: Date;
}

/**
 * ListSecretVersionIds pages read at most (100 versions each): a bound on the calls, not a limit a
 * real secret reaches.
 */
export const MAX_VERSION_LIST_PAGES = 10;

export class SecretsGateway {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly context: RotationErrorContext,
    /** The invocation's time budget (timeBudget.ts): every call stops when it fires. */
    private readonly signal?: AbortSignal,
  ) {}

  /** True once the invocation's time budget has run out: every call from now on fails. */
  get timedOut(): boolean {
    return this.signal?.aborted ?? false;
  }

  async describe(secretId: string): Promise<SecretMetadata> {
    const out = await this.call('DescribeSecret', () =>
      this.client.send(new DescribeSecretCommand({ SecretId: secretId }), this.options()),
    );
    return {
      arn: out.ARN ?? secretId,
      rotationEnabled: out.RotationEnabled,
      versionIdsToStages: out.VersionIdsToStages ?? {},
    };
  }

  /** The version holding `stage` (and, when given, with id `versionId`); undefined only on ResourceNotFound. */
  async findVersion(secretId: string, stage: StagingLabel, versionId?: string): Promise<SecretVersion | undefined> {
    try {
      const out = await this.client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage, VersionId: versionId }),
        this.options(),
      );
      return { versionId: out.VersionId ?? versionId ?? '', secretString: out.SecretString };
    } catch (error) {
      if (this.signal?.aborted) throw new SecretsManagerCallError('GetSecretValue', this.context, this.signal.reason);
      // By name, not class: a fault injected by a test (or a second SDK copy) is recognised too.
      if ((error as Error)?.name === 'ResourceNotFoundException') return undefined;
      throw new SecretsManagerCallError('GetSecretValue', this.context, error);
    }
  }

  /** Like findVersion, but a missing version is an error. */
  async getVersion(secretId: string, stage: StagingLabel, versionId?: string): Promise<SecretVersion> {
    return this.call('GetSecretValue', async () => {
      const out = await this.client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage, VersionId: versionId }),
        this.options(),
      );
      return { versionId: out.VersionId ?? versionId ?? '', secretString: out.SecretString };
    });
  }

  /**
   * A version by its id alone, for a version that no staging label holds: there is no stage to
   * pass, and the id names one version, so the moto default-version pitfall (a call with neither)
   * cannot arise. undefined on ResourceNotFound (deleted meanwhile, or a placeholder without a value).
   */
  async findVersionById(secretId: string, versionId: string): Promise<SecretVersion | undefined> {
    try {
      const out = await this.client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId }),
        this.options(),
      );
      return { versionId: out.VersionId ?? versionId, secretString: out.SecretString };
    } catch (error) {
      if (this.signal?.aborted) throw new SecretsManagerCallError('GetSecretValue', this.context, this.signal.reason);
      if ((error as Error)?.name === 'ResourceNotFoundException') return undefined;
      throw new SecretsManagerCallError('GetSecretValue', this.context, error);
    }
  }

  /**
   * Every version with its labels and creation date, those without a label included
   * (IncludeDeprecated: AWS hides them by default), in the order Secrets Manager lists them.
   * Follows NextToken for at most MAX_VERSION_LIST_PAGES pages.
   */
  async listVersions(secretId: string): Promise<{ versions: ListedVersion[]; complete: boolean }> {
    const versions: ListedVersion[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_VERSION_LIST_PAGES; page += 1) {
      const out = await this.call('ListSecretVersionIds', () =>
        this.client.send(
          new ListSecretVersionIdsCommand({
            SecretId: secretId,
            IncludeDeprecated: true,
            MaxResults: 100,
            NextToken: nextToken,
          }),
          this.options(),
        ),
      );
      for (const entry of out.Versions ?? []) {
        if (entry.VersionId)
          versions.push({
            versionId: entry.VersionId,
            stages: entry.VersionStages ?? [],
            createdDate: entry.CreatedDate,
          });
      }
      // moto answers NextToken "" on the last page.
      nextToken = out.NextToken || undefined;
      if (!nextToken) return { versions, complete: true };
    }
    return { versions, complete: false };
  }

  async putPending(secretId: string, token: string, secretString: string, rotationToken?: string): Promise<void> {
    await this.call('PutSecretValue', () =>
      this.client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: token,
          SecretString: secretString,
          VersionStages: ['AWSPENDING'],
          RotationToken: rotationToken,
        }),
        this.options(),
      ),
    );
  }

  /** Move AWSCURRENT to `token`. Secrets Manager then labels the version it left AWSPREVIOUS. */
  async promote(secretId: string, token: string, currentVersionId: string | undefined): Promise<void> {
    await this.call('UpdateSecretVersionStage', () =>
      this.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: token,
          // Omitted when no version holds AWSCURRENT: the API rejects a null RemoveFromVersionId.
          RemoveFromVersionId: currentVersionId,
        }),
        this.options(),
      ),
    );
  }

  async randomPassword(policy: PasswordPolicy): Promise<string> {
    const out = await this.call('GetRandomPassword', () =>
      this.client.send(new GetRandomPasswordCommand(toGetRandomPasswordRequest(policy)), this.options()),
    );
    if (!out.RandomPassword)
      throw new SecretsManagerCallError('GetRandomPassword', this.context, new Error('empty RandomPassword'));
    return out.RandomPassword;
  }

  private options(): { abortSignal?: AbortSignal } {
    return this.signal ? { abortSignal: this.signal } : {};
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      // An aborted call fails with the SDK's AbortError; the reason says why it was aborted.
      throw new SecretsManagerCallError(operation, this.context, this.signal?.aborted ? this.signal.reason : error);
    }
  }
}
