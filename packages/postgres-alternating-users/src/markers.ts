/**
 * What proves a clone or owner role is this rotator's, for this secret: a comment on the role
 * (COMMENT ON ROLE, pg_shdescription) that the master writes in the same transaction that creates
 * the role, naming the base user and the secret's ARN.
 *
 * Why this evidence: whoever can write the secret can write any version of it, so the secret
 * cannot vouch for a role; the server can. A comment on a role can be written only by a superuser or
 * a role with CREATEROLE (PostgreSQL 15; from 16 also ADMIN OPTION on that role), the same people
 * who can create or alter the role anyway — never give an application user CREATEROLE. The
 * comment names the secret, so a second secret cannot take over another secret's roles by naming
 * them (`username: other_clone`, `ownerRole: other_owner`), and an existing role nobody marked (an
 * unrelated `app_clone`, a powerful `ownerRole` such as pg_read_all_data or a team role) is never
 * granted, given a password or altered: refused before any statement.
 *
 * The base user needs no mark: every rotation first logs in as AWSCURRENT, so the writer proves
 * they hold that user's password; the pending base user (rotation 2, 4, …) gets a password only
 * when the clone AWSCURRENT names carries this secret's mark, i.e. the rotator made it while this
 * secret's AWSCURRENT was the base user.
 */
import { escapeIdentifier, escapeLiteral } from '@rotators/core/postgres';

export type MarkedKind = 'owner role' | 'clone';

export function marker(kind: MarkedKind, base: string, secretArn: string): string {
  return `rotators/postgres-alternating-users: ${kind} of ${JSON.stringify(base)} for secret ${secretArn}`;
}

export function commentStatement(role: string, text: string): string {
  return `COMMENT ON ROLE ${escapeIdentifier(role)} IS ${escapeLiteral(text)}`;
}
