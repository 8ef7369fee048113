/**
 * ADOPT_EXISTING_CLONE: may setSecret take over a pending user that nothing on the server shows
 * to be this secret's (see ownership.ts)? Also the one-time migration for clones made by a
 * version of this rotator that kept no record: one rotation with it set records them.
 */
import { readBoolean } from '@rotators/core';

/** Default false; "true" lets setSecret take over an existing pending user and record it as this secret's. */
export function readAdoptExisting(env: Record<string, string | undefined>): boolean {
  return readBoolean(env, 'ADOPT_EXISTING_CLONE', false);
}
