/**
 * A full rotation from the source against the local Secrets Manager. It fails with
 * "not implemented" until src/rotator.ts is written. Then: replace the initial value with a real
 * one for your target, start the target in beforeAll (a real server on 127.0.0.1, see the test
 * kit), and assert on the target too, not only on the labels.
 */
import { createRotationHandler } from '@rotators/core';
import { createSecret, ensureRotationFunction, readSecret, RotationService, secretsManagerClient } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { describe, expect, it } from 'vitest';
import { createPostgresAlternatingUsersRotator } from '../src/rotator.ts';

describe('postgres-alternating-users rotation (source)', () => {
  it('rotates: a new AWSCURRENT, the old value under AWSPREVIOUS', async () => {
    const endpoint = motoEndpoint();
    const client = secretsManagerClient(endpoint);
    const handler = createRotationHandler(createPostgresAlternatingUsersRotator(), { client, env: {} });
    const service = new RotationService({ client, invoke: handler, rotationLambdaArn: await ensureRotationFunction(endpoint), maxAttempts: 1 });
    const secretId = await createSecret(client, { password: 'initial-postgres-alternating-users-value' }, 'postgres-alternating-users');

    const { token } = await service.rotate(secretId);

    expect((await readSecret(client, secretId, 'AWSCURRENT'))!.versionId).toBe(token);
    expect((await readSecret(client, secretId, 'AWSPREVIOUS'))!.password).toBe('initial-postgres-alternating-users-value');
  });
});
