/**
 * The proof harness catches a broken retry path. A toy rotator whose target is a password in
 * memory is proven twice through the same code `npm run proof` uses (enumerateFaults): once with
 * an idempotent setSecret (it first checks whether the target already accepts the pending
 * password), once without that check — the classic bug: a crash after the password changed makes
 * every retry fail at "current password refused", the rotation is abandoned, and nothing the
 * labels hold logs in any more. The first must pass every case, the second must be caught.
 *
 * It also shows what a new kind of target needs: a ProofSubject and a Fixture, nothing else.
 */
import { PendingTestFailedError, type Rotator, TargetConnectionError } from '@rotators/core';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { secretsManagerClient } from '../../src/aws.ts';
import { enumerateFaults } from '../../src/proof/callPoints.ts';
import { connectionReset } from '../../src/proof/faults.ts';
import type { ProofContext } from '../../src/proof/harness.ts';
import type { CallRecorder } from '../../src/proof/recorder.ts';
import type { ProofSubject } from '../../src/proof/registry.ts';
import { newPassword, storeSecret } from '../../src/proof/targets.ts';
import type { Fixture } from '../../src/proof/fixture.ts';
import { FAULT_KINDS } from '../../src/proof/types.ts';
import { ensureRotationFunction } from '../../src/rotationFunction.ts';
import { motoEndpoint } from '../../src/vitest/localAws.ts';

const schema = z.looseObject({ user: z.string(), password: z.string() });
type Secret = z.infer<typeof schema>;

/** A target holding one password per user; every call goes through the recorder (and its faults). */
let users = 0;

class MemoryTarget {
  readonly passwords = new Map<string, string>();
  wire(recorder: () => CallRecorder) {
    const faults = {
      error: async () => {
        throw connectionReset();
      },
      timeout: async <T>(perform: () => Promise<T>) => {
        await perform().catch(() => undefined);
        throw Object.assign(new Error('injected timeout'), { code: 'ETIMEDOUT' });
      },
    };
    return {
      accepts: (user: string, password: string) =>
        recorder().through(
          'sql',
          'log in',
          { write: false, stateChange: false },
          async () => this.passwords.get(user) === password,
          faults,
        ),
      set: (user: string, password: string) =>
        recorder().through(
          'sql',
          'SET PASSWORD',
          { write: true, stateChange: true },
          async () => void this.passwords.set(user, password),
          faults,
        ),
    };
  }
}

function canaryRotator(target: ReturnType<MemoryTarget['wire']>, idempotent: boolean): Rotator<Secret> {
  return {
    name: 'canary',
    schema,
    rotatedFields: ['password'],
    async createPending(current, ctx) {
      return { ...current, password: await ctx.randomPassword() };
    },
    async setPending({ current, pending }, ctx) {
      if (idempotent && (await target.accepts(pending.user, pending.password))) return;
      if (!(await target.accepts(current.user, current.password)))
        throw new TargetConnectionError('authentication', 'setSecret: the current password is refused', ctx);
      await target.set(pending.user, pending.password);
    },
    async testPending({ pending }, ctx) {
      if (!(await target.accepts(pending.user, pending.password)))
        throw new PendingTestFailedError('testSecret: the pending password is refused', ctx);
    },
  };
}

function canary(idempotent: boolean): { subject: ProofSubject; fixture: Fixture } {
  const target = new MemoryTarget();
  const subject: ProofSubject = {
    name: 'canary',
    kind: 'none',
    strategy: 'single user',
    build: (options) => canaryRotator(options.target as ReturnType<MemoryTarget['wire']>, idempotent),
  };
  const fixture: Fixture = {
    kind: 'none',
    description: 'a password in memory',
    env: {},
    factoryOptions: (recorder) => ({ target: target.wire(recorder) }),
    async newSecret(client) {
      users += 1;
      const value = { user: `user${users}`, password: newPassword() };
      target.passwords.set(value.user, value.password);
      return { secretId: await storeSecret(client, value, 'proof-canary'), aliases: {} };
    },
    logsIn: async (value) => typeof value.user === 'string' && target.passwords.get(value.user) === value.password,
  };
  return { subject, fixture };
}

let ctx: ProofContext;
beforeAll(async () => {
  const endpoint = motoEndpoint();
  ctx = {
    motoEndpoint: endpoint,
    rotationLambdaArn: await ensureRotationFunction(endpoint),
    admin: secretsManagerClient(endpoint),
    errors: [],
  };
});

describe('the proof harness on a toy rotator', () => {
  it('an idempotent setSecret survives every fault at every call point', async () => {
    // Three workers, each with its own target (and the same subject), as `npm run proof` runs cases.
    const fixtures = [canary(true), canary(true), canary(true)];
    const result = await enumerateFaults(
      ctx,
      fixtures[0]!.subject,
      fixtures.map((f) => f.fixture),
      { phase: 0, faults: FAULT_KINDS },
    );
    expect(result.referenceProblems).toEqual([]);
    expect(result.calls.some((c) => c.label === 'SET PASSWORD')).toBe(true);
    expect(result.cases).toHaveLength(result.calls.length * 3);
    expect(
      result.cases
        .filter((c) => c.problems.length > 0)
        .map((c) => `${c.call.label} × ${c.fault}: ${c.problems.join('; ')}`),
    ).toEqual([]);
  });

  it(
    'without its idempotency check, a crash or a lost answer after SET PASSWORD ' +
      'is caught as a lockout and a lost credential',
    async () => {
      const { subject, fixture } = canary(false);
      const result = await enumerateFaults(ctx, subject, [fixture], {
        phase: 0,
        faults: FAULT_KINDS,
        select: (calls) => calls.filter((c) => c.label === 'SET PASSWORD').map((c) => c.index),
      });
      const verdicts = Object.fromEntries(result.cases.map((c) => [c.fault, c.problems]));
      expect(verdicts.error).toEqual([]);
      for (const fault of ['timeout', 'crash']) {
        expect(verdicts[fault]!.some((p) => p.startsWith('LOCKOUT'))).toBe(true);
        expect(verdicts[fault]!.some((p) => p.startsWith('LOST'))).toBe(true);
      }
    },
  );
});
