/**
 * The three roles of one secret: the base user (`app`), its clone (`app_clone`, AWS's
 * get_alt_username rule) and the owner role both act as (`app_owner`, or the secret's `ownerRole`).
 * Names are checked before anything is written: PostgreSQL keeps 63 bytes of a name and silently
 * truncates the rest, so `<base>_clone` must fit, which leaves 57 bytes for the base name.
 */
import { type RotationErrorContext, SecretValueError } from '@rotators/core';
import { MAX_ROLE_NAME_BYTES, type PostgresAlternatingSecret } from './schema.ts';

import { alternateUsername, baseUsername, CLONE_SUFFIX } from '@rotators/core/db';

export { alternateUsername, baseUsername, CLONE_SUFFIX };
export const OWNER_SUFFIX = '_owner';
export const MAX_BASE_NAME_BYTES = MAX_ROLE_NAME_BYTES - Buffer.byteLength(CLONE_SUFFIX);

export interface RoleNames {
  base: string;
  clone: string;
  owner: string;
}

/** The base name would make a clone name PostgreSQL truncates: refused in createSecret, nothing written. */
export class UsernameTooLongError extends SecretValueError {
  override readonly name: string = 'UsernameTooLongError';
}

/** The roles a secret version names, or a typed error naming the field when they cannot exist side by side. */
export function roleNamesOf(
  secret: Pick<PostgresAlternatingSecret, 'username' | 'ownerRole'>,
  context: RotationErrorContext,
): RoleNames {
  const base = baseUsername(secret.username);
  if (base.length === 0) {
    throw new SecretValueError(
      ['username'],
      `"username" must not be just "${CLONE_SUFFIX}": it has no base user`,
      context,
    );
  }
  const baseBytes = Buffer.byteLength(base, 'utf8');
  if (baseBytes > MAX_BASE_NAME_BYTES) {
    throw new UsernameTooLongError(
      ['username'],
      `the base user name in "username" is ${baseBytes} bytes; with "${CLONE_SUFFIX}" appended it would exceed ` +
        `PostgreSQL's ${MAX_ROLE_NAME_BYTES} bytes, which would truncate it to another role's name (base names ` +
        `may have at most ${MAX_BASE_NAME_BYTES} bytes)`,
      context,
    );
  }
  const names = { base, clone: base + CLONE_SUFFIX, owner: secret.ownerRole ?? base + OWNER_SUFFIX };
  if (names.owner === names.base || names.owner === names.clone) {
    throw new SecretValueError(
      ['ownerRole'],
      `"ownerRole" must differ from the two users it serves (${names.base}, ${names.clone})`,
      context,
    );
  }
  return names;
}
