/** What the tests of this package share: roles made without plaintext, login checks, a recording connection factory. */
import { createRotationHandler } from '@rotators/core';
import { scramSha256Verifier } from '@rotators/core/db';
import {
  ensureRotationFunction,
  instrumentClient,
  type PostgresServer,
  RotationService,
  secretsManagerClient,
} from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import type pg from 'pg';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { connectWithPg, type PostgresConnect } from '../../src/connect.ts';
import { createPostgresSingleUserRotator } from '../../src/rotator.ts';

export {
  assertServerLogHasNoPasswords,
  caFileOf,
  RUN_ID,
  roleName,
  testPassword,
} from '@rotators/testkit/vitest/postgres';

/** PG_TEST_HOST names a server the kit did not start: no readable server log, no test CA. */
export const EXTERNAL_SERVER = Boolean(process.env.PG_TEST_HOST);
export const NEEDS_OWN_CLUSTER =
  '[needs the kit’s own cluster (its log, its CA): skipped when PG_TEST_HOST names an external server]';

/** A login role whose password reaches the server only as a verifier (the log check covers setup too). */
export async function createLoginRole(server: PostgresServer, name: string, password: string): Promise<void> {
  await server.query(`DROP ROLE IF EXISTS ${escapeIdentifier(name)}`);
  await server.query(
    `CREATE ROLE ${escapeIdentifier(name)} LOGIN PASSWORD ${escapeLiteral(scramSha256Verifier(password))}`,
  );
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
    attempts.push({
      user: String(config.user),
      password: String(config.password),
      tls: config.ssl !== false && config.ssl !== undefined,
      config,
    });
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
  const handler = createRotationHandler(createPostgresSingleUserRotator({ env, connect: recorder.connect }), {
    client,
    env,
  });
  const admin = secretsManagerClient(endpoint);
  const service = new RotationService({
    client: admin,
    invoke: handler,
    rotationLambdaArn: await ensureRotationFunction(endpoint),
    maxAttempts: 1,
  });
  return { handler, client, admin, probe, recorder, service };
}
