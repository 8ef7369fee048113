/**
 * Every field but `password` must be equal in AWSPENDING and AWSCURRENT (the engine's guard):
 * a planted pending value that changes any other field, known or unknown, is refused at setSecret,
 * testSecret and finishSecret with ConfusedDeputyError naming it, before any hook runs (so before
 * any connection), and nothing is written. The cases come from the schema, so a field added later
 * is covered. Against the real server: tests/rotation.test.ts (engine, dbname, host, …).
 */
import { ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';
import { ConfusedDeputyError, createRotationHandler, type Rotator } from '@rotators/core';
import { createSecret, ensureRotationFunction, instrumentClient, pendingFieldCases, plantPending, RotationService, secretsManagerClient } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { describe, expect, it } from 'vitest';
import { createPostgresSingleUserRotator } from '../src/rotator.ts';
import type { PostgresSecret } from '../src/schema.ts';

const postgresRotator = createPostgresSingleUserRotator({ env: {} });
const current = { engine: 'postgres', host: 'db.internal', port: 5432, username: 'app_user', password: 'current-password-value-01', dbname: 'app', ssl: true };
const cases = pendingFieldCases(postgresRotator.schema as never, current, postgresRotator.rotatedFields);

describe('postgres-single-user: AWSPENDING may differ from AWSCURRENT only in "password"', () => {
  it('has a case for every field of the schema and an unknown one', () => {
    expect(new Set(cases.map((c) => c.field))).toEqual(new Set(['engine', 'host', 'port', 'username', 'dbname', 'ssl', 'plantedUnknownField']));
  });

  it.each(cases.map((c) => [c.field, c.change, c] as const))('%s %s: refused at every step, no hook runs, nothing written', async (field, _change, { pending }) => {
    const endpoint = motoEndpoint();
    const client = secretsManagerClient(endpoint);
    const probe = instrumentClient(client);
    const hooks: string[] = [];
    const rotator: Rotator<PostgresSecret> = {
      ...postgresRotator,
      setPending: async () => void hooks.push('setPending'),
      testPending: async () => void hooks.push('testPending'),
    };
    const handler = createRotationHandler(rotator, { client, env: {} });
    const admin = secretsManagerClient(endpoint);
    const service = new RotationService({ client: admin, invoke: handler, rotationLambdaArn: await ensureRotationFunction(endpoint) });
    const secretId = await createSecret(admin, current, 'pg-fields');
    const token = await service.start(secretId);
    await plantPending(admin, secretId, token, { ...pending, password: 'planted-password-value-02' });
    const stagesBefore = (await admin.send(new ListSecretVersionIdsCommand({ SecretId: secretId }))).Versions?.map((v) => [v.VersionId, v.VersionStages]);
    probe.reset();

    for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const) {
      const error = await handler({ Step: step, SecretId: secretId, ClientRequestToken: token }).catch((e: unknown) => e);
      expect(error, step).toBeInstanceOf(ConfusedDeputyError);
      expect((error as ConfusedDeputyError).field).toBe(field);
      expect((error as Error).message).toContain(secretId);
      const planted = pending[field];
      if (typeof planted === 'string') expect((error as Error).message).not.toContain(planted);
    }
    expect(hooks).toEqual([]);
    expect(probe.count('PutSecretValueCommand') + probe.count('UpdateSecretVersionStageCommand')).toBe(0);
    const stagesAfter = (await admin.send(new ListSecretVersionIdsCommand({ SecretId: secretId }))).Versions?.map((v) => [v.VersionId, v.VersionStages]);
    expect(stagesAfter).toEqual(stagesBefore);
  });
});
