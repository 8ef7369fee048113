/**
 * The master-side work of setSecret and the check of testSecret, for one pair of users:
 * the base user (`app`) and its clone (`app_clone`).
 *
 * The base user is the source of truth: a DBA grants to or revokes from `app`, and `app_clone`
 * follows at the next rotation, whichever of the two is pending. (Copying from AWSCURRENT to
 * AWSPENDING, as AWS does, would undo a grant made to `app` while `app_clone` is current.) Only
 * when the base user does not exist yet (the secret started as `app_clone`) does the clone serve
 * as the source, once, to create it.
 *
 * Account hosts: the target gets one account per host of the source (`app`@`10.0.%` →
 * `app_clone`@`10.0.%`), each with that host's privileges and TLS requirement, all with the same
 * password. Target accounts at hosts the source lacks (a DBA dropped `app`@`10.9.%`) are locked
 * and get no new password: they would otherwise keep privileges and fresh credentials that the
 * base user no longer has at that host.
 *
 * Lock state: the pending user's accounts copy the lock state of the source's account at the same
 * host when the pending user is the target (a DBA's ACCOUNT LOCK on `app`@`h` is not undone on
 * `app_clone`@`h`); when the pending user is the source, its lock state is left as the DBA set it.
 */
import { type StepContext, TargetOperationError } from '@rotators/core';
import type { Connection } from 'mysql2/promise';
import { account, run } from './connect.ts';
import { type Account, readAccounts } from './accounts.ts';
import { checkNoUnprovenAccounts, unprovenAccounts } from './loginProof.ts';
import type { PendingSession } from './defaultRoles.ts';
import { checkMasterRights } from './masterRights.ts';
import { checkPairOwnership, Ownership } from './ownership.ts';
import { checkHashAccepted, identifiedBy, sendsHash, type ServerFlavor, serverFlavor } from './passwords.ts';
import { type Grants, grantDifferences, readGrants, syncGrants } from './grantSync.ts';
import type { MysqlSecret } from './schema.ts';
import { applyRequirement, describeRequirement, sameRequirement } from './tlsRequirement.ts';
import { baseUsername, CLONE_SUFFIX } from './usernames.ts';

interface User {
  name: string;
  accounts: Map<string, Account>;
}

/**
 * The base user is the source when it exists. Exception: a secret that started as the clone, whose
 * first setSecret created the base user (locked, pending password) and stopped before finishing —
 * that base user has none of the clone's privileges yet, and taking it as the source would strip
 * the in-use clone of everything. The server's record says so: every account of the base user was
 * created and locked by this rotator for this secret, and is still locked. (A lock a DBA set is no
 * such evidence: it must not turn the base user into a copy whose lock state follows the clone.)
 */
async function readPair(
  connection: Connection,
  username: string,
  ctx: StepContext,
  pending?: MysqlSecret,
): Promise<{ source: User; target: User; ownership: Ownership }> {
  const base = baseUsername(username);
  const clone = base + CLONE_SUFFIX;
  const baseUser = { name: base, accounts: await readAccounts(connection, base, ctx) };
  const cloneUser = { name: clone, accounts: await readAccounts(connection, clone, ctx) };
  const ownership = pending ? await Ownership.read(connection, [base, clone], ctx) : Ownership.none();
  const baseIsOurUnfinishedCopy =
    pending?.username === base &&
    cloneUser.accounts.size > 0 &&
    baseUser.accounts.size > 0 &&
    [...baseUser.accounts].every(([host, a]) => a.locked && ownership.lockedByRotator(base, host, ctx.secretId));
  const pair =
    baseUser.accounts.size > 0 && !baseIsOurUnfinishedCopy
      ? { source: baseUser, target: cloneUser }
      : { source: cloneUser, target: baseUser };
  if (pair.source.accounts.size === 0) {
    throw new TargetOperationError(`neither ${base} nor ${clone} exists in mysql.user`, ctx);
  }
  return { ...pair, ownership };
}

/**
 * Make the pending user log in with the pending password, with privileges and TLS requirement
 * equal to the source's. All reads and checks happen before the first write — the pair is this
 * secret's (ownership.ts), no account a DBA locked would be unlocked, the master may grant what it
 * must (masterRights.ts), the server accepts the hash form (passwords.ts) — so a refusal changes
 * nothing. The password is set last: once the pending user logs in, everything before it is in
 * place; a retry then passes `setPassword: false` and only syncs what differs.
 */
