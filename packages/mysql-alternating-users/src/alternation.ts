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
 * password. Target accounts at hosts the source lacks are left alone (logged as a warning).
 */
import { type StepContext, TargetOperationError } from '@rotators/core';
import type { Connection } from 'mysql2/promise';
import { account, run } from './connect.ts';
import { identifiedBy, readPlugins, serverFlavor } from './passwords.ts';
import { type Grants, grantDifferences, readGrants, syncGrants } from './privileges.ts';
import type { MysqlSecret } from './schema.ts';
import { applyRequirement, describeRequirement, readAccounts, sameRequirement, type TlsRequirement } from './tlsRequirement.ts';
import { baseUsername, CLONE_SUFFIX } from './usernames.ts';

interface User {
  name: string;
  accounts: Map<string, TlsRequirement>;
}

async function readPair(connection: Connection, username: string, ctx: StepContext): Promise<{ source: User; target: User }> {
  const base = baseUsername(username);
  const clone = base + CLONE_SUFFIX;
  const baseUser = { name: base, accounts: await readAccounts(connection, base, ctx) };
  const cloneUser = { name: clone, accounts: await readAccounts(connection, clone, ctx) };
  const pair = baseUser.accounts.size > 0 ? { source: baseUser, target: cloneUser } : { source: cloneUser, target: baseUser };
  if (pair.source.accounts.size === 0) {
    throw new TargetOperationError(`neither ${base} nor ${clone} exists in mysql.user`, { secretId: ctx.secretId, step: ctx.step });
  }
  return pair;
}

/**
 * Make the pending user log in with the pending password, with privileges and TLS requirement
 * equal to the source's. All reads happen before the first write, so a master that cannot read
 * the grant tables changes nothing. The password is set last: once the pending user logs in,
 * everything before it is in place (a retried setSecret relies on that).
 */
export async function makePendingUsable(connection: Connection, current: MysqlSecret, pending: MysqlSecret, ctx: StepContext): Promise<void> {
  const { source, target } = await readPair(connection, current.username, ctx);
  const sourceGrants = new Map<string, Grants>();
  const targetGrants = new Map<string, Grants>();
  for (const host of source.accounts.keys()) {
    sourceGrants.set(host, await readGrants(connection, source.name, host, ctx));
    targetGrants.set(host, target.accounts.has(host) ? await readGrants(connection, target.name, host, ctx) : new Map());
  }

  const flavor = await serverFlavor(connection, ctx);
  const pendingPlugins = await readPlugins(connection, pending.username, ctx);

  // New accounts start locked, with the password of the version that names them, so nobody can
  // log in to one whose privileges are not synced yet.
  const newAccountPassword = target.name === pending.username ? pending.password : current.password;
  const created: string[] = [];
  for (const [host, requirement] of source.accounts) {
    if (!target.accounts.has(host)) {
      const { clause, value } = identifiedBy(flavor, undefined, newAccountPassword);
      await run(connection, `creating ${target.name}@${host}`, `CREATE USER ${account(target.name, host)} ${clause} ACCOUNT LOCK`, [value], ctx);
      created.push(host);
      ctx.logger.info('Created account', { account: `${target.name}@${host}` });
    }
    await syncGrants(connection, { user: source.name, host, grants: sourceGrants.get(host)! }, { user: target.name, host, grants: targetGrants.get(host)! }, ctx);
    if (!sameRequirement(requirement, target.accounts.get(host))) await applyRequirement(connection, target.name, host, requirement, ctx);
  }
  for (const host of target.accounts.keys()) {
    if (!source.accounts.has(host)) ctx.logger.warn('Account has no counterpart at this host; its privileges are not synced', { account: `${target.name}@${host}`, source: source.name });
  }

  const pendingHosts = pending.username === target.name ? new Set([...target.accounts.keys(), ...created]) : new Set(source.accounts.keys());
  const identified = [...pendingHosts].map((host) => ({ host, ...identifiedBy(flavor, pendingPlugins.get(host), pending.password) }));
  await run(
    connection,
    `setting the password of ${pending.username}`,
    `ALTER USER ${identified.map(({ host, clause }) => `${account(pending.username, host)} ${clause}`).join(', ')} ACCOUNT UNLOCK`,
    identified.map(({ value }) => value),
    ctx,
  );
  if (target.name !== pending.username && created.length > 0) {
    await run(connection, `unlocking new accounts of ${target.name}`, `ALTER USER ${created.map((host) => account(target.name, host)).join(', ')} ACCOUNT UNLOCK`, undefined, ctx);
  }
  ctx.logger.info('setSecret: password set', { user: pending.username, hosts: [...pendingHosts] });
}

/** What differs between the base user and its clone, host by host; empty when equal. */
export async function pairDifferences(connection: Connection, username: string, ctx: StepContext): Promise<string[]> {
  const { source, target } = await readPair(connection, username, ctx);
  const differences: string[] = [];
  for (const [host, requirement] of source.accounts) {
    const where = `${target.name}@${host}`;
    if (!target.accounts.has(host)) {
      differences.push(`${where} does not exist`);
      continue;
    }
    const lines = grantDifferences(await readGrants(connection, source.name, host, ctx), await readGrants(connection, target.name, host, ctx));
    differences.push(...lines.map((line) => `${where}: ${line}`));
    if (!sameRequirement(requirement, target.accounts.get(host))) {
      differences.push(`${where}: ${describeRequirement(target.accounts.get(host))} instead of ${describeRequirement(requirement)}`);
    }
  }
  return differences;
}
