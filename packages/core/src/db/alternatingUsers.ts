/**
 * The alternating-users naming rule every such rotator follows (AWS's get_alt_username): a base
 * user `app` and its clone `app_clone`, each rotation switching to the other.
 */
export const CLONE_SUFFIX = '_clone';

/** `app` ↔ `app_clone`: strip the suffix if present, else append it. */
export function alternateUsername(username: string): string {
  return username.endsWith(CLONE_SUFFIX) ? username.slice(0, -CLONE_SUFFIX.length) : username + CLONE_SUFFIX;
}

/** The user without `_clone`: the one whose privileges the clone follows. */
export function baseUsername(username: string): string {
  return username.endsWith(CLONE_SUFFIX) ? username.slice(0, -CLONE_SUFFIX.length) : username;
}