export async function makePendingUsable(
  connection: Connection,
  { current, pending }: { current: MysqlSecret; pending: MysqlSecret },
  options: {
    adoptExisting: boolean;
    setPassword: boolean;
    /** The host of the current user's account that AWSCURRENT's login matched (loginProof.ts). */
    currentHost: string;
    /**
     * When AWSPREVIOUS names the pending user and its password logs in as it: the account's host
     * and that password. Asked only when it decides something (a pair with no record).
     */
    previousLogin?: () => Promise<{ host: string; password: string } | undefined>;
  },
  ctx: StepContext,
): Promise<void> {
  const base = baseUsername(current.username);
  const { source, target, ownership } = await readPair(connection, current.username, ctx, pending);
  const pendingIsTarget = pending.username === target.name;
  const pendingAccounts = pendingIsTarget ? target.accounts : source.accounts;
  // Checked on every call, also when the pending password already works: that proves only that
  // whoever wrote AWSPENDING knows it, not that the account is this secret's.
  // A pair made before the record existed, whose pending user AWSPREVIOUS still logs in as: the
  // server itself shows this secret's holder holds both accounts (ownership.ts), so it is recorded.
  const adoptLegacy =
    !options.adoptExisting &&
    pendingAccounts.size > 0 &&
    ownership.isEmpty() &&
    (await previousProvesPendingUser(options, pending.username, pendingAccounts, ownership, ctx.secretId));
  checkPairOwnership(
    ownership,
    { base, clone: base + CLONE_SUFFIX, pending: pending.username, pendingExists: pendingAccounts.size > 0 },
    options.adoptExisting || adoptLegacy,
    ctx,
  );
  // AWSCURRENT's login proved one account of the current user; the others must be this secret's too.
  if (!options.adoptExisting) {
    const currentAccounts = current.username === source.name ? source.accounts : target.accounts;
    checkNoUnprovenAccounts(
      unprovenAccounts(
        current.username,
        currentAccounts,
        options.currentHost,
        current.password,
        ownership,
        ctx.secretId,
      ),
      'AWSCURRENT',
      ctx,
    );
  }
  if (pendingIsTarget) checkNoForeignLock(source, target, ownership, ctx);
  const flavor = await serverFlavor(connection, ctx);
  const sourceGrants = new Map<string, Grants>();
  const targetGrants = new Map<string, Grants>();
  for (const host of source.accounts.keys()) {
    sourceGrants.set(host, await readGrants(connection, source.name, host, ctx, flavor));
    targetGrants.set(
      host,
      target.accounts.has(host) ? await readGrants(connection, target.name, host, ctx, flavor) : new Map(),
    );
  }

  await checkMasterRights(
    connection,
    [...sourceGrants.values()].flatMap((grants) => [...grants.values()]),
    ctx,
  );
  const creates = [...source.accounts.keys()].some((host) => !target.accounts.has(host));
  const setsHash =
    options.setPassword &&
    [...source.accounts.keys()].some((host) => sendsHash(flavor, pendingAccounts.get(host)?.plugin));
  if ((creates && sendsHash(flavor, undefined)) || setsHash) await checkHashAccepted(connection, ctx);

  // Writes from here on.
  const secretArn = ctx.secretId;
  if (options.adoptExisting)
    await adopt(connection, ownership, [source, target], secretArn, 'ADOPT_EXISTING_CLONE', ctx);
  else if (adoptLegacy)
    await adopt(
      connection,
      ownership,
      [source, target],
      secretArn,
      'AWSPREVIOUS logs in as the pending user of a pair with no record',
      ctx,
    );
  // New accounts start locked, with the password of the version that names them, so nobody can
  // log in to one whose privileges are not synced yet. The record comes first: there is never an
  // account this rotator made that the server does not show as ours.
  const newAccountPassword = pendingIsTarget ? pending.password : current.password;
  for (const [host, sourceAccount] of source.accounts) {
    if (!target.accounts.has(host)) {
      await ownership.record(connection, { user: target.name, host, secretArn, lockedByRotator: true }, ctx);
      const { clause, value } = identifiedBy(flavor, undefined, newAccountPassword);
      await run(
        connection,
        `creating ${target.name}@${host}`,
        `CREATE USER ${account(target.name, host)} ${clause} ACCOUNT LOCK`,
        [value],
        ctx,
      );
      target.accounts.set(host, {
        tls: { type: '', cipher: '', issuer: '', subject: '' },
        plugin: '',
        storedHash: '',
        locked: true,
        created: true,
      });
      ctx.logger.info('Created account', { account: `${target.name}@${host}` });
    }
    await syncGrants(
      connection,
      { user: source.name, host, grants: sourceGrants.get(host)! },
      { user: target.name, host, grants: targetGrants.get(host)! },
      ctx,
      flavor,
    );
    const targetAccount = target.accounts.get(host)!;
    if (targetAccount.created || !sameRequirement(sourceAccount.tls, targetAccount.tls))
      await applyRequirement(connection, target.name, host, sourceAccount.tls, ctx);
  }
  // Accounts the base user no longer has at that host: locked, and left out of the password.
  for (const [host, targetAccount] of target.accounts) {
    if (source.accounts.has(host)) continue;
    if (!targetAccount.locked) await lock(connection, ownership, target.name, host, secretArn, ctx);
    ctx.logger.warn('Account has no counterpart at this host: locked, privileges not synced, no new password', {
      account: `${target.name}@${host}`,
      source: source.name,
    });
  }
  // Accounts of a target that is not pending hold the current password and synced privileges:
  // those this rotator locked (new ones, or left locked by an interrupted call) take the source's
  // lock state now, before the password statement, so a stop after it cannot leave them locked
  // (the retry sees the pending user log in). Locks a DBA set stay.
  if (!pendingIsTarget) {
    const unlock = [...source.accounts]
      .filter(
        ([host, s]) =>
          !s.locked && target.accounts.get(host)!.locked && ownership.lockedByRotator(target.name, host, secretArn),
      )
      .map(([host]) => host);
    if (unlock.length > 0) {
      await run(
        connection,
        `unlocking new accounts of ${target.name}`,
        `ALTER USER ${unlock.map((host) => account(target.name, host)).join(', ')} ACCOUNT UNLOCK`,
        undefined,
        ctx,
      );
      for (const host of unlock)
        await ownership.record(connection, { user: target.name, host, secretArn, lockedByRotator: false }, ctx);
    }
  }

  if (options.setPassword) await setPendingPassword(connection, { source, target, pending, flavor, ownership }, ctx);
  else if (pendingIsTarget) await copyLockState(connection, { source, target, ownership }, ctx);
}

