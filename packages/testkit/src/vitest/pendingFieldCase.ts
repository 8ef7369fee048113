/**
 * The pending-field case as one assertion, for each rotator's tests/integration/pendingFields.test.ts
 * (vitest only).
 */
import { ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';
import { createRotationHandler, type Rotator } from '@rotators/core';
import { expect } from 'vitest';
import { secretsManagerClient } from '../aws.ts';
import { instrumentClient } from '../instrumentedClient.ts';
import { plantPending } from '../pendingFields.ts';
import { ensureRotationFunction } from '../rotationFunction.ts';
import { RotationService } from '../rotationService.ts';
import { createSecret } from '../secrets.ts';

/**
 * The whole pending-field case against the local Secrets Manager: a secret holding `current`, a
 * rotation started, `pending` planted as its AWSPENDING, then setSecret, testSecret and
 * finishSecret each refused with a ConfusedDeputyError naming `field` and the secret; no hook of
 * the rotator ran, nothing was written, no label moved. The handler under test is core's, around
 * `rotator` (with `env`) whose setPending/testPending only record that they ran.
 */
export async function expectPendingFieldRefused(options: {
  endpoint: string;
  // biome-ignore lint/suspicious/noExplicitAny: any rotator's secret type
  rotator: Rotator<any>;
  env?: Record<string, string | undefined>;
  current: Record<string, unknown>;
  pending: Record<string, unknown>;
  field: string;
  namePrefix: string;
}): Promise<void> {
  const { endpoint, current, pending, field } = options;
  const client = secretsManagerClient(endpoint);
  const probe = instrumentClient(client);
  const hooks: string[] = [];
  const { rotator } = options;
  const handler = createRotationHandler(
    {
      ...rotator,
      setPending: async () => {
        hooks.push('setPending');
      },
      testPending: async () => {
        hooks.push('testPending');
      },
    },
    { client, env: options.env ?? {} },
  );
  const admin = secretsManagerClient(endpoint);
  const service = new RotationService({
    client: admin,
    invoke: handler,
    rotationLambdaArn: await ensureRotationFunction(endpoint),
  });
  const secretId = await createSecret(admin, current, options.namePrefix);
  const token = await service.start(secretId);
  await plantPending(admin, secretId, token, pending);
  const stages = async () =>
    (await admin.send(new ListSecretVersionIdsCommand({ SecretId: secretId }))).Versions?.map((v) => [
      v.VersionId,
      v.VersionStages,
    ]);
  const before = await stages();
  probe.reset();

  for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const) {
    const error = await handler({ Step: step, SecretId: secretId, ClientRequestToken: token }).catch((e: unknown) => e);
    expect((error as Error | undefined)?.name, step).toBe('ConfusedDeputyError');
    expect((error as { field?: string }).field, step).toBe(field);
    expect((error as Error).message).toContain(secretId);
    const planted = pending[field];
    if (typeof planted === 'string' && planted.length >= 8) expect((error as Error).message).not.toContain(planted);
  }
  expect(hooks).toEqual([]);
  expect(probe.count('PutSecretValueCommand') + probe.count('UpdateSecretVersionStageCommand')).toBe(0);
  expect(await stages()).toEqual(before);
}
