/**
 * Objects owned by the two users themselves rather than by the owner role: the drift this rotator
 * ends. An existing base user usually owns its tables; the clone could not alter or drop them.
 *
 * Counted from pg_shdepend (a shared catalog every role may read: one row per object a role owns,
 * in every database, dbid 0 for databases and tablespaces), so one session sees all databases.
 * Default privileges (ALTER DEFAULT PRIVILEGES FOR ROLE app) are owner rows too, but REASSIGN
 * OWNED leaves them alone and they would not apply to the owner role's objects anyway: they are
 * not counted, only reported (WARN).
 *
 * Without ADOPT_OWNERSHIP=true, objects found are an OwnedObjectsError (createSecret, before any
 * write), saying how many, where, and what to set. With it, the master moves them to the owner
 * role: REASSIGN OWNED BY base, clone TO owner, in one transaction per database (ADOPT_DATABASES,
 * else the secret's dbname); objects in a database outside that list are refused the same way.
 */
import { type StepContext, TargetOperationError } from '@rotators/core';
import { escapeIdentifier } from '@rotators/core/postgres';
import type { AdoptionConfig } from './config.ts';
import { inTransaction, type PostgresSession, run } from './connect.ts';
import type { RoleNames } from './names.ts';

/** Shared objects (databases, tablespaces): REASSIGN OWNED in any database moves them. */
export const SHARED = '(shared: databases, tablespaces)';

export interface OwnedObjects {
  /** Database name (or SHARED) → number of objects owned by either user. */
  byDatabase: Map<string, number>;
  total: number;
  /** ALTER DEFAULT PRIVILEGES entries of either user (not counted in total). */
  defaultPrivileges: number;
}

export async function readOwnedObjects(
  session: PostgresSession,
  names: RoleNames,
  ctx: StepContext,
): Promise<OwnedObjects> {
  const rows = await run(
    session,
    'counting the objects the users own (pg_shdepend)',
    `SELECT d.datname AS database, s.classid = 'pg_default_acl'::regclass AS default_acl, count(*)::int AS n
       FROM pg_shdepend s LEFT JOIN pg_database d ON d.oid = s.dbid
      WHERE s.refclassid = 'pg_authid'::regclass AND s.deptype = 'o'
        AND s.refobjid IN (SELECT oid FROM pg_roles WHERE rolname = ANY($1::text[]))
      GROUP BY 1, 2`,
    [[names.base, names.clone]],
    ctx,
  );
  const byDatabase = new Map<string, number>();
  let defaultPrivileges = 0;
  for (const row of rows) {
    const n = Number(row.n);
    if (row.default_acl === true) {
      defaultPrivileges += n;
      continue;
    }
    const database = row.database === null ? SHARED : String(row.database);
    byDatabase.set(database, (byDatabase.get(database) ?? 0) + n);
  }
  return { byDatabase, total: [...byDatabase.values()].reduce((a, b) => a + b, 0), defaultPrivileges };
}

/** The users own objects the rotator may not (or cannot) move to the owner role. Nothing was written. */
export class OwnedObjectsError extends TargetOperationError {
  override readonly name: string = 'OwnedObjectsError';
  constructor(
    readonly objects: number,
    detail: string,
    ctx: StepContext,
  ) {
    super(detail, ctx);
  }
}

const describe = (owned: OwnedObjects) =>
  [...owned.byDatabase]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([database, n]) => `${n} in ${database === SHARED ? SHARED : `database ${JSON.stringify(database)}`}`)
    .join(', ');

/**
 * The databases where REASSIGN OWNED must run (empty: nothing to move), or OwnedObjectsError.
 * Pure: decided from the count and the function's configuration, before any write.
 */
export function adoptionDatabases(
  owned: OwnedObjects,
  names: RoleNames,
  config: AdoptionConfig,
  secretDatabase: string,
  ctx: StepContext,
): string[] {
  if (owned.total === 0) return [];
  const users = `${JSON.stringify(names.base)} and ${JSON.stringify(names.clone)}`;
  const allowed = config.databases ?? [secretDatabase];
  if (!config.adoptOwnership) {
    throw new OwnedObjectsError(
      owned.total,
      `${users} own ${owned.total} object${owned.total === 1 ? '' : 's'} (${describe(owned)}) ` +
        `that the other user could not alter or drop. ` +
        `Set ADOPT_OWNERSHIP=true on the function to have the master move them to the owner role ` +
        `${JSON.stringify(names.owner)} (REASSIGN OWNED, one transaction per database in ADOPT_DATABASES, ` +
        `now ${JSON.stringify(allowed.join(','))}), or move them yourself ` +
        `(REASSIGN OWNED BY ... TO ${escapeIdentifier(names.owner)} in each database, ` +
        `after creating the role as the README says). Nothing was changed`,
      ctx,
    );
  }
  const outside = [...owned.byDatabase.keys()].filter((database) => database !== SHARED && !allowed.includes(database));
  if (outside.length > 0) {
    throw new OwnedObjectsError(
      owned.total,
      `${users} own objects in ${outside.map((d) => `database ${JSON.stringify(d)}`).join(', ')}, which ${
        config.databases
          ? 'ADOPT_DATABASES does not list'
          : "is not the secret's dbname (set ADOPT_DATABASES to list every database)"
      }; ` +
        `REASSIGN OWNED moves only the objects of the database it runs in (${describe(owned)}). Nothing was changed`,
      ctx,
    );
  }
  const withObjects = allowed.filter((database) => owned.byDatabase.has(database));
  // Only shared objects left: any database's REASSIGN OWNED moves them.
  return withObjects.length > 0 ? withObjects : [allowed[0]!];
}

/**
 * REASSIGN OWNED BY base, clone TO owner in one transaction, on a master session connected to the
 * database. REASSIGN needs the privileges of every role involved; a master that is not a member
 * (RDS's master is not) is made one inside the transaction and stops being one before COMMIT, so no
 * membership outlives it.
 */
export async function reassignOwned(session: PostgresSession, names: RoleNames, ctx: StepContext): Promise<void> {
  const roles = [names.base, names.clone, names.owner];
  const missing: string[] = [];
  for (const role of roles) {
    const rows = await run(
      session,
      `checking the master's privileges of ${role}`,
      "SELECT pg_has_role($1, 'USAGE') AS has",
      [role],
      ctx,
    );
    if (rows[0]?.has !== true) missing.push(role);
  }
  await inTransaction(
    session,
    [
      ...missing.map((role) => ({
        what: `making the master a member of ${role} for REASSIGN OWNED`,
        sql: `GRANT ${escapeIdentifier(role)} TO CURRENT_USER`,
      })),
      {
        what:
          `moving the objects of ${names.base} and ${names.clone} to ${names.owner} (REASSIGN OWNED; the master ` +
          `needs CREATE on the database to move schemas)`,
        sql:
          `REASSIGN OWNED BY ${escapeIdentifier(names.base)}, ${escapeIdentifier(names.clone)} TO ` +
          `${escapeIdentifier(names.owner)}`,
      },
      ...missing.map((role) => ({
        what: `ending the master's membership of ${role}`,
        sql: `REVOKE ${escapeIdentifier(role)} FROM CURRENT_USER`,
      })),
    ],
    ctx,
  );
}
