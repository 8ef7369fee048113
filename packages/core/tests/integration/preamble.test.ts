/** The preamble against moto: each case AWS's templates handle, in their order. */
import {
  CancelRotateSecretCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import {
  InvalidEventError,
  RotationNotEnabledError,
  UnknownVersionError,
  VersionNotPendingError,
} from '@rotators/core';
import { readSecret } from '@rotators/testkit';
import { describe, expect, it } from 'vitest';
import { harness, recordingRotator } from '../helpers/harness.ts';

describe('preamble', () => {
  it('rejects a wrong or missing event field before any AWS call', async () => {
    const { handler, probe, newSecret } = await harness();
    const secretId = await newSecret();
    for (const event of [
      { Step: 'createSecret', SecretId: secretId },
      { Step: 'rotate', SecretId: secretId, ClientRequestToken: 't' },
      { Step: 'setSecret', SecretId: '', ClientRequestToken: 't' },
      { Step: 'setSecret', SecretId: secretId, ClientRequestToken: 'bad\ttoken' },
      undefined,
    ]) {
      await expect(handler(event)).rejects.toBeInstanceOf(InvalidEventError);
    }
    expect(probe.calls).toEqual([]);
  });

  it('fails when rotation is explicitly disabled, and writes nothing', async () => {
    const { handler, admin, service, probe, newSecret } = await harness();
    const secretId = await newSecret();
    const token = await service.start(secretId);
    await admin.send(new CancelRotateSecretCommand({ SecretId: secretId }));
    probe.reset();
    await expect(handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token })).rejects.toThrow(
      RotationNotEnabledError,
    );
    expect(probe.calls).toEqual(['DescribeSecretCommand']);
  });

  it('fails for a token that is not a version of the secret', async () => {
    const { handler, service, probe, newSecret } = await harness();
    const secretId = await newSecret();
    await service.start(secretId);
    probe.reset();
    const error = await handler({
      Step: 'createSecret',
      SecretId: secretId,
      ClientRequestToken: '00000000-0000-0000-0000-000000000000',
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(UnknownVersionError);
    expect((error as Error).message).toMatch(
      /00000000-0000-0000-0000-000000000000 has no stage.*secret arn:aws:secretsmanager:/,
    );
    expect(probe.calls).toEqual(['DescribeSecretCommand']);
  });

  it('returns without doing anything, for every step, when the token is already AWSCURRENT', async () => {
    const rotator = recordingRotator();
    const { handler, admin, probe, newSecret } = await harness(rotator);
    const secretId = await newSecret();
    const current = await readSecret(admin, secretId, 'AWSCURRENT');
    probe.reset();
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      await handler({ Step, SecretId: secretId, ClientRequestToken: current!.versionId });
    }
    expect(probe.calls).toEqual(Array(4).fill('DescribeSecretCommand'));
    expect(rotator.calls).toEqual([]);
  });

  it('fails when the version is neither AWSCURRENT nor AWSPENDING', async () => {
    const { handler, admin, service, probe, newSecret } = await harness();
    const secretId = await newSecret();
    const token = await service.start(secretId);
    await admin.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        SecretString: JSON.stringify({ password: 'manual-pending-value-1' }),
        VersionStages: ['AWSPENDING'],
      }),
    );
    await admin.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: 'AWSPENDING',
        RemoveFromVersionId: token,
      }),
    );
    probe.reset();
    await expect(handler({ Step: 'setSecret', SecretId: secretId, ClientRequestToken: token })).rejects.toThrow(
      VersionNotPendingError,
    );
    expect(probe.calls).toEqual(['DescribeSecretCommand']);
  });
});
