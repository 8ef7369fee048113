/** What the tests of this package share: roles made without plaintext, login checks, a recording connection factory. */
import { randomBytes } from 'node:crypto';
import { createRotationHandler } from '@rotators/core';
import { scramSha256Verifier } from '@rotators/core/db';
import { ensureRotationFunction, findLeaks, rememberedSecretCount, instrumentClient, type PostgresServer, rememberSecret, RotationService, secretsManagerClient } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import pg, { escapeIdentifier, escapeLiteral } from 'pg';
import { expect } from 'vitest';
import { connectWithPg, type PostgresConnect } from '../../src/connect.ts';
import { createPostgresSingleUserRotator } from '../../src/rotator.ts';

/** PG_TEST_HOST names a server the kit did not start: no readable server log, no test CA. */
export const EXTERNAL_SERVER = Boolean(process.env.PG_TEST_HOST);
export const NEEDS_OWN_CLUSTER = '[needs the kit’s own cluster (its log, its CA): skipped when PG_TEST_HOST names an external server]';

/**
 * A per-run prefix for role names. The suite can point at a server it did not start (PG_TEST_HOST)
 * and drops the roles it creates: a fixed name like "app_user" could be someone else's role.
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

/** A login role whose password reaches the server only as a verifier (the log check covers setup too). */
export async function createLoginRole(server: PostgresServer, name: string, password: string): Promise<void> {
  await server.query(`DROP ROLE IF EXISTS ${escapeIdentifier(name)}`);
  await server.query(`CREATE ROLE ${escapeIdentifier(name)} LOGIN PASSWORD ${escapeLiteral(scramSha256Verifier(password))}`);
}

/** Set a role's password behind the rotator's back (to stage a half-done rotation). */
export async function setRolePassword(server: PostgresServer, name: string, password: string): Promise<void> {
  await server.query(`ALTER ROLE ${escapeIdentifier(name)} PASSWORD ${escapeLiteral(scramSha256Verifier(password))}`);
}

export { canLogin } from '@rotators/testkit';

export interface RecordedConnect {
  connect: PostgresConnect;
  /** One entry per connection attempt: who, which password, TLS or not, and the whole config handed to the driver. */
  attempts: Array<{ user: string; password: string; tls: boolean; config: pg.ClientConfig }>;
  /** Every statement the rotator issued on a session it opened (also those a fault answered). */
  statements: string[];
  reset(): void;
}

/** Faults and answers a test injects into the sessions the rotator opens (the rest goes to the real server). */
export interface SessionFaults {
  /** An error to throw instead of running this statement (e.g. a pg error quoting the password). */
  failWith?: (sql: string) => Error | undefined;
  /** Rows to answer instead of the server's (e.g. an old server_version_num). */
  answer?: (sql: string) => Record<string, unknown>[] | undefined;
}

/**
 * Every statement any recorder of this test file saw, never reset: the server-log checks compare
 * the log with what the rotator really sent, instead of a count each test keeps by hand.
 */
const statementsOfThisFile: string[] = [];

/** The ALTER ROLE statements the rotator sent so far in this test file. */
export function recordedAlterRoles(): string[] {
  return statementsOfThisFile.filter((sql) => sql.startsWith('ALTER ROLE'));
}

/** The production connection factory, wrapped to record what the rotator does (and inject faults). */
export function recordingConnect(faults: SessionFaults = {}): RecordedConnect {
  const attempts: RecordedConnect['attempts'] = [];
  const statements: string[] = [];
  const connect: PostgresConnect = async (config) => {
    attempts.push({ user: String(config.user), password: String(config.password), tls: config.ssl !== false && config.ssl !== undefined, config });
    const session = await connectWithPg(config);
    return {
      query: async (sql, params) => {
        statements.push(sql);
        const failure = faults.failWith?.(sql);
        if (failure) throw failure;
        const rows = faults.answer?.(sql);
        if (rows) return { rows };
        statementsOfThisFile.push(sql);
        return session.query(sql, params);
      },
      end: () => session.end(),
    };
  };
  return {
    connect,
    attempts,
    statements,
    reset() {
      attempts.length = 0;
      statements.length = 0;
    },
  };
}

/** A handler from the source, its Secrets Manager probe, the rotation service and the recording connect. */
export async function rotationSetup(env: Record<string, string | undefined>, faults: SessionFaults = {}) {
  const endpoint = motoEndpoint();
  const client = secretsManagerClient(endpoint);
  const probe = instrumentClient(client);
  const recorder = recordingConnect(faults);
  const handler = createRotationHandler(createPostgresSingleUserRotator({ env, connect: recorder.connect }), { client, env });
  const admin = secretsManagerClient(endpoint);
  const service = new RotationService({ client: admin, invoke: handler, rotationLambdaArn: await ensureRotationFunction(endpoint), maxAttempts: 1 });
  return { handler, client, admin, probe, recorder, service };
}

/**
 * The server-log check: none of the passwords this file remembered (initial ones, every generated
 * one) is in the server's log, and the log does hold the ALTER ROLE statements with verifiers, so
 * the check is not vacuous: every statement in `expected` (what was really sent; see
 * recordedAlterRoles), or, for a function whose statements the test cannot see (the zip), at least
 * that many ALTER ROLE lines.
 */
export function assertServerLogHasNoPasswords(server: PostgresServer, expected: string[] | number): void {
  const log = server.readLog();
  expect(rememberedSecretCount()).toBeGreaterThan(0);
  expect(findLeaks(log), 'passwords found in the PostgreSQL server log').toEqual([]);
  if (typeof expected === 'number') {
    expect(expected).toBeGreaterThan(0);
    const alters = log.split('\n').filter((line) => /statement: ALTER ROLE .* PASSWORD 'SCRAM-SHA-256\$\d+:/.test(line));
    expect(alters.length).toBeGreaterThanOrEqual(expected);
    return;
  }
  expect(expected.length).toBeGreaterThan(0);
  for (const sql of expected) {
    expect(sql).toMatch(/ PASSWORD 'SCRAM-SHA-256\$\d+:/);
    expect(log).toContain(`statement: ${sql}`);
  }
}
