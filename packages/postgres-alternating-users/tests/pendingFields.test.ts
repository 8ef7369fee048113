/**
 * The engine's pending-field guard for this rotator's schema: AWSPENDING may differ from
 * AWSCURRENT only in `username` and `password`. For every other field of the schema (engine, host,
 * port, dbname, masterarn, ownerRole, ssl) and one unknown field, a planted pending value is refused
 * at setSecret, testSecret and finishSecret with ConfusedDeputyError naming it, before any hook
 * runs (so before any connection), and nothing is written. The cases come from the schema, so a
 * field added later is covered.
 */
import { ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';
import { ConfusedDeputyError, createRotationHandler, type Rotator } from '@rotators/core';
import { createSecret, ensureRotationFunction, instrumentClient, pendingFieldCases, plantPending, RotationService, secretsManagerClient } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { describe, expect, it } from 'vitest';
import { createPostgresAlternatingUsersRotator } from '../src/rotator.ts';
import type { PostgresAlternatingSecret } from '../src/schema.ts';

const base = createPostgresAlternatingUsersRotator({ env: {} });
const current = {
  engine: 'postgres',
  host: 'db.internal',
  port: 5432,
  username: 'app',
  password: 'current-password-value-01',
  dbname: 'shop',
  masterarn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:master-AbCdEf',
  ownerRole: 'shop_owner',
  ssl: true,
  note: 'kept',
};
const cases = pendingFieldCases(base.schema as never, current, base.rotatedFields);

describe('postgres-alternating-users: AWSPENDING may differ from AWSCURRENT only in username and password', () => {
  it('has a case for every field of the schema and an unknown one', () => {
    expect(new Set(cases.map((c) => c.field))).toEqual(new Set(['engine', 'host', 'port', 'dbname', 'masterarn', 'ownerRole', 'ssl', 'note', 'plantedUnknownField']));
  });

  it.each(cases.map((c) => [c.field, c.change, c] as const))('%s %s: refused at every step, no hook runs, nothing written', async (field, _change, { pending }) => {
    const endpoint = motoEndpoint();
    const client = secretsManagerClient(endpoint);
    const probe = instrumentClient(client);
    const hooks: string[] = [];
    const rotator: Rotator<PostgresAlternatingSecret> = { ...base, setPending: async () => void hooks.push('setPending'), testPending: async () => void hooks.push('testPending') };
    const handler = createRotationHandler(rotator, { client, env: {} });
    const admin = secretsManagerClient(endpoint);
    const service = new RotationService({ client: admin, invoke: handler, rotationLambdaArn: await ensureRotationFunction(endpoint) });
    const secretId = await createSecret(admin, current, 'pg-alt-fields');
    const token = await service.start(secretId);
    await plantPending(admin, secretId, token, { ...pending, username: 'app_clone', password: 'planted-password-value-02' });
    const stages = async () => (await admin.send(new ListSecretVersionIdsCommand({ SecretId: secretId }))).Versions?.map((v) => [v.VersionId, v.VersionStages]);
    const before = await stages();
    probe.reset();

    for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const) {
      const error = await handler({ Step: step, SecretId: secretId, ClientRequestToken: token }).catch((e: unknown) => e);
      expect(error, step).toBeInstanceOf(ConfusedDeputyError);
      expect((error as ConfusedDeputyError).field).toBe(field);
      expect((error as Error).message).toContain(secretId);
    }
    expect(hooks).toEqual([]);
    expect(probe.count('PutSecretValueCommand') + probe.count('UpdateSecretVersionStageCommand')).toBe(0);
    expect(await stages()).toEqual(before);
  });
});
