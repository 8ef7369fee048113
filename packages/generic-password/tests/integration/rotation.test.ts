/** Full rotations of a generic password secret, from the source, against the local Secrets Manager. */
import { createRotationHandler } from '@rotators/core';
import {
  capturedOutput,
  createSecret,
  ensureRotationFunction,
  readSecret,
  RotationService,
  secretsManagerClient,
} from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { describe, expect, it } from 'vitest';
import { genericPasswordRotator } from '../../src/rotator.ts';

describe('generic-password rotation (source)', () => {
  it(
    'rotates three times in a row: new AWSCURRENT each time, ' + 'the old value under AWSPREVIOUS, other fields kept',
    async () => {
      const endpoint = motoEndpoint();
      const client = secretsManagerClient(endpoint);
      const handler = createRotationHandler(genericPasswordRotator, {
        client,
        env: { PASSWORD_LENGTH: '40', EXCLUDE_PUNCTUATION: 'true' },
      });
      const service = new RotationService({
        client,
        invoke: handler,
        rotationLambdaArn: await ensureRotationFunction(endpoint),
      });
      const secretId = await createSecret(
        client,
        { password: 'first-password-value', username: 'svc', extra: { team: 'payments' } },
        'generic',
      );

      const seen = [(await readSecret(client, secretId, 'AWSCURRENT'))!.password as string];
      for (let rotation = 1; rotation <= 3; rotation += 1) {
        const { token, attempts } = await service.rotate(secretId);
        const current = (await readSecret(client, secretId, 'AWSCURRENT'))!;
        const previous = (await readSecret(client, secretId, 'AWSPREVIOUS'))!;
        expect(attempts).toBe(1);
        expect(current.versionId).toBe(token);
        expect(previous.password).toBe(seen.at(-1));
        expect(current).toMatchObject({ username: 'svc', extra: { team: 'payments' } });
        expect(current.password).toMatch(/^[A-Za-z0-9]{40}$/);
        seen.push(current.password as string);
      }
      expect(new Set(seen).size).toBe(4);
    },
  );

  it('logs structured JSON keyed by secretId, step, clientRequestToken and rotator', async () => {
    const endpoint = motoEndpoint();
    const client = secretsManagerClient(endpoint);
    const handler = createRotationHandler(genericPasswordRotator, { client, env: {} });
    const service = new RotationService({
      client,
      invoke: handler,
      rotationLambdaArn: await ensureRotationFunction(endpoint),
    });
    const secretId = await createSecret(client, { password: 'logging-test-password' }, 'generic');
    const { token } = await service.rotate(secretId);

    const lines = capturedOutput()
      .split('\n')
      .filter((line) => line.includes(token))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((l) => l.step)).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
    for (const line of lines) {
      expect(line).toMatchObject({ rotator: 'generic-password', secretId, clientRequestToken: token, level: 'INFO' });
    }
  });
});
