/**
 * Whose account may setSecret take over? The pending user (`app_clone` in rotation 1, or `svc`
 * for a secret that starts as `svc_clone`) gets a new password and the base user's privileges.
 * If it already exists it must be one of ours — otherwise a secret could be pointed at any user
 * whose name is the alternate of its own and hand its holder that user's account:
 * - the user of AWSPREVIOUS (the normal alternation: it held this secret's password before);
 * - an account our own interrupted attempt left behind: every account of it locked, and where
 *   the plugin is mysql_native_password, the stored hash is that of the pending password (for
 *   other plugins, e.g. MySQL's salted caching_sha2_password, "all locked" is the evidence);
 * - or adopted explicitly: ADOPT_EXISTING_CLONE=true (read once at cold start).
 */
import { ConfigurationError, ConfusedDeputyError, type RotationErrorContext } from '@rotators/core';
import type { Account } from './accounts.ts';
import { nativePasswordHash } from './passwords.ts';

/** ADOPT_EXISTING_CLONE: default false; "true" lets setSecret take over an existing pending user. */
export function readAdoptExisting(env: Record<string, string | undefined>): boolean {
  const raw = env.ADOPT_EXISTING_CLONE?.trim().toLowerCase();
  if (!raw || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ConfigurationError('ADOPT_EXISTING_CLONE', `Environment variable ADOPT_EXISTING_CLONE must be "true" or "false" (got "${env.ADOPT_EXISTING_CLONE}")`);
}

/** Every account locked and, where we can tell, holding the pending password: as an interrupted setSecret leaves it. */
export function leftByOurAttempt(accounts: Map<string, Account>, pendingPassword: string): boolean {
  const hash = nativePasswordHash(pendingPassword);
  return [...accounts.values()].every((a) => a.locked && (a.plugin !== 'mysql_native_password' || a.storedHash === hash));
}

export function checkPendingOwnership(
  pending: { username: string; password: string },
  pendingAccounts: Map<string, Account>,
  previousUsername: string | undefined,
  adoptExisting: boolean,
  context: RotationErrorContext,
): void {
  if (pendingAccounts.size === 0 || previousUsername === pending.username || adoptExisting) return;
  if (leftByOurAttempt(pendingAccounts, pending.password)) return;
  throw new ConfusedDeputyError(
    'username',
    `the pending user ${pending.username} already exists and is not this secret's: it is not AWSPREVIOUS's user and was not left locked by an interrupted rotation. ` +
      'Rotating would take over that account. Drop it, or set ADOPT_EXISTING_CLONE=true on the function if it is meant to be adopted',
    context,
  );
}
