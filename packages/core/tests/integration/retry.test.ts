/** A failed step followed by the service's retry of the whole rotation ends in a consistent secret. */
import { RotationError } from '@rotators/core';
import { readSecret, RotationFailedError } from '@rotators/testkit';
import { describe, expect, it } from 'vitest';
import { harness, recordingRotator } from '../helpers/harness.ts';

describe('whole-rotation retries', () => {
  it('a testSecret failure on the first attempt is retried with the same token and value', async () => {
    let failures = 1;
    const pendingSeen: string[] = [];
    const rotator = recordingRotator({
      async testPending({ pending }) {
        pendingSeen.push(pending.password);
        if (failures-- > 0) throw new RotationError('target briefly unavailable');
      },
    });
    const { admin, service, newSecret } = await harness(rotator);
    const secretId = await newSecret();
    const result = await service.rotate(secretId);

    expect(result.attempts).toBe(2);
    expect(result.failures.map((e) => (e as Error).message)).toEqual([
      expect.stringMatching(/target briefly unavailable/),
    ]);
    expect(rotator.calls.filter((c) => c === 'createPending')).toHaveLength(1);
    expect(new Set(pendingSeen).size).toBe(1);
    const current = await readSecret(admin, secretId, 'AWSCURRENT');
    expect(current!.versionId).toBe(result.token);
    expect(current!.password).toBe(pendingSeen[0]);
    expect((await readSecret(admin, secretId, 'AWSPREVIOUS'))!.password).toBe('initial-password-0001');
    expect((await service.stages(secretId))[result.token]).toEqual(['AWSCURRENT']);
  });

  it('a Secrets Manager failure during finishSecret is retried and the labels end consistent', async () => {
    const { admin, service, probe, newSecret } = await harness();
    const secretId = await newSecret();
    probe.failNext(
      'UpdateSecretVersionStageCommand',
      Object.assign(new Error('Internal failure'), { name: 'InternalServiceError' }),
    );
    const result = await service.rotate(secretId);
    expect(result.attempts).toBe(2);
    const stages = await service.stages(secretId);
    expect(Object.values(stages).filter((s) => s.includes('AWSCURRENT'))).toHaveLength(1);
    expect(stages[result.token]).toEqual(['AWSCURRENT']);
    expect((await readSecret(admin, secretId, 'AWSPREVIOUS'))!.password).toBe('initial-password-0001');
  });

  it('a rotation that keeps failing leaves AWSCURRENT untouched and AWSPENDING for the next attempt', async () => {
    const rotator = recordingRotator({
      async setPending() {
        throw new RotationError('target refuses');
      },
    });
    const { admin, service, newSecret } = await harness(rotator);
    const secretId = await newSecret();
    const before = await readSecret(admin, secretId, 'AWSCURRENT');
    const error = await service.rotate(secretId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RotationFailedError);
    expect((error as RotationFailedError).failures).toHaveLength(3);
    expect(await readSecret(admin, secretId, 'AWSCURRENT')).toEqual(before);
    const stages = await service.stages(secretId);
    expect(stages[(error as RotationFailedError).token]).toEqual(['AWSPENDING']);
    await expect(service.rotate(secretId)).rejects.toThrow(/previous rotation isn't complete/);
  });
});
