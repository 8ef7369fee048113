/**
 * What Secrets Manager does around a rotation function, done against moto (which never runs the
 * function itself): RotateSecret with a fresh token (so the empty AWSPENDING version exists), the
 * four steps in order, retries of the whole rotation after a failed step, and the AWSPENDING
 * clean-up that the service performs after success. It also refuses to start while an earlier
 * rotation is unfinished, as AWS does (moto lets it through).
 */
import { randomUUID } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { rememberSecret, rememberSecretJson } from './logCapture.ts';

export const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type Step = (typeof STEPS)[number];

export interface RotationInvocation {
  Step: Step;
  SecretId: string;
  ClientRequestToken: string;
  RotationToken?: string;
}

export type InvokeFunction = (event: RotationInvocation) => Promise<unknown>;

export interface RotationServiceOptions {
  /** Used for RotateSecret, the clean-up and inspection; not the function's own client. */
  client: SecretsManagerClient;
  /** The rotation function: a handler in this process or a zip running on Node 22. */
  invoke: InvokeFunction;
  /** A function registered in moto (see ensureRotationFunction). */
  rotationLambdaArn: string;
  /** Whole-rotation attempts before giving up (Secrets Manager retries several times). */
  maxAttempts?: number;
  /**
   * Sent in every event, as Secrets Manager does. Default: a fresh random one per service, which
   * the leak guard remembers; null sends none.
   */
  rotationToken?: string | null;
}

export interface RotationResult {
  token: string;
  attempts: number;
  /** Errors of failed attempts, in order. */
  failures: unknown[];
}

export class RotationFailedError extends Error {
  override readonly name = 'RotationFailedError';
  constructor(
    readonly token: string,
    readonly failures: unknown[],
  ) {
    const last = failures.at(-1) as Error | undefined;
    super(`Rotation ${token} failed after ${failures.length} attempt(s): ${last?.name}: ${last?.message}`, {
      cause: last,
    });
  }
}

export class RotationService {
  private readonly rotationToken: string | undefined;

  constructor(private readonly options: RotationServiceOptions) {
    this.rotationToken = options.rotationToken === null ? undefined : (options.rotationToken ?? `rt-${randomUUID()}`);
    rememberSecret(this.rotationToken);
  }

  /** A whole rotation, with retries; resolves when AWSCURRENT holds the new version. */
  async rotate(secretId: string): Promise<RotationResult> {
    const token = await this.start(secretId);
    const maxAttempts = this.options.maxAttempts ?? 3;
    const failures: unknown[] = [];
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      try {
        for (const step of STEPS) await this.runStep(secretId, step, token);
        await this.cleanUpPending(secretId, token);
        await this.rememberVersions(secretId);
        return { token, attempts: attempt, failures };
      } catch (error) {
        failures.push(error);
      }
    }
    await this.rememberVersions(secretId);
    throw new RotationFailedError(token, failures);
  }

  /** RotateSecret with a fresh token: moto creates the empty AWSPENDING version, as AWS does. */
  async start(secretId: string, rotateImmediately = true): Promise<string> {
    await this.assertNoRotationInProgress(secretId);
    const token = randomUUID();
    await this.options.client.send(
      new RotateSecretCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        RotationLambdaARN: this.options.rotationLambdaArn,
        RotationRules: { AutomaticallyAfterDays: 30 },
        RotateImmediately: rotateImmediately,
      }),
    );
    return token;
  }

  /**
   * RotateSecret with RotateImmediately=false: Secrets Manager only tests the configuration. It
   * creates an AWSPENDING version, invokes testSecret alone, then removes the version's label.
   * (moto leaves the label, and fills the version with the value the secret was created with, or
   * nothing when it was created without one, as Terraform does.)
   */
  async testOnly(secretId: string): Promise<void> {
    const token = await this.start(secretId, false);
    try {
      await this.runStep(secretId, 'testSecret', token);
    } finally {
      await this.cleanUpPending(secretId, token);
    }
  }

  /** One invocation, as Secrets Manager sends it (SecretId is the ARN). */
  async runStep(secretId: string, step: Step, token: string): Promise<unknown> {
    const arn = await this.arnOf(secretId);
    const event: RotationInvocation = { Step: step, SecretId: arn, ClientRequestToken: token };
    if (this.rotationToken) event.RotationToken = this.rotationToken;
    return this.options.invoke(event);
  }

  /** The service removes AWSPENDING once a rotation has succeeded. */
  async cleanUpPending(secretId: string, token: string): Promise<void> {
    const stages = (await this.stages(secretId))[token] ?? [];
    if (!stages.includes('AWSPENDING')) return;
    await this.options.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: 'AWSPENDING',
        RemoveFromVersionId: token,
      }),
    );
  }

  async stages(secretId: string): Promise<Record<string, string[]>> {
    const out = await this.options.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return out.VersionIdsToStages ?? {};
  }

  private async arnOf(secretId: string): Promise<string> {
    const out = await this.options.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return out.ARN ?? secretId;
  }

  private async assertNoRotationInProgress(secretId: string): Promise<void> {
    const stages = await this.stages(secretId);
    const pending = Object.entries(stages).find(
      ([, labels]) => labels.includes('AWSPENDING') && !labels.includes('AWSCURRENT'),
    );
    if (pending) {
      throw new Error(
        `A previous rotation isn't complete (AWSPENDING is on version ${pending[0]}); ` +
          'that rotation must finish or be cleaned up first',
      );
    }
  }

  /** Whatever the rotation generated, in every version (labelled or not), goes into the log-leak guard's list. */
  private async rememberVersions(secretId: string): Promise<void> {
    const listed = await this.options.client
      .send(new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true }))
      .catch(() => undefined);
    for (const version of listed?.Versions ?? []) {
      if (!version.VersionId) continue;
      const out = await this.options.client
        .send(new GetSecretValueCommand({ SecretId: secretId, VersionId: version.VersionId }))
        .catch(() => undefined);
      rememberSecretJson(out?.SecretString);
    }
  }
}