/**
 * The pending clone copies the base user's lock state, but an account of it that is locked where
 * the base user's is not, by someone other than this rotator, stays locked: the rotator never
 * undoes a lock it did not set. Refused before any write, naming the accounts.
 */
function checkNoForeignLock(source: User, target: User, ownership: Ownership, ctx: StepContext): void {
  const foreign = [...source.accounts]
    .filter(
      ([host, s]) =>
        !s.locked && target.accounts.get(host)?.locked && !ownership.lockedByRotator(target.name, host, ctx.secretId),
    )
    .map(([host]) => `${target.name}@${host}`);
  if (foreign.length > 0) {
    throw new TargetOperationError(
      `${foreign.join(', ')} ${foreign.length > 1 ? 'are' : 'is'} locked (ACCOUNT LOCK) ` +
        `and this rotator did not lock ${foreign.length > 1 ? 'them' : 'it'}; ` +
        'it never unlocks an account someone else locked. Unlock it if it ' +
        'should be used, or lock the base user there too (nothing was changed)',
      ctx,
    );
  }
}

/**
 * ADOPT_EXISTING_CLONE=true: record the pair's existing accounts as this secret's (the migration for clones
 * made before the record).
 */
async function adopt(
  connection: Connection,
  ownership: Ownership,
  users: User[],
  secretArn: string,
  reason: string,
  ctx: StepContext,
): Promise<void> {
  for (const user of users) {
    for (const [host, a] of user.accounts) {
      const row = ownership.get(user.name, host);
      if (row?.secretArn === secretArn) continue;
      // A lock found on an adopted account is not ours: it stays.
      await ownership.record(connection, { user: user.name, host, secretArn, lockedByRotator: false }, ctx);
      ctx.logger.warn(`${reason}: account recorded as this secret's`, {
        account: `${user.name}@${host}`,
        locked: a.locked,
        previousOwner: row?.secretArn,
      });
    }
  }
}

/** AWSPREVIOUS logged in as the pending user, and every other account of that user holds the same password. */
async function previousProvesPendingUser(
  options: { previousLogin?: () => Promise<{ host: string; password: string } | undefined> },
  user: string,
  accounts: Map<string, Account>,
  ownership: Ownership,
  secretArn: string,
): Promise<boolean> {
  const proof = await options.previousLogin?.();
  return (
    proof !== undefined &&
    unprovenAccounts(user, accounts, proof.host, proof.password, ownership, secretArn).length === 0
  );
}

/** ACCOUNT LOCK, recorded first as the rotator's own lock (so it may lift it later). */
async function lock(
  connection: Connection,
  ownership: Ownership,
  user: string,
  host: string,
  secretArn: string,
  ctx: StepContext,
): Promise<void> {
  await ownership.record(connection, { user, host, secretArn, lockedByRotator: true }, ctx);
  await run(connection, `locking ${user}@${host}`, `ALTER USER ${account(user, host)} ACCOUNT LOCK`, undefined, ctx);
}

