/**
 * The built zip as an artifact: unpacked alone, loaded by Node 22, a full rotation (reproducibility:
 * scripts/tests/reproducibleBuild.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createSecret,
  ensureRotationFunction,
  localAwsEnv,
  readSecret,
  RotationService,
  secretsManagerClient,
  startZipFunction,
  ZipInvocationError,
  zipPath,
} from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('generic-password.zip on Node 22', () => {
  let fn: Awaited<ReturnType<typeof startZipFunction>>;

  beforeAll(async () => {
    fn = await startZipFunction(zipPath('generic-password'), { ...localAwsEnv(motoEndpoint()), PASSWORD_LENGTH: '24' });
  });
  afterAll(async () => fn?.stop());

  it('runs on Node 22 from an empty folder', () => {
    expect(fn.nodeVersion).toMatch(/^v22\./);
    expect(readFileSync(join(fn.directory, 'index.mjs')).length).toBeGreaterThan(0);
  });

  it('performs full rotations', async () => {
    const endpoint = motoEndpoint();
    const client = secretsManagerClient(endpoint);
    const service = new RotationService({
      client,
      invoke: fn.invoke,
      rotationLambdaArn: await ensureRotationFunction(endpoint),
    });
    const secretId = await createSecret(client, { password: 'zip-initial-password', note: 'kept' }, 'generic-zip');
    for (let rotation = 0; rotation < 2; rotation += 1) {
      const before = await readSecret(client, secretId, 'AWSCURRENT');
      const { token } = await service.rotate(secretId);
      const current = await readSecret(client, secretId, 'AWSCURRENT');
      expect(current!.versionId).toBe(token);
      expect(current!.note).toBe('kept');
      expect((current!.password as string).length).toBe(24);
      expect((await readSecret(client, secretId, 'AWSPREVIOUS'))!.password).toBe(before!.password);
    }
    expect(fn.output()).toContain('"rotator":"generic-password"');
  });

  it('reports a typed error for a bad event, as the runtime would', async () => {
    const error = await fn.invoke({ Step: 'explode', SecretId: 'x', ClientRequestToken: 'y' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZipInvocationError);
    expect((error as Error).name).toBe('InvalidEventError');
  });
});
