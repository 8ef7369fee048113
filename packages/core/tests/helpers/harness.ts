/** A handler on a small test rotator, wired to the local Secrets Manager, with a call probe. */
import { createRotationHandler, type Rotator } from '@rotators/core';
import {
  createSecret,
  ensureRotationFunction,
  instrumentClient,
  RotationService,
  secretsManagerClient,
} from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { z } from 'zod';

export const testSecretSchema = z.looseObject({ password: z.string(), label: z.string().optional() });
export type TestSecret = z.infer<typeof testSecretSchema>;

export interface RecordingRotator extends Rotator<TestSecret> {
  calls: string[];
}

/** Generates a password and records which hooks ran. */
export function recordingRotator(overrides: Partial<Rotator<TestSecret>> = {}): RecordingRotator {
  const calls: string[] = [];
  return {
    name: 'test-rotator',
    schema: testSecretSchema,
    rotatedFields: ['password'],
    calls,
    async createPending(current, ctx) {
      calls.push('createPending');
      return { ...current, password: await ctx.randomPassword() };
    },
    async setPending() {
      calls.push('setPending');
    },
    async testPending() {
      calls.push('testPending');
    },
    ...overrides,
  };
}

export async function harness(rotator: Rotator<TestSecret> = recordingRotator(), env: Record<string, string> = {}) {
  const endpoint = motoEndpoint();
  const functionClient = secretsManagerClient(endpoint);
  const probe = instrumentClient(functionClient);
  const handler = createRotationHandler(rotator, { client: functionClient, env });
  const admin = secretsManagerClient(endpoint);
  const service = new RotationService({
    client: admin,
    invoke: handler,
    rotationLambdaArn: await ensureRotationFunction(endpoint),
  });
  const newSecret = (value: Record<string, unknown> = { password: 'initial-password-0001', label: 'kept' }) =>
    createSecret(admin, value, 'core');
  return { handler, probe, admin, service, newSecret };
}
