/**
 * From what the server says about the three roles to the statements that make the pair right
 * (pure: unit-tested, and reused by testSecret, where any statement still planned is a
 * difference). Also the evidence check that comes before any statement.
 *
 * What "right" means:
 * - the owner role exists, NOLOGIN, marked as this secret's (markers.ts);
 * - the clone exists, marked as this secret's;
 * - both users are members of the owner role and log in with it as their session role
 *   (`ALTER ROLE … SET role TO owner`), so every object either creates belongs to the owner role;
 * - the clone has the base user's client-affecting attributes (INHERIT, CREATEDB, CREATEROLE,
 *   REPLICATION, BYPASSRLS, CONNECTION LIMIT), memberships (with ADMIN OPTION) and per-role
 *   settings (everywhere and per database). The base user is the source of truth: a DBA changes
 *   `app`, `app_clone` follows at the next rotation, whichever user is pending.
 *
 * Grants come before revokes and memberships before the `role` setting that needs them, though
 * all of it runs in one transaction (connect.ts inTransaction): a stop anywhere leaves nothing.
 */
import { ConfusedDeputyError, type StepContext, TargetOperationError } from '@rotators/core';
import { escapeIdentifier, escapeLiteral } from '@rotators/core/postgres';
import type { Statement } from './connect.ts';
import { commentStatement, marker } from './markers.ts';
import type { RoleNames } from './names.ts';
import type { RoleFacts } from './roles.ts';
import { resetStatement, setStatement } from './settings.ts';

export interface PairState {
  base?: RoleFacts;
  clone?: RoleFacts;
  owner?: RoleFacts;
}

const EVERY_DATABASE = '';
const id = escapeIdentifier;

/** A role as CREATE ROLE … NOLOGIN leaves it. */
function newRole(name: string): RoleFacts {
  return {
    name,
    superuser: false,
    inherit: true,
    createRole: false,
    createDb: false,
    canLogin: false,
    replication: false,
    bypassRls: false,
    connectionLimit: -1,
    comment: null,
    memberOf: new Map(),
    settings: new Map(),
  };
}

/**
 * Before any statement: the roles that exist must be this secret's. `ownerField` names the secret
 * field the owner role comes from (`ownerRole`, or `username` for the default `<base>_owner`).
 */
export function checkEvidence(
  names: RoleNames,
  state: PairState,
  ownerField: 'ownerRole' | 'username',
  ctx: StepContext,
): void {
  if (!state.base) {
    throw new TargetOperationError(
      `the base user ${JSON.stringify(names.base)} does not exist on the server. Start the secret with an existing ` +
        `base user (the first rotation creates ${JSON.stringify(names.clone)}); nothing was changed`,
      ctx,
    );
  }
  if (state.base.superuser) {
    throw new TargetOperationError(
      `the base user ${JSON.stringify(names.base)} is a superuser: this rotator does not make superuser clones; ` +
        `nothing was changed`,
      ctx,
    );
  }
  if (state.clone && state.clone.comment !== marker('clone', names.base, ctx.secretId)) {
    throw new ConfusedDeputyError(
      'username',
      `the role ${JSON.stringify(names.clone)} exists, and nothing on the server shows that this rotator made it for ` +
        `this secret (its COMMENT ON ROLE is not this secret's mark). ` +
        'Rotating would take it over. Drop or rename it, or see "Migrating" in the package README; nothing was changed',
      ctx,
    );
  }
  if (state.owner) {
    if (state.owner.comment !== marker('owner role', names.base, ctx.secretId)) {
      throw new ConfusedDeputyError(
        ownerField,
        `the owner role ${JSON.stringify(names.owner)} exists, and nothing on the server shows that this rotator ` +
          `made it for this secret (its COMMENT ON ROLE is not this secret's mark). ` +
          `Granting it to ${JSON.stringify(names.base)} would hand them its privileges. Choose another "ownerRole", ` +
          `drop the role, or see "Migrating" in the package README; nothing was changed`,
        ctx,
      );
    }
    if (state.owner.canLogin || state.owner.superuser) {
      throw new TargetOperationError(
        `the owner role ${JSON.stringify(names.owner)} has ${state.owner.superuser ? 'SUPERUSER' : 'LOGIN'}, which ` +
          `this rotator never gives it: someone changed it; nothing was changed`,
        ctx,
      );
    }
  }
}

/**
 * The statements that make the pair right (the password is the caller's). Throws when a setting
 * cannot be copied faithfully.
 */
