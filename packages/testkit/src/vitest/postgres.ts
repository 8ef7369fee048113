/**
 * What the PostgreSQL rotators' tests share: a per-run prefix for role names, passwords the leak
 * guards watch, the CA that verifies the server, and the server-log check.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { findLeaks, rememberedSecretCount, rememberSecret } from '../logCapture.ts';
import type { PostgresServer } from '../postgres.ts';

/**
 * A per-run prefix for role names. The suites can point at a server they did not start
 * (PG_TEST_HOST) and drop the roles they create: a fixed name like "app_user" could be someone else's.
 */
export const RUN_ID = `rt${randomBytes(3).toString('hex')}`;

/** `base` with this run's prefix: for roles whose name is not itself what a test is about. */
export function roleName(base: string): string {
  return `${RUN_ID}_${base}`;
}

/** A password the leak guards watch for (Lambda output and the server log). */
export function testPassword(): string {
  const password = `T${randomBytes(18).toString('base64url')}`;
  rememberSecret(password);
  return password;
}

/** The CA file that verifies the server, when the tests know one. */
export function caFileOf(server: PostgresServer): string | undefined {
  return server.certificates?.caCertFile ?? process.env.PG_TEST_CA_FILE;
}

/**
 * The server-log check: none of the passwords this test file remembered (initial ones, every
 * generated one) is in the server's log, and the log does hold the password statements with
 * verifiers, so the check is not vacuous: every statement in `expected` (what was really sent), or,
 * for a function whose statements the test cannot see (the zip), at least that many ALTER ROLE lines.
 */
export function assertServerLogHasNoPasswords(server: PostgresServer, expected: string[] | number): void {
  const log = server.readLog();
  expect(rememberedSecretCount()).toBeGreaterThan(0);
  expect(findLeaks(log), 'passwords found in the PostgreSQL server log').toEqual([]);
  if (typeof expected === 'number') {
    expect(expected).toBeGreaterThan(0);
    const alters = log
      .split('\n')
      .filter((line) => /statement: ALTER ROLE .* PASSWORD 'SCRAM-SHA-256\$\d+:/.test(line));
    expect(alters.length).toBeGreaterThanOrEqual(expected);
    return;
  }
  expect(expected.length).toBeGreaterThan(0);
  for (const sql of expected) {
    expect(sql).toMatch(/ PASSWORD 'SCRAM-SHA-256\$\d+:/);
    expect(log).toContain(`statement: ${sql}`);
  }
}
