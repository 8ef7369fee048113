/**
 * The reliability proof at the `test` scale (TEST_SCALE in src/proof/run.ts), inside `npm test`:
 * every rotator package, the same suites as `npm run proof` but fewer call points (every write:
 * PutSecretValue, UpdateSecretVersionStage, each DDL/DCL/DML statement and COMMIT, each POST/DELETE),
 * a short load phase (20 clients, 2 rotations) and two overlap schedules. `npm run proof` runs the
 * full scale and writes docs/RELIABILITY.md.
 *
 * KNOWN_FINDINGS are defects the proof found in a rotator and that are not fixed yet: they still
 * fail `npm run proof`; here each must still be found (so this file fails once one is fixed, and
 * the entry is removed), and nothing else may fail.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { rotatorPackages } from '../../src/proof/registry.ts';
import { type ProofResult, runProof, TEST_SCALE } from '../../src/proof/run.ts';
import { motoEndpoint } from '../../src/vitest/localAws.ts';

const KNOWN_FINDINGS: Array<{ rotator: string; failure: RegExp; why: string }> = [
  {
    // Fixed: the next setSecret logs in with the abandoned version (core's newerUnlabelled), the
    // rotation completes and nothing is lost. What remains is inherent to a single user: from the
    // moment the abandoned rotation's AWSPENDING label moves (RotateSecret B) until B's setSecret,
    // the role's password is held by a version no label names, and the probe counts only labels.
    // Only that window may fail here: a lost credential, a failed next rotation or a leftover
    // AWSPENDING in this schedule would fail the test.
    rotator: 'postgres-single-user',
    failure: new RegExp(
      // A literal split in two strings (backslashes doubled) to keep lines within 120 characters.
      '^postgres-single-user: overlap "B started after A\'s (setSecret|testSecret), then steps alternate": ' +
        'LOCKOUT in \\d+ state\\(s\\), first: RotateSecret ',
    ),
    why:
      "a rotation abandoned after its setSecret leaves the role's password with a version no label names until the " +
      "next rotation's setSecret, which recovers it: clients reading AWSCURRENT are refused in between (inherent " +
      'to single user)',
  },
];

const rotators = rotatorPackages();
let result: ProofResult;

beforeAll(async () => {
  result = await runProof({ scale: TEST_SCALE, motoEndpoint: motoEndpoint() });
}, 900_000);

const failuresOf = (rotator: string) => result.failures.filter((f) => f.startsWith(`${rotator}: `));
const known = (failure: string) => KNOWN_FINDINGS.some((k) => k.failure.test(failure));

describe.each(rotators)('reliability proof (test scale): %s', (rotator) => {
  it('is proven: its target is known and its rotator is built from src/rotator.ts', () => {
    const proof = result.rotators.find((r) => r.name === rotator);
    expect(proof?.unsupported).toBeUndefined();
  });

  it('every fault at every selected call point is survived: no lockout, no lost credential', () => {
    const proof = result.rotators.find((r) => r.name === rotator)!;
    const cases = proof.enumerations.flatMap((e) => e.cases);
    expect(cases.length).toBeGreaterThan(0);
    expect(
      cases
        .filter((c) => c.problems.length > 0)
        .map((c) => `${c.call.step} ${c.call.label} × ${c.fault}: ${c.problems.join('; ')}`),
    ).toEqual([]);
  });

  it('nothing else fails (load, overlap, hostile input), except the known findings, which must still be found', () => {
    const failures = failuresOf(rotator);
    expect(failures.filter((f) => !known(f))).toEqual([]);
    for (const finding of KNOWN_FINDINGS.filter((k) => k.rotator === rotator)) {
      expect(
        failures.some((f) => finding.failure.test(f)),
        `known finding no longer found (fixed? remove it from KNOWN_FINDINGS): ${finding.why}`,
      ).toBe(true);
    }
  });
});

describe('reliability proof (test scale): the whole run', () => {
  it('tries at least 60 hostile cases and every one writes nothing', () => {
    const hostile = result.rotators.flatMap((r) => r.hostile);
    expect(hostile.length).toBeGreaterThanOrEqual(60);
    expect(
      hostile.filter((h) => h.writes.secretsManager + h.writes.wires + (h.writes.server ?? 0) > 0).map((h) => h.name),
    ).toEqual([]);
  });

  it('finds no secret value in any log line, error or server log', () => {
    expect(result.leaks.secretsKnown).toBeGreaterThan(0);
    expect(result.leaks.scans.filter((s) => s.hits > 0)).toEqual([]);
  });
});
