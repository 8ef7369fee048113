/**
 * The alternating-users naming rule (AWS's get_alt_username) and the server's name-length limit.
 */
import { type RotationErrorContext, SecretValueError } from '@rotators/core';
import { alternateUsername, CLONE_SUFFIX } from '@rotators/core/db';

export { alternateUsername, baseUsername, CLONE_SUFFIX } from '@rotators/core/db';

/** MySQL ≥ 5.7.8 allows 32 characters; so base names of at most 26. USERNAME_CHARACTER_LIMIT (config.ts) changes it. */
export const DEFAULT_USERNAME_CHARACTER_LIMIT = 32;

/** Characters as the server counts them (code points, not UTF-16 units or bytes). */
export function characterLength(value: string): number {
  return [...value].length;
}

/** The pending user would not fit the server: refused in createSecret, before anything is written. */
export class UsernameTooLongError extends SecretValueError {
  override readonly name: string = 'UsernameTooLongError';
}

/** The pending user name for `current`, or a typed error when it cannot exist on the server. */
export function pendingUsername(current: string, limit: number, context: RotationErrorContext): string {
  const alternate = alternateUsername(current);
  if (alternate.length === 0) {
    throw new SecretValueError(
      ['username'],
      `"username" must not be just "${CLONE_SUFFIX}": it has no alternate user`,
      context,
    );
  }
  if (alternate.endsWith(CLONE_SUFFIX) && characterLength(alternate) > limit) {
    throw new UsernameTooLongError(
      ['username'],
      `"username" is ${characterLength(current)} characters; with ` +
        `"${CLONE_SUFFIX}" appended it would exceed the server's limit of ${limit} ` +
        `(base names may have at most ${limit - CLONE_SUFFIX.length}; ` +
        'set USERNAME_CHARACTER_LIMIT if your server allows more)',
      context,
    );
  }
  return alternate;
}
