/**
 * An account's TLS requirement (REQUIRE NONE / SSL / X509 / CIPHER … ISSUER … SUBJECT …), read
 * from mysql.user with the rest of the account (accounts.ts) and copied to the clone with ALTER
 * USER, values bound.
 */
import type { StepContext } from '@rotators/core';
import type { Connection } from 'mysql2/promise';
import { account, run } from './connect.ts';

export interface TlsRequirement {
  type: string;
  cipher: string;
  issuer: string;
  subject: string;
}

export function sameRequirement(a: TlsRequirement | undefined, b: TlsRequirement | undefined): boolean {
  return !!a && !!b && a.type === b.type && a.cipher === b.cipher && a.issuer === b.issuer && a.subject === b.subject;
}

export function describeRequirement(requirement: TlsRequirement | undefined): string {
  if (!requirement) return 'no account';
  const { type } = requirement;
  return type === ''
    ? 'REQUIRE NONE'
    : type === 'ANY'
      ? 'REQUIRE SSL'
      : type === 'X509'
        ? 'REQUIRE X509'
        : 'REQUIRE SPECIFIED';
}

/** ALTER USER `user`@`host` REQUIRE … so that the account requires what `requirement` says. */
export async function applyRequirement(
  connection: Connection,
  user: string,
  host: string,
  requirement: TlsRequirement,
  ctx: StepContext,
): Promise<void> {
  const parts: string[] = [];
  const values: string[] = [];
  if (requirement.type === 'SPECIFIED') {
    for (const [keyword, value] of [
      ['CIPHER', requirement.cipher],
      ['ISSUER', requirement.issuer],
      ['SUBJECT', requirement.subject],
    ] as const) {
      if (value) {
        parts.push(`${keyword} ?`);
        values.push(value);
      }
    }
  }
  const clause =
    requirement.type === ''
      ? 'NONE'
      : requirement.type === 'ANY'
        ? 'SSL'
        : requirement.type === 'X509' || parts.length === 0
          ? 'X509'
          : parts.join(' AND ');
  await run(
    connection,
    `copying the TLS requirement to ${user}@${host}`,
    `ALTER USER ${account(user, host)} REQUIRE ${clause}`,
    values,
    ctx,
  );
}