export function planPair(names: RoleNames, state: PairState, ctx: StepContext): Statement[] {
  const base = state.base!;
  const clone = state.clone ?? newRole(names.clone);
  const statements: Statement[] = [];
  const add = (what: string, sql: string) => statements.push({ what, sql });

  if (!state.owner) {
    add(`creating the owner role ${names.owner}`, `CREATE ROLE ${id(names.owner)} NOLOGIN`);
    add(
      `marking ${names.owner} as this secret's`,
      commentStatement(names.owner, marker('owner role', names.base, ctx.secretId)),
    );
  }
  if (!state.clone) {
    // NOLOGIN until its password is set (in the same transaction when it is pending).
    add(`creating the clone ${names.clone}`, `CREATE ROLE ${id(names.clone)} NOLOGIN`);
    add(
      `marking ${names.clone} as this secret's`,
      commentStatement(names.clone, marker('clone', names.base, ctx.secretId)),
    );
  }
  for (const user of [base, clone]) {
    if (!user.memberOf.has(names.owner))
      add(`granting ${names.owner} to ${user.name}`, `GRANT ${id(names.owner)} TO ${id(user.name)}`);
  }
  for (const user of [base, clone]) {
    if (user.settings.get(EVERY_DATABASE)?.get('role') !== names.owner) {
      add(
        `making ${names.owner} the session role of ${user.name}`,
        `ALTER ROLE ${id(user.name)} SET role TO ${escapeLiteral(names.owner)}`,
      );
    }
  }

  const attributes = attributeClauses(base, clone);
  if (attributes.length > 0)
    add(
      `copying the attributes of ${names.base} to ${names.clone} (${attributes.join(' ')})`,
      `ALTER ROLE ${id(names.clone)} WITH ${attributes.join(' ')}`,
    );

  const managed = new Set([names.owner, names.base, names.clone]);
  const wanted = [...base.memberOf].filter(([role]) => !managed.has(role));
  const held = new Map([...clone.memberOf].filter(([role]) => !managed.has(role)));
  for (const [role, admin] of wanted) {
    if (!held.has(role) || (admin && !held.get(role)))
      add(
        `granting ${role} to ${names.clone}${admin ? ' with ADMIN OPTION' : ''}`,
        `GRANT ${id(role)} TO ${id(names.clone)}${admin ? ' WITH ADMIN OPTION' : ''}`,
      );
  }
  for (const [role, admin] of held) {
    const baseAdmin = base.memberOf.get(role);
    if (baseAdmin === undefined)
      add(
        `revoking ${role} from ${names.clone} (${names.base} is not a member)`,
        `REVOKE ${id(role)} FROM ${id(names.clone)}`,
      );
    else if (admin && !baseAdmin)
      add(
        `revoking ADMIN OPTION on ${role} from ${names.clone}`,
        `REVOKE ADMIN OPTION FOR ${id(role)} FROM ${id(names.clone)}`,
      );
  }

  // Settings, with both users' session role already the owner role (the statements above).
  const desired = withSessionRole(base.settings, names.owner);
  const current = withSessionRole(clone.settings, names.owner);
  for (const database of new Set([...desired.keys(), ...current.keys()])) {
    const want = desired.get(database) ?? new Map<string, string>();
    const have = current.get(database) ?? new Map<string, string>();
    const where = database === EVERY_DATABASE ? '' : ` in database ${database}`;
    const scope = database === EVERY_DATABASE ? null : database;
    for (const [name, value] of want) {
      if (have.get(name) === value) continue;
      const sql = setStatement(names.clone, scope, name, value);
      if (!sql)
        throw new TargetOperationError(
          `the setting ${name}${where} of ${JSON.stringify(names.base)} cannot be copied faithfully (its stored ` +
            `value does not parse as a list); nothing was changed`,
          ctx,
        );
      add(`copying the setting ${name}${where} of ${names.base} to ${names.clone}`, sql);
    }
    for (const name of have.keys()) {
      if (want.has(name)) continue;
      const sql = resetStatement(names.clone, scope, name);
      if (!sql)
        throw new TargetOperationError(
          `the setting ${name}${where} of ${JSON.stringify(names.clone)} has a name that cannot be written back; ` +
            `nothing was changed`,
          ctx,
        );
      add(`removing the setting ${name}${where} of ${names.clone} (${names.base} has none)`, sql);
    }
  }
  return statements;
}

function withSessionRole(settings: Map<string, Map<string, string>>, owner: string): Map<string, Map<string, string>> {
  const copy = new Map([...settings].map(([database, entries]) => [database, new Map(entries)]));
  if (!copy.has(EVERY_DATABASE)) copy.set(EVERY_DATABASE, new Map());
  copy.get(EVERY_DATABASE)!.set('role', owner);
  return copy;
}

function attributeClauses(base: RoleFacts, clone: RoleFacts): string[] {
  const clauses: string[] = [];
  const flag = (on: boolean, keyword: string) => (on ? keyword : `NO${keyword}`);
  if (base.inherit !== clone.inherit) clauses.push(flag(base.inherit, 'INHERIT'));
  if (base.createDb !== clone.createDb) clauses.push(flag(base.createDb, 'CREATEDB'));
  if (base.createRole !== clone.createRole) clauses.push(flag(base.createRole, 'CREATEROLE'));
  // Only mentioned when they differ: PostgreSQL allows even NOREPLICATION / NOBYPASSRLS to superusers only.
  if (base.replication !== clone.replication) clauses.push(flag(base.replication, 'REPLICATION'));
  if (base.bypassRls !== clone.bypassRls) clauses.push(flag(base.bypassRls, 'BYPASSRLS'));
  if (base.connectionLimit !== clone.connectionLimit)
    clauses.push(`CONNECTION LIMIT ${Math.trunc(base.connectionLimit)}`);
  return clauses;
}
