/**
 * Every field but `password` must be equal in AWSPENDING and AWSCURRENT (the engine's guard):
 * a planted pending value that changes any other field, known or unknown, is refused at setSecret,
 * testSecret and finishSecret with ConfusedDeputyError naming it, before any hook runs, and
 * nothing is written. The cases come from the schema, so a field added later is covered.
 */
import { pendingFieldCases } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { expectPendingFieldRefused } from '@rotators/testkit/vitest/pendingFieldCase';
import { describe, expect, it } from 'vitest';
import { genericPasswordRotator } from '../../src/rotator.ts';

const current = {
  password: 'current-password-value-01',
  username: 'svc',
  host: 'db.internal',
  extra: { team: 'payments' },
};
const cases = pendingFieldCases(genericPasswordRotator.schema as never, current, genericPasswordRotator.rotatedFields);

describe('generic-password: AWSPENDING may differ from AWSCURRENT only in "password"', () => {
  it('has a case for every field of the schema and an unknown one', () => {
    expect(new Set(cases.map((c) => c.field))).toEqual(new Set(['username', 'host', 'extra', 'plantedUnknownField']));
  });

  it.each(cases.map((c) => [c.field, c.change, c] as const))(
    '%s %s: refused at every step, no hook runs, nothing written',
    async (field, _change, { pending }) => {
      await expectPendingFieldRefused({
        endpoint: motoEndpoint(),
        rotator: genericPasswordRotator,
        current,
        pending: { ...pending, password: 'planted-password-value-02' },
        field,
        namePrefix: 'generic-fields',
      });
    },
  );
});
