/**
 * Secrets Manager's side of a rotation as the proof drives it: RotateSecret with a fresh token
 * (moto creates the empty AWSPENDING, as AWS does), the four steps in order, each step invoked
 * again with the same token when it fails (up to `stepAttempts` invocations), and when a step
 * keeps failing the rotation is abandoned and the next scheduled rotation starts with a new token
 * (up to `scheduledRotations`). Before that new rotation the stuck AWSPENDING label is removed, as
 * AWS's troubleshooting guide tells an operator to (AWS itself refuses to start a rotation while
 * AWSPENDING is on another version; moto would move the label silently). After success the
 * AWSPENDING label is removed, as the service does.
 *
 * After a crashed invocation the next one gets a new handler (nothing kept in memory, as a new
 * Lambda). The lockout probe runs at every step boundary.
 */
import { randomUUID } from 'node:crypto';
import {
  DescribeSecretCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { rememberSecret } from '../logCapture.ts';
import { STEPS, type Step } from '../rotationService.ts';
import type { CallRecorder } from './recorder.ts';

export type Handler = (event: unknown) => Promise<unknown>;

export interface RetryingServiceOptions {
  /** The service's own client (RotateSecret, the label clean-up): never faulted, never counted. */
  client: SecretsManagerClient;
  /** A new handler, as a cold Lambda would build it. */
  newHandler: () => Handler;
  recorder: CallRecorder;
  rotationLambdaArn: string;
  /** Invocations of one step with one token before the rotation is abandoned. Default 3. */
  stepAttempts?: number;
  /** Rotations (tokens) tried before giving up. Default 2. */
  scheduledRotations?: number;
  /** Called at every step boundary and after every label change the service makes. */
  boundary?: (where: string) => Promise<void>;
  /** Told before `boundary` when the service itself moved a label (RotateSecret, a clean-up). */
  labelsChanged?: () => void;
}

export interface FailedInvocation {
  token: string;
  step: Step;
  attempt: number;
  crashed: boolean;
  error?: { name: string; message: string };
}

export interface RotationOutcome {
  completed: boolean;
  /** Every token started, in order; the last one completed when `completed`. */
  tokens: string[];
  invocations: number;
  failures: FailedInvocation[];
  /** Tokens whose rotation was abandoned (their AWSPENDING removed before the next rotation). */
  abandoned: string[];
}

export class RetryingRotationService {
  private handler: Handler;
  private readonly rotationToken = `rt-${randomUUID()}`;

  constructor(private readonly options: RetryingServiceOptions) {
    this.handler = options.newHandler();
    rememberSecret(this.rotationToken);
  }

  async rotate(secretId: string): Promise<RotationOutcome> {
    const outcome: RotationOutcome = { completed: false, tokens: [], invocations: 0, failures: [], abandoned: [] };
    const scheduled = this.options.scheduledRotations ?? 2;
    for (let rotation = 1; rotation <= scheduled; rotation += 1) {
      const stuck = await this.removeStuckPending(secretId);
      outcome.abandoned.push(...stuck);
      const token = await this.start(secretId);
      outcome.tokens.push(token);
      if (await this.runSteps(secretId, token, STEPS, outcome)) {
        await this.cleanUpPending(secretId, token);
        outcome.completed = true;
        return outcome;
      }
    }
    return outcome;
  }

  /** RotateSecret with a new token; moto creates the empty AWSPENDING version. */
  async start(secretId: string): Promise<string> {
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
    this.options.labelsChanged?.();
    await this.boundary(`RotateSecret ${short(token)}`);
    return token;
  }

  /** `steps` in order, each retried with the same token; true when all succeeded. */
  async runSteps(secretId: string, token: string, steps: readonly Step[], outcome: RotationOutcome): Promise<boolean> {
    const attempts = this.options.stepAttempts ?? 3;
    for (const step of steps) {
      let done = false;
      for (let attempt = 1; attempt <= attempts && !done; attempt += 1) {
        const failure = await this.invoke(secretId, step, token, attempt);
        outcome.invocations += 1;
        if (failure) outcome.failures.push(failure);
        else done = true;
      }
      if (!done) return false;
    }
    return true;
  }

  /** One invocation; the failure, or undefined when it succeeded. */
  async invoke(secretId: string, step: Step, token: string, attempt = 1): Promise<FailedInvocation | undefined> {
    const { recorder } = this.options;
    const arn = await this.arnOf(secretId);
    recorder.beginInvocation(step);
    let error: unknown;
    try {
      await this.handler({ Step: step, SecretId: arn, ClientRequestToken: token, RotationToken: this.rotationToken });
    } catch (caught) {
      error = caught ?? new Error('undefined thrown');
    }
    const { crashed } = recorder.endInvocation();
    // A process that died is gone with whatever it held in memory.
    if (crashed) this.handler = this.options.newHandler();
    await this.boundary(`${step} ${short(token)} #${attempt} ${crashed ? 'crashed' : error ? 'failed' : 'done'}`);
    if (!error && !crashed) return undefined;
    const e = error as Error | undefined;
    return { token, step, attempt, crashed, error: e ? { name: e.name, message: e.message } : undefined };
  }

  /** The service removes AWSPENDING once a rotation has succeeded. */
  async cleanUpPending(secretId: string, token: string): Promise<void> {
    const stages = await this.stages(secretId);
    if (!(stages[token] ?? []).includes('AWSPENDING')) return;
    await this.options.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: 'AWSPENDING',
        RemoveFromVersionId: token,
      }),
    );
    this.options.labelsChanged?.();
    await this.boundary(`AWSPENDING removed from ${short(token)} (rotation done)`);
  }

  /** AWSPENDING on a version that is not AWSCURRENT: a rotation that did not finish. Removed; its tokens returned. */
  async removeStuckPending(secretId: string): Promise<string[]> {
    const stages = await this.stages(secretId);
    const stuck = Object.entries(stages)
      .filter(([, labels]) => labels.includes('AWSPENDING') && !labels.includes('AWSCURRENT'))
      .map(([id]) => id);
    for (const id of stuck) {
      await this.options.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: 'AWSPENDING',
          RemoveFromVersionId: id,
        }),
      );
      this.options.labelsChanged?.();
      await this.boundary(`AWSPENDING removed from abandoned ${short(id)}`);
    }
    return stuck;
  }

  async stages(secretId: string): Promise<Record<string, string[]>> {
    const out = await this.options.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return out.VersionIdsToStages ?? {};
  }

  private readonly arns = new Map<string, string>();
  private async arnOf(secretId: string): Promise<string> {
    let arn = this.arns.get(secretId);
    if (!arn) {
      arn = (await this.options.client.send(new DescribeSecretCommand({ SecretId: secretId }))).ARN ?? secretId;
      this.arns.set(secretId, arn);
    }
    return arn;
  }

  private async boundary(where: string): Promise<void> {
    await this.options.boundary?.(where);
  }
}

const short = (token: string) => token.slice(0, 8);
