/**
 * Make one account's privileges equal to another's, without ever taking away a privilege the
 * target should keep: the target may be a user that clients are logged in as right now
 * (AWSCURRENT, or AWSPREVIOUS), so missing privileges are granted first, extras are then revoked
 * one privilege at a time (not "revoke all, grant again"), and the result is read back and checked.
 */
import { type StepContext, TargetOperationError } from '@rotators/core';
import type { Connection } from 'mysql2/promise';
import { account, run } from './connect.ts';
import { describeAtom, type GrantAtom, GrantParseError, missingFrom, parseGrants, privilegeList } from './grants.ts';

export type Grants = Map<string, GrantAtom>;

export async function readGrants(connection: Connection, user: string, host: string, ctx: StepContext): Promise<Grants> {
  const rows = await run<Record<string, string>[]>(connection, `reading the grants of ${user}@${host}`, 'SHOW GRANTS FOR ?@?', [user, host], ctx);
  try {
    return parseGrants(rows.map((row) => String(Object.values(row)[0])));
  } catch (error) {
    const reason = error instanceof GrantParseError ? error.message : 'unreadable output';
    throw new TargetOperationError(`could not read the grants of ${user}@${host}: ${reason}`, { secretId: ctx.secretId, step: ctx.step });
  }
}

export interface SyncPlan {
  grants: string[];
  revokes: string[];
}

/** The statements that turn `target`'s grants into `source`'s; grants first, then revokes. */
export function planSync(source: Grants, target: Grants, targetAccount: string): SyncPlan {
  const sourceAtoms = [...source.values()];
  const missing = missingFrom(source, target);
  const extra = missingFrom(target, source);
  const grants: string[] = [];
  const revokes: string[] = [];

  // Grants: every object with something missing gets the source's full privilege list on it
  // (granting what is already there changes nothing), with GRANT OPTION when the source has it.
  const objects = new Set(missing.flatMap((a) => (a.kind === 'privilege' || a.kind === 'grantOption' ? [a.object] : [])));
  for (const object of objects) {
    const privileges = sourceAtoms.filter((a) => a.kind === 'privilege' && a.object === object);
    const withGrantOption = source.has(`grantOption\u0000${object}`);
    grants.push(`GRANT ${privileges.length > 0 ? privilegeList(privileges) : 'USAGE'} ON ${object} TO ${targetAccount}${withGrantOption ? ' WITH GRANT OPTION' : ''}`);
  }
  const roles = new Set(missing.flatMap((a) => (a.kind === 'role' || a.kind === 'roleAdmin' ? [a.role] : [])));
  for (const role of roles) {
    grants.push(`GRANT ${role} TO ${targetAccount}${source.has(`roleAdmin\u0000${role}`) ? ' WITH ADMIN OPTION' : ''}`);
  }
  for (const atom of missing) if (atom.kind === 'defaultRole') grants.push(`SET DEFAULT ROLE ${atom.role} FOR ${targetAccount}`);

  // Revokes, narrowest first.
  const sourceHasDefaultRole = sourceAtoms.some((a) => a.kind === 'defaultRole');
  if (!sourceHasDefaultRole && extra.some((a) => a.kind === 'defaultRole')) revokes.push(`SET DEFAULT ROLE NONE FOR ${targetAccount}`);
  const extraByObject = new Map<string, GrantAtom[]>();
  for (const atom of extra) {
    if (atom.kind === 'privilege') extraByObject.set(atom.object, [...(extraByObject.get(atom.object) ?? []), atom]);
    if (atom.kind === 'grantOption') revokes.push(`REVOKE GRANT OPTION ON ${atom.object} FROM ${targetAccount}`);
  }
  for (const [object, atoms] of extraByObject) revokes.push(`REVOKE ${privilegeList(atoms)} ON ${object} FROM ${targetAccount}`);
  for (const atom of extra) {
    if (atom.kind === 'roleAdmin' && source.has(`role\u0000${atom.role}`)) revokes.push(`REVOKE ADMIN OPTION FOR ${atom.role} FROM ${targetAccount}`);
    if (atom.kind === 'role') revokes.push(`REVOKE ${atom.role} FROM ${targetAccount}`);
  }
  return { grants, revokes };
}

/** Differences as readable lines ("missing SELECT ON `shop`.*"), empty when equal. */
export function grantDifferences(source: Grants, target: Grants): string[] {
  return [...missingFrom(source, target).map((a) => `missing ${describeAtom(a)}`), ...missingFrom(target, source).map((a) => `extra ${describeAtom(a)}`)];
}

/**
 * Apply the plan, then read back. Revoking from `ALL PRIVILEGES` can take more than was meant
 * (the server stores ALL as one set), so missing privileges are granted once more before the
 * final check; that window is the only one in which the target lacks a privilege it should keep.
 */
export async function syncGrants(
  connection: Connection,
  source: { user: string; host: string; grants: Grants },
  target: { user: string; host: string; grants: Grants },
  ctx: StepContext,
): Promise<void> {
  const targetAccount = account(target.user, target.host);
  const where = `${target.user}@${target.host}`;
  const plan = planSync(source.grants, target.grants, targetAccount);
  for (const sql of plan.grants) await run(connection, `granting privileges to ${where}`, sql, undefined, ctx);
  for (const sql of plan.revokes) await run(connection, `revoking privileges from ${where}`, sql, undefined, ctx);
  if (plan.grants.length + plan.revokes.length === 0) return;

  let now = await readGrants(connection, target.user, target.host, ctx);
  if (plan.revokes.length > 0 && missingFrom(source.grants, now).length > 0) {
    for (const sql of planSync(source.grants, now, targetAccount).grants) await run(connection, `granting privileges to ${where}`, sql, undefined, ctx);
    now = await readGrants(connection, target.user, target.host, ctx);
  }
  const differences = grantDifferences(source.grants, now);
  if (differences.length > 0) {
    throw new TargetOperationError(`privileges of ${where} still differ from ${source.user}@${source.host} after syncing: ${differences.join('; ')}`, { secretId: ctx.secretId, step: ctx.step });
  }
  ctx.logger.info('Synced privileges', { account: where, from: `${source.user}@${source.host}`, granted: plan.grants.length, revoked: plan.revokes.length });
}