/** When the password is already set: only bring the pending clone's lock state in line with the base user's. */
async function copyLockState(
  connection: Connection,
  { source, target, ownership }: { source: User; target: User; ownership: Ownership },
  ctx: StepContext,
): Promise<void> {
  for (const [host, sourceAccount] of source.accounts) {
    const targetAccount = target.accounts.get(host)!;
    if (targetAccount.locked === sourceAccount.locked) continue;
    if (sourceAccount.locked) {
      await lock(connection, ownership, target.name, host, ctx.secretId, ctx);
    } else {
      // checkNoForeignLock has made sure this lock is the rotator's.
      await run(
        connection,
        `unlocking ${target.name}@${host}`,
        `ALTER USER ${account(target.name, host)} ACCOUNT UNLOCK`,
        undefined,
        ctx,
      );
      await ownership.record(
        connection,
        { user: target.name, host, secretArn: ctx.secretId, lockedByRotator: false },
        ctx,
      );
    }
  }
}

/**
 * The pending user's password on every account at the source's hosts. Last, so that once the
 * pending user logs in everything else is in place. The target copies the source's lock state
 * host by host: accounts to stay locked get their password first (with ACCOUNT LOCK; nobody can
 * use them), the others in the final statement with ACCOUNT UNLOCK (only locks of the rotator's
 * own are lifted: checkNoForeignLock refused the others). The source keeps its own lock state.
 */
async function setPendingPassword(
  connection: Connection,
  {
    source,
    target,
    pending,
    flavor,
    ownership,
  }: { source: User; target: User; pending: MysqlSecret; flavor: ServerFlavor; ownership: Ownership },
  ctx: StepContext,
): Promise<void> {
  const pendingIsTarget = pending.username === target.name;
  const pendingAccounts = pendingIsTarget ? target.accounts : source.accounts;
  const hosts = [...source.accounts.keys()];
  const statement = (group: string[], suffix: string) => {
    const identified = group.map((host) => ({
      host,
      ...identifiedBy(flavor, pendingAccounts.get(host)?.plugin, pending.password),
    }));
    return run(
      connection,
      `setting the password of ${pending.username}`,
      'ALTER USER ' +
        `${identified.map(({ host, clause }) => `${account(pending.username, host)} ${clause}`).join(', ')}${suffix}`,
      identified.map(({ value }) => value),
      ctx,
    );
  };
  if (pendingIsTarget) {
    const locked = hosts.filter((host) => source.accounts.get(host)!.locked);
    const unlocked = hosts.filter((host) => !source.accounts.get(host)!.locked);
    if (locked.length > 0) {
      // Recorded as the rotator's lock only where the account was not locked already (a DBA's lock stays theirs).
      for (const host of locked)
        if (!target.accounts.get(host)!.locked)
          await ownership.record(
            connection,
            { user: target.name, host, secretArn: ctx.secretId, lockedByRotator: true },
            ctx,
          );
      await statement(locked, ' ACCOUNT LOCK');
    }
    if (unlocked.length > 0) {
      await statement(unlocked, ' ACCOUNT UNLOCK');
      for (const host of unlocked)
        if (ownership.get(target.name, host)?.lockedByRotator)
          await ownership.record(
            connection,
            { user: target.name, host, secretArn: ctx.secretId, lockedByRotator: false },
            ctx,
          );
    }
  } else {
    await statement(hosts, '');
  }
  ctx.logger.info('setSecret: password set', { user: pending.username, hosts });
}

/**
 * What differs between the base user and its clone, host by host; empty when equal. With
 * `session` (read in the pending user's own session: CURRENT_USER() and CURRENT_ROLE()), also every
 * default role of the source account that is not active in that session at login.
 */
export async function pairDifferences(
  connection: Connection,
  username: string,
  ctx: StepContext,
  session?: PendingSession,
): Promise<string[]> {
  const { source, target } = await readPair(connection, username, ctx);
  const flavor = await serverFlavor(connection, ctx);
  const differences: string[] = [];
  for (const [host, sourceAccount] of source.accounts) {
    const requirement = sourceAccount.tls;
    const where = `${target.name}@${host}`;
    if (!target.accounts.has(host)) {
      differences.push(`${where} does not exist`);
      continue;
    }
    const sourceGrants = await readGrants(connection, source.name, host, ctx, flavor);
    const lines = grantDifferences(sourceGrants, await readGrants(connection, target.name, host, ctx, flavor));
    differences.push(...lines.map((line) => `${where}: ${line}`));
    if (!sameRequirement(requirement, target.accounts.get(host)?.tls)) {
      differences.push(
        `${where}: ${describeRequirement(target.accounts.get(host)?.tls)} ` +
          `instead of ${describeRequirement(requirement)}`,
      );
    }
    // The account the pending user's session matched: its roles must be active at login.
    const active = session?.currentUser === `${username}@${host}` ? session.activeRoles : undefined;
    if (active) {
      for (const atom of sourceGrants.values()) {
        if (atom.kind === 'defaultRole' && !active.has(atom.role))
          differences.push(`${where}: role ${atom.role} inactive at login (a default role of ${source.name}@${host})`);
      }
    }
  }
  return differences;
}
