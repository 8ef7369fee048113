/**
 * Can the master do what setSecret is about to do? Checked from `SHOW GRANTS FOR CURRENT_USER()`
 * after the reads and before the first write, so a master that can read mysql.user but cannot
 * grant fails with the missing right named and the database untouched (instead of failing at the
 * first GRANT after CREATE USER).
 *
 * Deliberately simple and conservative: rights the master has only through a role, a database-
 * level GRANT OPTION covering a table, or SUPER are not credited. Needed:
 * - CREATE USER (or ALL PRIVILEGES) on *.*: CREATE USER, ALTER USER … IDENTIFIED BY / REQUIRE / ACCOUNT;
 * - GRANT OPTION on *.*, or on each object the base user has privileges on (to grant and revoke them);
 * - for each role the base user holds: WITH ADMIN OPTION on it (or MySQL's global ROLE_ADMIN).
 */
import { type StepContext, TargetOperationError } from '@rotators/core';
import type { Connection } from 'mysql2/promise';
import { run } from './connect.ts';
import { type GrantAtom, GrantParseError, parseGrants } from './grantParser.ts';

/** The master lacks a right setSecret needs; `missing` names each one. Nothing was written. */
export class MasterRightsError extends TargetOperationError {
  override readonly name: string = 'MasterRightsError';
  constructor(
    readonly missing: string[],
    context: { secretId?: string; step?: StepContext['step'] },
  ) {
    super(
      `the master user lacks rights needed to rotate this secret: ${missing.join('; ')} (nothing was changed)`,
      context,
    );
  }
}

/** What `master` (its own grants) lacks to grant and revoke `needed` and to create and alter users. */
export function missingMasterRights(master: Map<string, GrantAtom>, needed: Iterable<GrantAtom>): string[] {
  const global = new Set(
    [...master.values()].flatMap((a) =>
      a.kind === 'privilege' && a.object === '*.*' && !a.column ? [a.privilege] : [],
    ),
  );
  const missing: string[] = [];
  if (!global.has('CREATE USER') && !global.has('ALL PRIVILEGES')) missing.push('CREATE USER ON *.*');
  const globalGrantOption = master.has('grantOption\u0000*.*');
  for (const atom of needed) {
    let right: string | undefined;
    if (
      (atom.kind === 'privilege' || atom.kind === 'grantOption') &&
      !globalGrantOption &&
      !master.has(`grantOption\u0000${atom.object}`)
    )
      right = `GRANT OPTION ON ${atom.object}`;
    if (
      (atom.kind === 'role' || atom.kind === 'roleAdmin' || atom.kind === 'defaultRole') &&
      !global.has('ROLE_ADMIN') &&
      !master.has(`roleAdmin\u0000${atom.role}`)
    )
      right = `ADMIN OPTION for role ${atom.role}`;
    if (right && !missing.includes(right)) missing.push(right);
  }
  return missing;
}

export async function checkMasterRights(
  connection: Connection,
  needed: Iterable<GrantAtom>,
  ctx: StepContext,
): Promise<void> {
  const rows = await run<Record<string, unknown>[]>(
    connection,
    "reading the master user's own grants",
    'SHOW GRANTS FOR CURRENT_USER()',
    undefined,
    ctx,
  );
  let master: Map<string, GrantAtom>;
  try {
    master = parseGrants(rows.map((row) => String(Object.values(row)[0])));
  } catch (error) {
    const reason = error instanceof GrantParseError ? error.message : 'unreadable output';
    throw new TargetOperationError(`could not read the master user's own grants: ${reason}`, ctx);
  }
  const missing = missingMasterRights(master, needed);
  if (missing.length > 0) throw new MasterRightsError(missing, ctx);
}
