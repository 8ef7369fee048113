/**
 * Whole rotations of a built zip, driven by the test kit's rotation service (RotateSecret, the four
 * steps, the AWSPENDING clean-up) against moto behind the counting proxy:
 *
 *   cold  every step in a fresh Node 22 process, as a cold Lambda runs it: the zip unpacked,
 *         Node started, index.mjs loaded (`startMs`), then the one invocation (`invokeMs`);
 *   warm  every step in one process that lives across rotations; its first rotation (whose first
 *         step is the cold one) is not timed, only its calls are counted.
 *
 * Each step keeps the Secrets Manager calls the zip made during it (the proxy sees only the zip:
 * the rotation service talks to moto directly).
 */
import { performance } from 'node:perf_hooks';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  RotationService,
  type RotationInvocation,
  type Step,
  startZipFunction,
  type ZipFunction,
} from '@rotators/testkit';
import type { CountingProxy, SecretsManagerCall } from './proxy.ts';

export interface StepSample {
  step: Step;
  /** Cold only: from unpacking the zip to its handler loaded in a fresh process. */
  startMs?: number;
  invokeMs: number;
  calls: SecretsManagerCall[];
  /** The event's SecretId (the ARN) and ClientRequestToken, to describe repeated calls. */
  secretId: string;
  token: string;
}

export type Rotation = StepSample[];

export interface RotationRuns {
  nodeVersion: string;
  cold: Rotation[];
  /** The warm process's first rotation: counted for calls, not timed. */
  warmUp: Rotation;
  warm: Rotation[];
}

export interface RotationOptions {
  zip: string;
  env: Record<string, string>;
  proxy: CountingProxy;
  client: SecretsManagerClient;
  rotationLambdaArn: string;
  secretId: string;
  rotations: number;
  progress(message: string): void;
}

export async function measureRotations(options: RotationOptions): Promise<RotationRuns> {
  const { zip, env, proxy, rotations, progress } = options;
  let nodeVersion = '';
  let steps: Rotation = [];

  /** Runs `invoke` for one step and records its time and the calls the proxy saw meanwhile. */
  const record = async (event: RotationInvocation, fn: ZipFunction, startMs?: number) => {
    const before = proxy.calls.length;
    const started = performance.now();
    await fn.invoke(event);
    const invokeMs = performance.now() - started;
    steps.push({
      step: event.Step,
      startMs,
      invokeMs,
      calls: proxy.calls.slice(before),
      secretId: event.SecretId,
      token: event.ClientRequestToken,
    });
  };
  const rotate = async (invoke: (event: RotationInvocation) => Promise<void>): Promise<Rotation> => {
    steps = [];
    const service = new RotationService({
      client: options.client,
      invoke,
      rotationLambdaArn: options.rotationLambdaArn,
      maxAttempts: 1,
    });
    await service.rotate(options.secretId);
    return steps;
  };

  const cold: Rotation[] = [];
  for (let i = 1; i <= rotations; i += 1) {
    progress(`cold rotation ${i}/${rotations}`);
    cold.push(
      await rotate(async (event) => {
        const started = performance.now();
        const fn = await startZipFunction(zip, env);
        const startMs = performance.now() - started;
        nodeVersion = fn.nodeVersion;
        try {
          await record(event, fn, startMs);
        } finally {
          await fn.stop();
        }
      }),
    );
  }

  const fn = await startZipFunction(zip, env);
  try {
    const invoke = (event: RotationInvocation) => record(event, fn);
    progress('warm-up rotation');
    const warmUp = await rotate(invoke);
    const warm: Rotation[] = [];
    for (let i = 1; i <= rotations; i += 1) {
      progress(`warm rotation ${i}/${rotations}`);
      warm.push(await rotate(invoke));
    }
    return { nodeVersion: nodeVersion || fn.nodeVersion, cold, warmUp, warm };
  } finally {
    await fn.stop();
  }
}
