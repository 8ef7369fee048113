/** Each step's idempotency and its "nothing is written on bad input" rule, against moto. */
import { ListSecretVersionIdsCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { RotationError, SecretValueError } from '@rotators/core';
import { plantPending, readSecret, rememberSecret } from '@rotators/testkit';
import { describe, expect, it } from 'vitest';
import { harness, recordingRotator } from '../helpers/harness.ts';

async function versionCount(admin: Awaited<ReturnType<typeof harness>>['admin'], secretId: string) {
  const out = await admin.send(new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true }));
  return out.Versions?.filter((v) => (v.VersionStages ?? []).length > 0).length ?? 0;
}

describe('createSecret', () => {
  it('run twice writes one version with one value', async () => {
    const { handler, admin, service, probe, newSecret } = await harness();
    const secretId = await newSecret();
    const token = await service.start(secretId);
    probe.reset();
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    const first = await readSecret(admin, secretId, 'AWSPENDING', token);
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    const second = await readSecret(admin, secretId, 'AWSPENDING', token);

    expect(probe.count('PutSecretValueCommand')).toBe(1);
    expect(probe.count('GetRandomPasswordCommand')).toBe(1);
    expect(second).toEqual(first);
    expect(first!.password).not.toBe('initial-password-0001');
    expect(first!.label).toBe('kept');
    expect(await versionCount(admin, secretId)).toBe(2);
  });

  it('passes RotationToken to PutSecretValue', async () => {
    const { handler, service, newSecret, probe } = await harness();
    const secretId = await newSecret();
    const token = await service.start(secretId);
    probe.reset();
    rememberSecret('rotation-token-value-abc'); // the leak guard fails this file if it is ever logged
    await handler({
      Step: 'createSecret',
      SecretId: secretId,
      ClientRequestToken: token,
      RotationToken: 'rotation-token-value-abc',
    });
    const put = probe.inputs.find((call) => call.command === 'PutSecretValueCommand');
    expect(put?.input).toMatchObject({
      ClientRequestToken: token,
      VersionStages: ['AWSPENDING'],
      RotationToken: 'rotation-token-value-abc',
    });
  });

  it('catches only ResourceNotFound when looking for the pending version', async () => {
    const { handler, service, probe, newSecret } = await harness();
    const secretId = await newSecret();
    const token = await service.start(secretId);
    probe.reset();
    // The AWSCURRENT read passes; the pending lookup is throttled. That must fail the step, not create a value.
    probe.failNext(
      'GetSecretValueCommand',
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
      { skip: 1 },
    );
    await expect(handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token })).rejects.toThrow(
      /GetSecretValue failed: ThrottlingException/,
    );
    expect(probe.count('GetSecretValueCommand')).toBe(2);
    expect(probe.count('PutSecretValueCommand')).toBe(0);
  });

  it('writes nothing when AWSCURRENT does not fit the schema, and names the field and secret', async () => {
    const { handler, service, probe, newSecret } = await harness();
    const secretId = await newSecret({ password: 424242424242 });
    const token = await service.start(secretId);
    probe.reset();
    const error = await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token }).catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(SecretValueError);
    expect((error as SecretValueError).fields).toEqual(['password']);
    expect((error as Error).message).toContain(secretId);
    expect((error as Error).message).not.toContain('424242424242');
    expect(probe.count('PutSecretValueCommand')).toBe(0);
  });

  it('writes nothing when the rotator fails to build the pending value', async () => {
    const rotator = recordingRotator({
      async createPending() {
        throw new RotationError('cannot build');
      },
    });
    const { handler, service, probe, newSecret } = await harness(rotator);
    const secretId = await newSecret();
    const token = await service.start(secretId);
    probe.reset();
    await expect(handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token })).rejects.toThrow(
      /cannot build/,
    );
    expect(probe.count('PutSecretValueCommand')).toBe(0);
  });

  it('writes nothing when the rotator returns a value that breaks the schema', async () => {
    const rotator = recordingRotator({ createPending: async () => ({ password: undefined as unknown as string }) });
    const { handler, service, probe, newSecret } = await harness(rotator);
    const secretId = await newSecret();
    const token = await service.start(secretId);
    probe.reset();
    await expect(handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token })).rejects.toThrow(
      SecretValueError,
    );
    expect(probe.count('PutSecretValueCommand')).toBe(0);
  });
});

