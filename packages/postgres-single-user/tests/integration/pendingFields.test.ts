/**
 * Every field but `password` must be equal in AWSPENDING and AWSCURRENT (the engine's guard):
 * a planted pending value that changes any other field, known or unknown, is refused at setSecret,
 * testSecret and finishSecret with ConfusedDeputyError naming it, before any hook runs (so before
 * any connection), and nothing is written. The cases come from the schema, so a field added later
 * is covered. Against the real server: tests/integration/rotation.test.ts (engine, dbname, host, …).
 */
import { pendingFieldCases } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { expectPendingFieldRefused } from '@rotators/testkit/vitest/pendingFieldCase';
import { describe, expect, it } from 'vitest';
import { createPostgresSingleUserRotator } from '../../src/rotator.ts';

const postgresRotator = createPostgresSingleUserRotator({ env: {} });
const current = {
  engine: 'postgres',
  host: 'db.internal',
  port: 5432,
  username: 'app_user',
  password: 'current-password-value-01',
  dbname: 'app',
  ssl: true,
};
const cases = pendingFieldCases(postgresRotator.schema as never, current, postgresRotator.rotatedFields);

describe('postgres-single-user: AWSPENDING may differ from AWSCURRENT only in "password"', () => {
  it('has a case for every field of the schema and an unknown one', () => {
    expect(new Set(cases.map((c) => c.field))).toEqual(
      new Set(['engine', 'host', 'port', 'username', 'dbname', 'ssl', 'plantedUnknownField']),
    );
  });

  it.each(cases.map((c) => [c.field, c.change, c] as const))(
    '%s %s: refused at every step, no hook runs, nothing written',
    async (field, _change, { pending }) => {
      await expectPendingFieldRefused({
        endpoint: motoEndpoint(),
        rotator: postgresRotator,
        current,
        pending: { ...pending, password: 'planted-password-value-02' },
        field,
        namePrefix: 'pg-fields',
      });
    },
  );
});
