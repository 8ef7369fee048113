/**
 * What a login proves, and what it does not. A MySQL account is `user`@`host`: one user name can be
 * several accounts with their own passwords and privileges, and the server answers a login with
 * whichever account matches the client's address first — possibly another user's (an anonymous
 * ''@'%' account). A login with AWSCURRENT therefore proves the password of ONE account, the one
 * CURRENT_USER() names. Every other account of that user name is acted on (its privileges copied to
 * the clone, its password set) only when the server shows it is this secret's too: a row of the
 * ownership record naming this secret, or a stored mysql_native_password hash of the same password.
 */
import { ConfusedDeputyError, type StepContext } from '@rotators/core';
import type { Connection } from 'mysql2/promise';
import type { Account } from './accounts.ts';
import { run } from './connect.ts';
import type { Ownership } from './ownership.ts';
import { nativePasswordHash } from './passwords.ts';

export interface MatchedAccount {
  user: string;
  host: string;
}

/** CURRENT_USER() of a session: `user@host`, split at the last `@` (a user name may contain one). */
export async function matchedAccount(connection: Connection, ctx: StepContext): Promise<MatchedAccount> {
  const rows = await run<{ account: unknown }[]>(
    connection,
    'reading the account the login matched',
    'SELECT CURRENT_USER() AS account',
    undefined,
    ctx,
  );
  return splitAccount(String(rows[0]?.account ?? ''));
}

export function splitAccount(account: string): MatchedAccount {
  const at = account.lastIndexOf('@');
  return at < 0 ? { user: account, host: '' } : { user: account.slice(0, at), host: account.slice(at + 1) };
}

/** The login of `label` must have matched an account of `user` itself. */
export function checkMatchedUser(matched: MatchedAccount, user: string, label: string, ctx: StepContext): void {
  if (matched.user !== user) {
    throw new ConfusedDeputyError(
      'username',
      `the server matched the ${label} login to the account '${matched.user}'@'${matched.host}', not ` +
        `to an account of "${user}": the password proves nothing about "${user}". Nothing was changed`,
      ctx,
    );
  }
}

/** Accounts of `user`, other than the proven one, that nothing on the server shows to be this secret's. */
export function unprovenAccounts(
  user: string,
  accounts: Map<string, Account>,
  provenHost: string,
  password: string,
  ownership: Ownership,
  secretArn: string,
): string[] {
  const hash = nativePasswordHash(password);
  return [...accounts]
    .filter(([host, account]) => {
      if (host === provenHost) return false;
      if (ownership.get(user, host)?.secretArn === secretArn) return false;
      return !(account.plugin === 'mysql_native_password' && account.storedHash === hash);
    })
    .map(([host]) => `'${user}'@'${host}'`);
}

export function checkNoUnprovenAccounts(unproven: string[], label: string, ctx: StepContext): void {
  if (unproven.length === 0) return;
  throw new ConfusedDeputyError(
    'username',
    `${unproven.join(', ')} ${unproven.length === 1 ? 'is an account' : 'are accounts'} of the same ` +
      `user name whose password ${label} does not hold, and the server does not record as this secret's. ` +
      'Rotating would copy its privileges to, or set its password for, ' +
      'whoever holds this secret. Nothing was changed. Give it the same ' +
      'password, drop it, or set ADOPT_EXISTING_CLONE=true to take it over',
    ctx,
  );
}
