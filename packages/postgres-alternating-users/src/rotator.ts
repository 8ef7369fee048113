import { NotImplementedError, type Rotator, type StepContext } from '@rotators/core';
import { z } from 'zod';

/**
 * TODO: the secret JSON this rotator reads. Name every field the target needs; z.looseObject keeps
 * fields you do not name, so users' extra keys survive rotation. Never put a value in an error
 * message: zod messages name fields only, keep your own `error:` texts that way.
 */
export const postgresAlternatingUsersSecret = z.looseObject({
  password: z.string({ error: 'must be a string' }),
});
export type PostgresAlternatingUsersSecret = z.infer<typeof postgresAlternatingUsersSecret>;

/**
 * TODO: how the rotator reaches its target (a database connection, an HTTP client). Tests inject
 * their own to count calls and make any of them fail; production uses the default below.
 */
export interface PostgresAlternatingUsersTarget {
  /** Apply `pending` on the target, authenticated as `current` (or an admin secret). */
  apply(current: PostgresAlternatingUsersSecret, pending: PostgresAlternatingUsersSecret, ctx: StepContext): Promise<void>;
  /** Prove `pending` works on the target. */
  check(pending: PostgresAlternatingUsersSecret, ctx: StepContext): Promise<void>;
}

function notImplemented(hook: string, ctx: StepContext, hint: string): never {
  throw new NotImplementedError(`postgres-alternating-users: ${hook} is not implemented yet (${hint})`, { secretId: ctx.secretId, step: ctx.step });
}

const defaultTarget: PostgresAlternatingUsersTarget = {
  async apply(_current, _pending, ctx) {
    notImplemented('setPending', ctx, 'src/rotator.ts: make the target accept the pending value; first check whether it already does');
  },
  async check(_pending, ctx) {
    notImplemented('testPending', ctx, 'src/rotator.ts: log in / call the target with the pending value');
  },
};

export interface PostgresAlternatingUsersRotatorOptions {
  target?: PostgresAlternatingUsersTarget;
}

/** Configuration is read here, once, at cold start. */
export function createPostgresAlternatingUsersRotator(options: PostgresAlternatingUsersRotatorOptions = {}): Rotator<PostgresAlternatingUsersSecret> {
  const target = options.target ?? defaultTarget;
  return {
    name: 'postgres-alternating-users',
    schema: postgresAlternatingUsersSecret,
    // TODO: the fields a rotation changes. The engine refuses an AWSPENDING whose other fields
    // differ from AWSCURRENT; tests/pendingFields.test.ts checks every field of the schema.
    rotatedFields: ['password'],
    async createPending(_current, ctx) {
      // e.g. return { ..._current, password: await ctx.randomPassword() };
      return notImplemented('createPending', ctx, 'src/rotator.ts: build the pending value from the current one');
    },
    async setPending({ current, pending }, ctx) {
      await target.apply(current, pending, ctx);
    },
    async testPending({ pending }, ctx) {
      await target.check(pending, ctx);
    },
  };
}
