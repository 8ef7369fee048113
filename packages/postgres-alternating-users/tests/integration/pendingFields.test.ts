/**
 * The engine's pending-field guard for this rotator's schema: AWSPENDING may differ from
 * AWSCURRENT only in `username` and `password`. For every other field of the schema (engine, host,
 * port, dbname, masterarn, ownerRole, ssl) and one unknown field, a planted pending value is refused
 * at setSecret, testSecret and finishSecret with ConfusedDeputyError naming it, before any hook
 * runs (so before any connection), and nothing is written. The cases come from the schema, so a
 * field added later is covered.
 */
import { pendingFieldCases } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { expectPendingFieldRefused } from '@rotators/testkit/vitest/pendingFieldCase';
import { describe, expect, it } from 'vitest';
import { createPostgresAlternatingUsersRotator } from '../../src/rotator.ts';

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
    expect(new Set(cases.map((c) => c.field))).toEqual(
      new Set(['engine', 'host', 'port', 'dbname', 'masterarn', 'ownerRole', 'ssl', 'note', 'plantedUnknownField']),
    );
  });

  it.each(cases.map((c) => [c.field, c.change, c] as const))(
    '%s %s: refused at every step, no hook runs, nothing written',
    async (field, _change, { pending }) => {
      await expectPendingFieldRefused({
        endpoint: motoEndpoint(),
        rotator: base,
        current,
        pending: { ...pending, username: 'app_clone', password: 'planted-password-value-02' },
        field,
        namePrefix: 'pg-alt-fields',
      });
    },
  );
});
