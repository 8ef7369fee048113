/** The server checks before ALTER ROLE (pure logic): old servers refused, the iteration count chosen. */
import { describe, expect, it } from 'vitest';
import { MIN_SERVER_VERSION_NUM, planVerifier, SCRAM_ITERATIONS } from '../../src/db/index.ts';

describe('planVerifier', () => {
  it.each([
    ['9.6.24', '90624'],
    ['9.4', '90400'],
    ['just below 10', String(MIN_SERVER_VERSION_NUM - 1)],
  ])('refuses PostgreSQL %s: it would hash the verifier text as the password', (_what, versionNum) => {
    const plan = planVerifier({ version_num: versionNum, scram_iterations: null });
    expect(plan.ok).toBe(false);
    expect(plan.ok ? '' : plan.reason).toContain(`PostgreSQL ${versionNum}`);
  });

  it.each([undefined, {}, { version_num: '' }, { version_num: '15.4' }, { version_num: null }])(
    'refuses a row without a numeric server_version_num: %j',
    (row) => {
      expect(planVerifier(row as Record<string, unknown> | undefined)).toEqual({
        ok: false,
        reason: expect.stringContaining('server_version_num'),
      });
    },
  );

  it('accepts PostgreSQL 10 and 15 (no scram_iterations setting) with 4096 iterations, as libpq', () => {
    expect(SCRAM_ITERATIONS).toBe(4096);
    expect(planVerifier({ version_num: String(MIN_SERVER_VERSION_NUM), scram_iterations: null })).toEqual({
      ok: true,
      iterations: 4096,
    });
    expect(planVerifier({ version_num: '150020', scram_iterations: null })).toEqual({ ok: true, iterations: 4096 });
    expect(planVerifier({ version_num: '150020' })).toEqual({ ok: true, iterations: 4096 });
  });

  it("uses PostgreSQL 16+'s scram_iterations when higher than 4096, never fewer than 4096", () => {
    expect(planVerifier({ version_num: '160004', scram_iterations: '4096' })).toEqual({ ok: true, iterations: 4096 });
    expect(planVerifier({ version_num: '160004', scram_iterations: '10000' })).toEqual({ ok: true, iterations: 10000 });
    expect(planVerifier({ version_num: '170002', scram_iterations: '1' })).toEqual({ ok: true, iterations: 4096 });
  });

  it('refuses a scram_iterations that is not a number', () => {
    expect(planVerifier({ version_num: '160004', scram_iterations: 'lots' })).toEqual({
      ok: false,
      reason: expect.stringContaining('scram_iterations'),
    });
  });
});
