/** The built zip, unpacked alone and run on Node 22, performs the same rotation. */
import { fileURLToPath } from 'node:url';
import { createSecret, ensureRotationFunction, localAwsEnv, readSecret, RotationService, secretsManagerClient, startZipFunction } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('postgres-alternating-users.zip on Node 22', () => {
  let fn: Awaited<ReturnType<typeof startZipFunction>>;
  beforeAll(async () => {
    fn = await startZipFunction(fileURLToPath(new URL('../dist/postgres-alternating-users.zip', import.meta.url)), localAwsEnv(motoEndpoint()));
  });
  afterAll(async () => fn?.stop());

  it('rotates a secret', async () => {
    const endpoint = motoEndpoint();
    const client = secretsManagerClient(endpoint);
    const service = new RotationService({ client, invoke: fn.invoke, rotationLambdaArn: await ensureRotationFunction(endpoint), maxAttempts: 1 });
    const secretId = await createSecret(client, { password: 'initial-postgres-alternating-users-zip-value' }, 'postgres-alternating-users-zip');
    expect(fn.nodeVersion).toMatch(/^v22\./);

    const { token } = await service.rotate(secretId);

    expect((await readSecret(client, secretId, 'AWSCURRENT'))!.versionId).toBe(token);
  });
});
