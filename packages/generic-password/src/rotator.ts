import type { Rotator } from '@rotators/core';
import { type GenericPasswordSecret, genericPasswordSecret } from './schema.ts';

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
