/**
 * RotateSecret with RotateImmediately=false (Terraform's rotate_immediately = false): Secrets
 * Manager invokes testSecret alone, and createSecret never ran. The engine then tests the current
 * value, and nothing is written.
 */
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { RotationError } from '@rotators/core';
import { readSecret, rememberSecretJson } from '@rotators/testkit';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { harness, recordingRotator, type TestSecret } from '../helpers/harness.ts';

/** As Terraform makes it: the secret first, its value as a second call, so moto's test placeholder is empty. */
async function secretWithoutCreationValue(
  admin: Awaited<ReturnType<typeof harness>>['admin'],
  value: TestSecret,
): Promise<string> {
  const created = await admin.send(new CreateSecretCommand({ Name: `core/config-test/${randomUUID()}` }));
  rememberSecretJson(JSON.stringify(value));
  await admin.send(
    new PutSecretValueCommand({
      SecretId: created.ARN!,
      SecretString: JSON.stringify(value),
      VersionStages: ['AWSCURRENT'],
    }),
  );
  return created.ARN!;
}

describe('testSecret as a configuration test', () => {
  it('with no pending value, tests the current value through testPending and writes nothing', async () => {
    const seen: unknown[] = [];
    const rotator = recordingRotator({
      async testPending(versions) {
        seen.push(versions);
      },
    });
    const { admin, service, probe } = await harness(rotator);
    const value = { password: 'config-test-current-1', label: 'kept' };
    const secretId = await secretWithoutCreationValue(admin, value);
    const before = await readSecret(admin, secretId, 'AWSCURRENT');
    probe.reset();

    await service.testOnly(secretId);

    expect(seen).toEqual([{ current: value, pending: value }]);
    expect(probe.count('PutSecretValueCommand') + probe.count('UpdateSecretVersionStageCommand')).toBe(0);
    expect(await readSecret(admin, secretId, 'AWSCURRENT')).toEqual(before);
    expect(Object.values(await service.stages(secretId)).flat()).not.toContain('AWSPENDING');
  });

  it("uses the rotator's testConfiguration when it has one", async () => {
    const configurationTests: unknown[] = [];
    const rotator = recordingRotator({
      async testConfiguration(current) {
        configurationTests.push(current);
      },
    });
    const { admin, service } = await harness(rotator);
    const value = { password: 'config-test-current-2' };
    const secretId = await secretWithoutCreationValue(admin, value);

    await service.testOnly(secretId);

    expect(configurationTests).toEqual([value]);
    expect(rotator.calls).not.toContain('testPending');
  });

  it('a pending value equal to the current one is a configuration test too', async () => {
    const rotator = recordingRotator({
      async testConfiguration() {
        rotator.calls.push('testConfiguration');
      },
    });
    const { admin, handler, service } = await harness(rotator);
    const value = { password: 'config-test-current-3' };
    const secretId = await secretWithoutCreationValue(admin, value);
    const token = await service.start(secretId, false);
    await admin.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        SecretString: JSON.stringify(value),
        VersionStages: ['AWSPENDING'],
      }),
    );

    await handler({ Step: 'testSecret', SecretId: secretId, ClientRequestToken: token });

    expect(rotator.calls).toEqual(['testConfiguration']);
  });

  it('fails when the current value does not work, and writes nothing', async () => {
    const rotator = recordingRotator({
      async testConfiguration() {
        throw new RotationError('target refuses the current credentials');
      },
    });
    const { admin, service, probe } = await harness(rotator);
    const secretId = await secretWithoutCreationValue(admin, { password: 'config-test-current-4' });
    probe.reset();

    await expect(service.testOnly(secretId)).rejects.toThrow(/target refuses the current credentials/);
    expect(probe.count('PutSecretValueCommand') + probe.count('UpdateSecretVersionStageCommand')).toBe(0);
  });
});
