/** The plan that makes the pair right, and the evidence check before it (pure: facts in, statements out). */
import { ConfusedDeputyError, TargetOperationError } from '@rotators/core';
import { describe, expect, it } from 'vitest';
import { marker } from '../../src/markers.ts';
import { checkEvidence, type PairState, planPair } from '../../src/plan.ts';
import type { RoleFacts } from '../../src/roles.ts';

const ctx = {
  secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf',
  step: 'setSecret' as const,
  token: 't',
  logger: undefined as never,
  readSecret: undefined as never,
};
const names = { base: 'app', clone: 'app_clone', owner: 'app_owner' };

function role(name: string, overrides: Partial<RoleFacts> = {}): RoleFacts {
  return {
    name,
    superuser: false,
    inherit: true,
    createRole: false,
    createDb: false,
    canLogin: true,
    replication: false,
    bypassRls: false,
    connectionLimit: -1,
    comment: null,
    memberOf: new Map(),
    settings: new Map(),
    ...overrides,
  };
}

/** A pair as setSecret leaves it. */
function settled(): Required<PairState> {
  const roleSetting = () => new Map([['', new Map([['role', 'app_owner']])]]);
  return {
    base: role('app', { memberOf: new Map([['app_owner', false]]), settings: roleSetting() }),
    clone: role('app_clone', {
      comment: marker('clone', 'app', ctx.secretId),
      memberOf: new Map([['app_owner', false]]),
      settings: roleSetting(),
    }),
    owner: role('app_owner', { canLogin: false, comment: marker('owner role', 'app', ctx.secretId) }),
  };
}

describe('planPair', () => {
  it(
    'first rotation: owner role and clone created and marked, ' + 'memberships before the session role, in that order',
    () => {
      const sql = planPair(names, { base: role('app') }, ctx).map((s) => s.sql);
      expect(sql).toEqual([
        'CREATE ROLE "app_owner" NOLOGIN',
        `COMMENT ON ROLE "app_owner" IS '${marker('owner role', 'app', ctx.secretId)}'`,
        'CREATE ROLE "app_clone" NOLOGIN',
        `COMMENT ON ROLE "app_clone" IS '${marker('clone', 'app', ctx.secretId)}'`,
        'GRANT "app_owner" TO "app"',
        'GRANT "app_owner" TO "app_clone"',
        `ALTER ROLE "app" SET role TO 'app_owner'`,
        `ALTER ROLE "app_clone" SET role TO 'app_owner'`,
      ]);
    },
  );

  it('a settled pair: nothing to do (what testSecret expects)', () => {
    expect(planPair(names, settled(), ctx)).toEqual([]);
  });

  it(
    'the clone follows the base user: attributes, memberships (grants before revokes, ADMIN OPTION both ways), ' +
      'settings set and reset',
    () => {
      const state = settled();
      state.base.connectionLimit = 5;
      state.base.createDb = true;
      state.base.memberOf.set('readers', false).set('helpers', true).set('auditors', false);
      state.base.settings.get('')!.set('search_path', '"$user", public');
      state.base.settings.set('shop', new Map([['work_mem', '8MB']]));
      state.clone.memberOf.set('old_team', false).set('auditors', true).set('helpers', false);
      state.clone.settings.get('')!.set('statement_timeout', '5s');
      expect(planPair(names, state, ctx).map((s) => s.sql)).toEqual([
        'ALTER ROLE "app_clone" WITH CREATEDB CONNECTION LIMIT 5',
        'GRANT "readers" TO "app_clone"',
        'GRANT "helpers" TO "app_clone" WITH ADMIN OPTION',
        'REVOKE "old_team" FROM "app_clone"',
        'REVOKE ADMIN OPTION FOR "auditors" FROM "app_clone"',
        `ALTER ROLE "app_clone" SET "search_path" TO '$user', 'public'`,
        'ALTER ROLE "app_clone" RESET "statement_timeout"',
        `ALTER ROLE "app_clone" IN DATABASE "shop" SET "work_mem" TO '8MB'`,
      ]);
    },
  );

  it(
    "never copies the pair's own roles as memberships, and a " + 'setting it cannot rebuild is an error, not a guess',
    () => {
      const state = settled();
      state.clone.memberOf.set('app', false);
      expect(planPair(names, state, ctx)).toEqual([]);
      state.base.settings.get('')!.set('search_path', '"unterminated');
      expect(() => planPair(names, state, ctx)).toThrow(TargetOperationError);
    },
  );
});

describe('checkEvidence', () => {
  it('accepts the roles this secret marked, and no roles at all but the base user', () => {
    expect(() => checkEvidence(names, settled(), 'username', ctx)).not.toThrow();
    expect(() => checkEvidence(names, { base: role('app') }, 'username', ctx)).not.toThrow();
  });

  it.each([
    [
      'an unmarked clone',
      (s: Required<PairState>): void => {
        s.clone.comment = null;
      },
      'username',
    ],
    [
      'a clone marked for another secret',
      (s: Required<PairState>): void => {
        s.clone.comment = marker('clone', 'app', `${ctx.secretId}x`);
      },
      'username',
    ],
    [
      'a clone marked for another base user',
      (s: Required<PairState>): void => {
        s.clone.comment = marker('clone', 'other', ctx.secretId);
      },
      'username',
    ],
    [
      'an unmarked owner role',
      (s: Required<PairState>): void => {
        s.owner.comment = 'team role';
      },
      'ownerRole',
    ],
  ] as const)('refuses %s with ConfusedDeputyError', (_what, change, field) => {
    const state = settled();
    change(state);
    try {
      checkEvidence(names, state, 'ownerRole', ctx);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfusedDeputyError);
      expect((error as ConfusedDeputyError).field).toBe(field);
    }
  });

  it('refuses a missing or superuser base user, and an owner role someone gave LOGIN', () => {
    expect(() => checkEvidence(names, {}, 'username', ctx)).toThrow(/does not exist/);
    expect(() => checkEvidence(names, { base: role('app', { superuser: true }) }, 'username', ctx)).toThrow(
      /superuser/,
    );
    const state = settled();
    state.owner.canLogin = true;
    expect(() => checkEvidence(names, state, 'username', ctx)).toThrow(/LOGIN/);
  });
});
