/**
 * Make one account's privileges equal to another's, without ever taking away a privilege the
 * target should keep: the target may be a user that clients are logged in as right now
 * (AWSCURRENT, or AWSPREVIOUS), so missing privileges are granted first, extras are then revoked
 * one privilege at a time (not "revoke all, grant again"), and the result is read back and checked.
 */
import { type StepContext, TargetOperationError } from '@rotators/core';
import type { Connection } from 'mysql2/promise';
import { account, run } from './connect.ts';
import { readMysqlDefaultRoles, setDefaultRoles } from './defaultRoles.ts';
import {
  atomKey,
  describeAtom,
  type GrantAtom,
  GrantParseError,
  missingFrom,
  parseGrants,
  privilegeList,
} from './grantParser.ts';
import type { ServerFlavor } from './passwords.ts';

export type Grants = Map<string, GrantAtom>;

/** SHOW GRANTS as atoms; on MySQL plus the default roles, which SHOW GRANTS does not show there (defaultRoles.ts). */
export async function readGrants(
  connection: Connection,
  user: string,
  host: string,
  ctx: StepContext,
  flavor: ServerFlavor = 'mariadb',
): Promise<Grants> {
  const rows = await run<Record<string, string>[]>(
    connection,
    `reading the grants of ${user}@${host}`,
    'SHOW GRANTS FOR ?@?',
    [user, host],
    ctx,
  );
  let grants: Grants;
  try {
    grants = parseGrants(rows.map((row) => String(Object.values(row)[0])));
  } catch (error) {
    const reason = error instanceof GrantParseError ? error.message : 'unreadable output';
    throw new TargetOperationError(`could not read the grants of ${user}@${host}: ${reason}`, ctx);
  }
  if (flavor === 'mysql')
    for (const atom of await readMysqlDefaultRoles(connection, user, host, ctx)) grants.set(atomKey(atom), atom);
  return grants;
}

export interface SyncPlan {
  grants: string[];
  revokes: string[];
}

const ALL = 'ALL PRIVILEGES';

/**
 * Privileges that exist at each object level, in the order we try them when turning a clone's
 * `ALL PRIVILEGES` into an explicit list (the first one the base user lacks is revoked first).
 */
const TABLE_PRIVILEGES = [
  'DROP',
  'DELETE',
  'ALTER',
  'INDEX',
  'INSERT',
  'UPDATE',
  'CREATE',
  'REFERENCES',
  'TRIGGER',
  'CREATE VIEW',
  'SHOW VIEW',
  'SELECT',
];
const DATABASE_PRIVILEGES = [
  ...TABLE_PRIVILEGES,
  'EVENT',
  'LOCK TABLES',
  'CREATE TEMPORARY TABLES',
  'EXECUTE',
  'CREATE ROUTINE',
  'ALTER ROUTINE',
];
const GLOBAL_PRIVILEGES = [
  ...DATABASE_PRIVILEGES,
  'SHUTDOWN',
  'FILE',
  'PROCESS',
  'RELOAD',
  'SHOW DATABASES',
  'CREATE USER',
  'SUPER',
  'REPLICATION CLIENT',
  'REPLICATION SLAVE',
  'CREATE TABLESPACE',
];
const ROUTINE_PRIVILEGES = ['ALTER ROUTINE', 'EXECUTE'];

function privilegesAtLevelOf(object: string): string[] {
  if (/^(PROCEDURE|FUNCTION) /.test(object)) return ROUTINE_PRIVILEGES;
  if (object === '*.*') return GLOBAL_PRIVILEGES;
  return object.endsWith('.*') ? DATABASE_PRIVILEGES : TABLE_PRIVILEGES;
}

/** Table-level (not column) privilege names held on `object`. */
function objectPrivileges(grants: Grants, object: string): Set<string> {
  return new Set(
    [...grants.values()].flatMap((a) =>
      a.kind === 'privilege' && a.object === object && !a.column ? [a.privilege] : [],
    ),
  );
}

/**
 * The statements that turn `target`'s grants into `source`'s; grants first, then revokes. No
 * statement takes away a privilege the source holds, even for a moment: the target may be the
 * user clients are logged in as (AWSCURRENT or AWSPREVIOUS).
 *
 * `ALL PRIVILEGES` is stored by the server as the set of every privilege, so:
 * - source holds ALL on an object: GRANT ALL folds the target's own table/db-level privileges
 *   there into it, and they are NOT revoked (MariaDB would take them out of the ALL just granted);
 * - target holds ALL where the source holds less: `REVOKE ALL` would take everything. Instead one
 *   privilege the source lacks is revoked, which turns the ALL into an explicit list; the next
 *   round (syncGrants plans again after reading back) revokes the remaining extras by name.
 */
