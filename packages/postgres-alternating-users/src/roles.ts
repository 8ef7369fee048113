/**
 * What the server says about the three roles of a secret (base user, clone, owner role): their
 * attributes, the comment that marks the rotator's own roles, their memberships and their
 * per-role settings. Three reads of catalogs every role may read (pg_roles, pg_auth_members,
 * pg_db_role_setting; pg_shdescription through shobj_description), names bound as parameters.
 */
import type { StepContext } from '@rotators/core';
import { type PostgresSession, run } from './connect.ts';

export interface RoleFacts {
  name: string;
  superuser: boolean;
  inherit: boolean;
  createRole: boolean;
  createDb: boolean;
  canLogin: boolean;
  replication: boolean;
  bypassRls: boolean;
  connectionLimit: number;
  comment: string | null;
  /** Roles it is a member of → whether with ADMIN OPTION (any grantor). */
  memberOf: Map<string, boolean>;
  /** Settings by database ('' = every database) → variable name → stored value. */
  settings: Map<string, Map<string, string>>;
}

/** The roles that exist among `names`, by name. */
export async function readRoles(
  session: PostgresSession,
  names: string[],
  ctx: StepContext,
): Promise<Map<string, RoleFacts>> {
  const roles = await run(
    session,
    'reading the roles (pg_roles)',
    `SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, ` +
      `rolreplication, rolbypassrls, rolconnlimit,
            shobj_description(oid, 'pg_authid') AS comment
       FROM pg_roles WHERE rolname = ANY($1::text[])`,
    [names],
    ctx,
  );
  const found = new Map<string, RoleFacts>();
  for (const row of roles) {
    const name = String(row.rolname);
    found.set(name, {
      name,
      superuser: row.rolsuper === true,
      inherit: row.rolinherit === true,
      createRole: row.rolcreaterole === true,
      createDb: row.rolcreatedb === true,
      canLogin: row.rolcanlogin === true,
      replication: row.rolreplication === true,
      bypassRls: row.rolbypassrls === true,
      connectionLimit: Number(row.rolconnlimit),
      comment: row.comment === null || row.comment === undefined ? null : String(row.comment),
      memberOf: new Map(),
      settings: new Map(),
    });
  }
  if (found.size === 0) return found;

  const memberships = await run(
    session,
    'reading role memberships (pg_auth_members)',
    `SELECT m.rolname AS member, g.rolname AS role, bool_or(a.admin_option) AS admin
       FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member JOIN pg_roles g ON g.oid = a.roleid
      WHERE m.rolname = ANY($1::text[]) GROUP BY 1, 2`,
    [[...found.keys()]],
    ctx,
  );
  for (const row of memberships) found.get(String(row.member))?.memberOf.set(String(row.role), row.admin === true);

  const settings = await run(
    session,
    'reading per-role settings (pg_db_role_setting)',
    `SELECT r.rolname AS role, coalesce(d.datname, '') AS database, s.setconfig AS config
       FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole LEFT JOIN pg_database d ON d.oid = s.setdatabase
      WHERE r.rolname = ANY($1::text[]) AND (s.setdatabase = 0 OR d.oid IS NOT NULL)`,
    [[...found.keys()]],
    ctx,
  );
  for (const row of settings) {
    const role = found.get(String(row.role));
    if (!role) continue;
    const entries = new Map<string, string>();
    for (const entry of (row.config as string[] | null) ?? []) {
      const at = entry.indexOf('=');
      if (at > 0) entries.set(entry.slice(0, at), entry.slice(at + 1));
    }
    role.settings.set(String(row.database), entries);
  }
  return found;
}
