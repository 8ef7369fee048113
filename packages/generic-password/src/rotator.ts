import type { Rotator } from '@rotators/core';
import * as z from 'zod/mini';

/** `password` is replaced at each rotation; every other field is kept as it is. */
export const genericPasswordSecret = z.looseObject({
  password: z.string({ error: 'must be a string' }),
});
export type GenericPasswordSecret = z.infer<typeof genericPasswordSecret>;

/**
 * A generated password with no service behind it: applications read it from Secrets Manager, so
 * there is nothing to set or test outside Secrets Manager.
 */
export const genericPasswordRotator: Rotator<GenericPasswordSecret> = {
  name: 'generic-password',
  schema: genericPasswordSecret,
  rotatedFields: ['password'],
  async createPending(current, ctx) {
    return { ...current, password: await ctx.randomPassword() };
  },
  async setPending() {},
  async testPending() {},
};
