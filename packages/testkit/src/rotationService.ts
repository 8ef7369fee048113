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
  RotateSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { rememberSecretJson } from './logCapture.ts';

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
  /** Sent in every event, as Secrets Manager does for cross-account rotation. */
  rotationToken?: string;
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
    super(`Rotation ${token} failed after ${failures.length} attempt(s): ${last?.name}: ${last?.message}`, { cause: last });
  }
}

export class RotationService {
  constructor(private readonly options: RotationServiceOptions) {}

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
    await this.rememberVersions(secretId, token);
    throw new RotationFailedError(token, failures);
  }

  /** RotateSecret with a fresh token: moto creates the empty AWSPENDING version, as AWS does. */
  async start(secretId: string): Promise<string> {
    await this.assertNoRotationInProgress(secretId);
    const token = randomUUID();
    await this.options.client.send(
      new RotateSecretCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        RotationLambdaARN: this.options.rotationLambdaArn,
        RotationRules: { AutomaticallyAfterDays: 30 },
        RotateImmediately: true,
      }),
    );
    return token;
  }

  /** One invocation, as Secrets Manager sends it (SecretId is the ARN). */
  async runStep(secretId: string, step: Step, token: string): Promise<unknown> {
    const arn = await this.arnOf(secretId);
    const event: RotationInvocation = { Step: step, SecretId: arn, ClientRequestToken: token };
    if (this.options.rotationToken) event.RotationToken = this.options.rotationToken;
    return this.options.invoke(event);
  }

  /** The service removes AWSPENDING once a rotation has succeeded. */
  async cleanUpPending(secretId: string, token: string): Promise<void> {
    const stages = (await this.stages(secretId))[token] ?? [];
    if (!stages.includes('AWSPENDING')) return;
    await this.options.client.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSPENDING', RemoveFromVersionId: token }));
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
    const pending = Object.entries(stages).find(([, labels]) => labels.includes('AWSPENDING') && !labels.includes('AWSCURRENT'));
    if (pending) {
      throw new Error(`A previous rotation isn't complete (AWSPENDING is on version ${pending[0]}); that rotation must finish or be cleaned up first`);
    }
  }

  /** Whatever the rotation generated goes into the log-leak guard's list. */
  private async rememberVersions(secretId: string, pendingToken?: string): Promise<void> {
    const reads: GetSecretValueCommand[] = [
      new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }),
      new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSPREVIOUS' }),
    ];
    if (pendingToken) reads.push(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSPENDING', VersionId: pendingToken }));
    for (const read of reads) {
      const out = await this.options.client.send(read).catch(() => undefined);
      rememberSecretJson(out?.SecretString);
    }
  }
}