export function planSync(
  source: Grants,
  target: Grants,
  targetAccount: string,
  flavor: ServerFlavor = 'mariadb',
): SyncPlan {
  const sourceAtoms = [...source.values()];
  // A table/db-level privilege the target already has through its ALL is not missing.
  const missing = missingFrom(source, target).filter(
    (a) => !(a.kind === 'privilege' && !a.column && objectPrivileges(target, a.object).has(ALL)),
  );
  const extra = missingFrom(target, source);
  const grants: string[] = [];
  const revokes: string[] = [];

  // Grants: every object with something missing gets the source's full privilege list on it
  // (granting what is already there changes nothing), with GRANT OPTION when the source has it.
  const objects = new Set(
    missing.flatMap((a) => (a.kind === 'privilege' || a.kind === 'grantOption' ? [a.object] : [])),
  );
  for (const object of objects) {
    const privileges = sourceAtoms.filter((a) => a.kind === 'privilege' && a.object === object);
    const withGrantOption = source.has(`grantOption\u0000${object}`);
    grants.push(
      `GRANT ${privileges.length > 0 ? privilegeList(privileges) : 'USAGE'} ON ${object} ` +
        `TO ${targetAccount}${withGrantOption ? ' WITH GRANT OPTION' : ''}`,
    );
  }
  const roles = new Set(missing.flatMap((a) => (a.kind === 'role' || a.kind === 'roleAdmin' ? [a.role] : [])));
  for (const role of roles) {
    grants.push(`GRANT ${role} TO ${targetAccount}${source.has(`roleAdmin\u0000${role}`) ? ' WITH ADMIN OPTION' : ''}`);
  }
  // Default roles as a whole (MySQL sets the list in one statement), after the roles are granted.
  const sourceDefaults = sourceAtoms.flatMap((a) => (a.kind === 'defaultRole' ? [a.role] : []));
  const defaultsDiffer = [...missing, ...extra].some((a) => a.kind === 'defaultRole');
  if (defaultsDiffer && sourceDefaults.length > 0) grants.push(setDefaultRoles(flavor, sourceDefaults, targetAccount));

  // Revokes, narrowest first.
  if (defaultsDiffer && sourceDefaults.length === 0) revokes.push(setDefaultRoles(flavor, [], targetAccount));
  const extraByObject = new Map<string, GrantAtom[]>();
  for (const atom of extra) {
    if (atom.kind === 'privilege') {
      // Folded into the ALL the source holds (and that the grants above give the target).
      if (!atom.column && objectPrivileges(source, atom.object).has(ALL)) continue;
      extraByObject.set(atom.object, [...(extraByObject.get(atom.object) ?? []), atom]);
    }
    if (atom.kind === 'grantOption') revokes.push(`REVOKE GRANT OPTION ON ${atom.object} FROM ${targetAccount}`);
  }
  for (const [object, atoms] of extraByObject)
    revokes.push(revokeFrom(object, atoms, objectPrivileges(source, object), targetAccount));
  for (const atom of extra) {
    if (atom.kind === 'roleAdmin' && source.has(`role\u0000${atom.role}`))
      revokes.push(`REVOKE ADMIN OPTION FOR ${atom.role} FROM ${targetAccount}`);
    if (atom.kind === 'role') revokes.push(`REVOKE ${atom.role} FROM ${targetAccount}`);
  }
  return { grants, revokes };
}

/** REVOKE the extra privileges on one object; an extra ALL becomes "revoke one the source lacks". */
function revokeFrom(object: string, atoms: GrantAtom[], sourceHolds: Set<string>, targetAccount: string): string {
  const extraAll = atoms.some((a) => a.kind === 'privilege' && a.privilege === ALL && !a.column);
  if (extraAll && sourceHolds.size > 0) {
    const lacking = privilegesAtLevelOf(object).find((privilege) => !sourceHolds.has(privilege));
    // The source holds every privilege we know of at this level but not ALL (a server-specific
    // one is missing): fall back to REVOKE ALL; syncGrants grants the rest back in its next round.
    if (lacking) return `REVOKE ${lacking} ON ${object} FROM ${targetAccount}`;
  }
  return `REVOKE ${privilegeList(atoms)} ON ${object} FROM ${targetAccount}`;
}

/** Differences as readable lines ("missing SELECT ON `shop`.*"), empty when equal. */
export function grantDifferences(source: Grants, target: Grants): string[] {
  return [
    ...missingFrom(source, target).map((a) => `missing ${describeAtom(a)}`),
    ...missingFrom(target, source).map((a) => `extra ${describeAtom(a)}`),
  ];
}

/**
 * Apply the plan, read back, and plan again until nothing is left to do (a clone's ALL PRIVILEGES
 * takes two rounds: one privilege revoked to make the list explicit, then the rest), at most
 * MAX_ROUNDS times; then check that the privileges are equal.
 */
const MAX_ROUNDS = 4;

export async function syncGrants(
  connection: Connection,
  source: { user: string; host: string; grants: Grants },
  target: { user: string; host: string; grants: Grants },
  ctx: StepContext,
  flavor: ServerFlavor = 'mariadb',
): Promise<void> {
  const targetAccount = account(target.user, target.host);
  const where = `${target.user}@${target.host}`;
  let now = target.grants;
  let granted = 0;
  let revoked = 0;
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const plan = planSync(source.grants, now, targetAccount, flavor);
    if (plan.grants.length + plan.revokes.length === 0) break;
    for (const sql of plan.grants) await run(connection, `granting privileges to ${where}`, sql, undefined, ctx);
    for (const sql of plan.revokes) await run(connection, `revoking privileges from ${where}`, sql, undefined, ctx);
    granted += plan.grants.length;
    revoked += plan.revokes.length;
    now = await readGrants(connection, target.user, target.host, ctx, flavor);
  }
  if (granted + revoked === 0) return;
  const differences = grantDifferences(source.grants, now);
  if (differences.length > 0) {
    throw new TargetOperationError(
      `privileges of ${where} still differ from ${source.user}@${source.host} after syncing: ${differences.join('; ')}`,
      ctx,
    );
  }
  ctx.logger.info('Synced privileges', { account: where, from: `${source.user}@${source.host}`, granted, revoked });
}
