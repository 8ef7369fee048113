/**
 * The engine's pending-field guard, for this rotator's schema: AWSPENDING may differ from
 * AWSCURRENT only in `rotatedFields`. For every other field of the schema (and one unknown field)
 * a planted pending value is refused at setSecret, testSecret and finishSecret, before any hook
 * runs, with nothing written. The cases come from the schema: a field you add is covered.
 * TODO: make `current` a realistic value with every optional field of your schema set.
 */
import { ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';
import { ConfusedDeputyError, createRotationHandler, type Rotator } from '@rotators/core';
import { createSecret, ensureRotationFunction, instrumentClient, pendingFieldCases, plantPending, RotationService, secretsManagerClient } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { describe, expect, it } from 'vitest';
import { createPostgresAlternatingUsersRotator, type PostgresAlternatingUsersSecret } from '../src/rotator.ts';

const base = createPostgresAlternatingUsersRotator();
const current = { password: 'initial-postgres-alternating-users-value', note: 'kept' };
const cases = pendingFieldCases(base.schema as never, current, base.rotatedFields);

describe('postgres-alternating-users: AWSPENDING may differ from AWSCURRENT only in rotatedFields', () => {
  it.each(cases.map((c) => [c.field, c.change, c] as const))('%s %s: refused at every step, no hook runs, nothing written', async (field, _change, { pending }) => {
    const endpoint = motoEndpoint();
    const client = secretsManagerClient(endpoint);
    const probe = instrumentClient(client);
    const hooks: string[] = [];
    const rotator: Rotator<PostgresAlternatingUsersSecret> = { ...base, setPending: async () => void hooks.push('setPending'), testPending: async () => void hooks.push('testPending') };
    const handler = createRotationHandler(rotator, { client, env: {} });
    const admin = secretsManagerClient(endpoint);
    const service = new RotationService({ client: admin, invoke: handler, rotationLambdaArn: await ensureRotationFunction(endpoint) });
    const secretId = await createSecret(admin, current, 'postgres-alternating-users-fields');
    const token = await service.start(secretId);
    await plantPending(admin, secretId, token, pending);
    const stages = async () => (await admin.send(new ListSecretVersionIdsCommand({ SecretId: secretId }))).Versions?.map((v) => [v.VersionId, v.VersionStages]);
    const before = await stages();
    probe.reset();

    for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const) {
      const error = await handler({ Step: step, SecretId: secretId, ClientRequestToken: token }).catch((e: unknown) => e);
      expect(error, step).toBeInstanceOf(ConfusedDeputyError);
      expect((error as ConfusedDeputyError).field).toBe(field);
    }
    expect(hooks).toEqual([]);
    expect(probe.count('PutSecretValueCommand') + probe.count('UpdateSecretVersionStageCommand')).toBe(0);
    expect(await stages()).toEqual(before);
  });
});
