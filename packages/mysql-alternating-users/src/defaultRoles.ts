/**
 * Default roles: the roles a session has active right after login. A clone holding the base
 * user's roles but without its default roles logs in with none of them active, so every privilege
 * that comes through a role is missing — after the rotation, for every client.
 *
 * - MariaDB lists its one default role in SHOW GRANTS (`SET DEFAULT ROLE r FOR u@h`), parsed with
 *   the other lines (grants.ts) and set with `SET DEFAULT ROLE r FOR u@h` / `NONE`.
 * - MySQL 8 does not show them in SHOW GRANTS; they live in mysql.default_roles (one row per role)
 *   and are set, all at once, with `SET DEFAULT ROLE r1, r2 TO u@h` / `NONE`. MySQL 5.7 (Aurora
 *   MySQL 2) has no roles: no table, nothing to copy.
 *
 * testSecret also asks the pending user's own session which roles are active (CURRENT_ROLE()), so
 * a clone whose roles are inactive at login fails the rotation whatever the tables say (MySQL's
 * activate_all_roles_on_login may activate more than the defaults; fewer is the failure).
 */
import { safeCause, type StepContext, TargetOperationError } from '@rotators/core';
import type { Connection } from 'mysql2/promise';
// mysql2's own escaping (mysql2 re-exports sql-escaper's), without loading the driver (issue 13).
import { escapeId } from 'sql-escaper';
import { query, run } from './connect.ts';
import { type GrantAtom, tokenize } from './grantParser.ts';
import type { ServerFlavor } from './passwords.ts';

/** MySQL 8: the account's default roles as atoms (`r`@`h`), as SHOW GRANTS would name the roles. */
export async function readMysqlDefaultRoles(
  connection: Connection,
  user: string,
  host: string,
  ctx: StepContext,
): Promise<GrantAtom[]> {
  let rows: Record<string, unknown>[];
  try {
    rows = await query<Record<string, unknown>[]>(
      connection,
      'SELECT DEFAULT_ROLE_USER AS user, DEFAULT_ROLE_HOST AS host FROM mysql.default_roles ' +
        'WHERE USER = ? AND HOST = ? ORDER BY DEFAULT_ROLE_USER, DEFAULT_ROLE_HOST',
      [user, host],
    );
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // MySQL 5.7 / Aurora MySQL 2: no roles at all.
    if (code === 'ER_NO_SUCH_TABLE') return [];
    throw new TargetOperationError(
      `reading the default roles of ${user}@${host} from mysql.default_roles ` +
        `failed${typeof code === 'string' ? `: ${code}` : ''}`,
      ctx,
      { cause: safeCause(error) },
    );
  }
  return rows.map((row) => ({ kind: 'defaultRole', role: roleName(String(row.user), String(row.host)) }));
}

export function roleName(user: string, host: string): string {
  return `${escapeId(user, true)}@${escapeId(host, true)}`;
}

/**
 * The statement that makes `targetAccount`'s default roles `roles` (rendered role names), or NONE.
 * MariaDB allows one default role; more than one there is a server we do not understand.
 */
export function setDefaultRoles(flavor: ServerFlavor, roles: string[], targetAccount: string): string {
  if (flavor === 'mysql') return `SET DEFAULT ROLE ${roles.length > 0 ? roles.join(', ') : 'NONE'} TO ${targetAccount}`;
  if (roles.length > 1) throw new Error('MariaDB has one default role per account');
  return `SET DEFAULT ROLE ${roles[0] ?? 'NONE'} FOR ${targetAccount}`;
}

/**
 * CURRENT_ROLE() as a set of role names rendered like the atoms: MariaDB answers one bare name or
 * NULL; MySQL `r1`@`%`,`r2`@`%` or NONE.
 */
export function parseCurrentRoles(value: unknown, flavor: ServerFlavor): Set<string> {
  if (value === null || value === undefined) return new Set();
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  if (flavor === 'mariadb') return new Set(text === '' ? [] : [escapeId(text, true)]);
  if (text.trim().toUpperCase() === 'NONE' || text.trim() === '') return new Set();
  const roles = new Set<string>();
  let parts: { kind: string; value: string }[] = [];
  const flush = () => {
    if (parts.length === 0) return;
    const [user, at, host] = parts;
    roles.add(at?.value === '@' && host ? roleName(user!.value, host.value) : escapeId(user!.value, true));
    parts = [];
  };
  for (const token of tokenize(text)) {
    if (token.kind === 'sym' && token.value === ',') flush();
    else parts.push(token);
  }
  flush();
  return roles;
}

/** The pending session's active roles, or undefined when the server has no CURRENT_ROLE() (MySQL 5.7). */
export async function activeRoles(connection: Connection, flavor: ServerFlavor): Promise<Set<string> | undefined> {
  try {
    const rows = await query<{ roles: unknown }[]>(connection, 'SELECT CURRENT_ROLE() AS roles');
    return parseCurrentRoles(rows[0]?.roles, flavor);
  } catch (error) {
    if (
      (error as { code?: unknown }).code === 'ER_SP_DOES_NOT_EXIST' ||
      (error as { code?: unknown }).code === 'ER_PARSE_ERROR'
    )
      return undefined;
    throw error;
  }
}

export interface PendingSession {
  /** CURRENT_USER(): the account (`user@host`) the login matched. */
  currentUser: string;
  /** Roles active right after login; undefined when the server has no roles (MySQL 5.7). */
  activeRoles?: Set<string>;
}

/** Run in the pending user's own session: which account it is, and which roles it has at login. */
export async function readPendingSession(connection: Connection, ctx: StepContext): Promise<PendingSession> {
  const rows = await run<{ user: unknown; version: unknown }[]>(
    connection,
    'test query as the pending user',
    'SELECT CURRENT_USER() AS user, VERSION() AS version',
    undefined,
    ctx,
  );
  const flavor: ServerFlavor = /mariadb/i.test(String(rows[0]?.version ?? '')) ? 'mariadb' : 'mysql';
  let roles: Set<string> | undefined;
  try {
    roles = await activeRoles(connection, flavor);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new TargetOperationError(
      `reading the pending user's active roles failed${typeof code === 'string' ? `: ${code}` : ''}`,
      ctx,
      { cause: safeCause(error) },
    );
  }
  return { currentUser: String(rows[0]?.user ?? ''), activeRoles: roles };
}