describe('setSecret and testSecret', () => {
  it('hand the rotator parsed current, pending and (when present) previous values', async () => {
    const seen: unknown[] = [];
    const rotator = recordingRotator({
      async setPending(versions) {
        seen.push(versions);
      },
    });
    const { handler, admin, service, newSecret } = await harness(rotator);
    const secretId = await newSecret();
    await service.rotate(secretId);
    const token = await service.start(secretId);
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    await handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token });
    const current = await readSecret(admin, secretId, 'AWSCURRENT');
    const pending = await readSecret(admin, secretId, 'AWSPENDING', token);
    const previous = await readSecret(admin, secretId, 'AWSPREVIOUS');
    const strip = (v: Record<string, unknown> | undefined) => {
      const { versionId: _omit, ...rest } = v ?? {};
      return rest;
    };
    // newerUnlabelled: read only when called (tests/integration/unlabelledVersions.test.ts).
    expect(seen.at(-1)).toEqual({
      current: strip(current),
      pending: strip(pending),
      previous: strip(previous),
      newerUnlabelled: expect.any(Function),
    });
  });

  it('tolerate an AWSPREVIOUS in another shape (first rotation after a format change)', async () => {
    const seen: unknown[] = [];
    const rotator = recordingRotator({
      async setPending(versions) {
        seen.push(versions.previous);
      },
    });
    const { handler, admin, service, newSecret } = await harness(rotator);
    const secretId = await newSecret({ password: 'old-shape-password', label: 'x' });
    await admin.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        SecretString: JSON.stringify({ password: 'new-shape-pw-0002' }),
        VersionStages: ['AWSCURRENT'],
      }),
    );
    await admin.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        SecretString: JSON.stringify({ unrelated: true }),
        VersionStages: ['AWSCURRENT'],
      }),
    );
    await admin.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        SecretString: JSON.stringify({ password: 'current-pw-00003' }),
        VersionStages: ['AWSCURRENT'],
      }),
    );
    const token = await service.start(secretId);
    await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token });
    await handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token });
    expect(seen).toEqual([undefined]);
  });
});

describe('finishSecret', () => {
  it('moves AWSCURRENT, lets AWS label the old version AWSPREVIOUS, and leaves AWSPENDING alone', async () => {
    const { handler, admin, service, newSecret } = await harness();
    const secretId = await newSecret();
    const before = await readSecret(admin, secretId, 'AWSCURRENT');
    const token = await service.start(secretId);
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'])
      await handler({ Step, SecretId: secretId, ClientRequestToken: token });
    const stages = await service.stages(secretId);
    expect(stages[token]!.sort()).toEqual(['AWSCURRENT', 'AWSPENDING']);
    expect(stages[before!.versionId]).toEqual(['AWSPREVIOUS']);
  });

  it('run twice is harmless, and any step after finish is a no-op', async () => {
    const rotator = recordingRotator();
    const { handler, admin, service, probe, newSecret } = await harness(rotator);
    const secretId = await newSecret();
    const before = await readSecret(admin, secretId, 'AWSCURRENT');
    const token = await service.start(secretId);
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'])
      await handler({ Step, SecretId: secretId, ClientRequestToken: token });
    const after = await readSecret(admin, secretId, 'AWSCURRENT');
    const callsBefore = rotator.calls.length;
    probe.reset();

    for (const Step of ['finishSecret', 'createSecret', 'setSecret', 'testSecret', 'finishSecret'])
      await handler({ Step, SecretId: secretId, ClientRequestToken: token });

    expect(probe.calls.every((c) => c === 'DescribeSecretCommand')).toBe(true);
    expect(rotator.calls.length).toBe(callsBefore);
    expect(await readSecret(admin, secretId, 'AWSCURRENT')).toEqual(after);
    expect((await readSecret(admin, secretId, 'AWSPREVIOUS'))!.versionId).toBe(before!.versionId);
  });

  it(
    'promotes only a pending value that fits the schema: ' +
      'a stray value invoked straight into finishSecret stays unpromoted',
    async () => {
      const { handler, admin, service, probe, newSecret } = await harness();
      const secretId = await newSecret();
      const before = await readSecret(admin, secretId, 'AWSCURRENT');
      const token = await service.start(secretId);
      // Someone with PutSecretValue puts a value the rotator never made, then invokes finishSecret.
      await plantPending(admin, secretId, token, { password: 42, label: 'kept' });
      probe.reset();
      const error = await handler({ Step: 'finishSecret', SecretId: secretId, ClientRequestToken: token }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SecretValueError);
      expect((error as SecretValueError).fields).toEqual(['password']);
      expect((error as Error).message).toMatch(/AWSPENDING/);
      expect(probe.count('UpdateSecretVersionStageCommand')).toBe(0);
      expect((await readSecret(admin, secretId, 'AWSCURRENT'))!.versionId).toBe(before!.versionId);
    },
  );

  it(
    'runs afterFinish with the new current and previous values, ' + 'and a failure there never undoes the promotion',
    async () => {
      const seen: unknown[] = [];
      const rotator = recordingRotator({
        async afterFinish(versions) {
          seen.push(versions);
          throw new RotationError('clean-up target unreachable');
        },
      });
      const { handler, admin, service, newSecret } = await harness(rotator);
      const secretId = await newSecret();
      const token = await service.start(secretId);
      for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'])
        await handler({ Step, SecretId: secretId, ClientRequestToken: token });
      const current = await readSecret(admin, secretId, 'AWSCURRENT');
      expect(current!.versionId).toBe(token);
      expect(seen).toEqual([
        {
          current: { password: current!.password, label: 'kept' },
          previous: { password: 'initial-password-0001', label: 'kept' },
        },
      ]);
    },
  );
});
