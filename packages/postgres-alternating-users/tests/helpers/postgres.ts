/**
 * What the tests of this package share: a master like RDS's (CREATEROLE, not a superuser), login
 * roles made without plaintext, secrets for them, sessions as any user, and a recording connection
 * factory that can answer or fail any statement the rotator sends.
 */
import { createRotationHandler } from '@rotators/core';
import { scramSha256Verifier } from '@rotators/core/db';
import {
  createSecret,
  ensureRotationFunction,
  instrumentClient,
  type PostgresServer,
  RotationService,
  secretsManagerClient,
} from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { caFileOf, roleName, testPassword } from '@rotators/testkit/vitest/postgres';
import pg, { escapeIdentifier, escapeLiteral } from 'pg';
import { connectWithPg, type PostgresConnect } from '../../src/connect.ts';
import { createPostgresAlternatingUsersRotator } from '../../src/rotator.ts';

export {
  assertServerLogHasNoPasswords,
  caFileOf,
  RUN_ID,
  roleName,
  testPassword,
} from '@rotators/testkit/vitest/postgres';

export { canLogin } from '@rotators/testkit';

/** PG_TEST_HOST names a server the kit did not start: no readable server log, maybe no CA. */
export const EXTERNAL_SERVER = Boolean(process.env.PG_TEST_HOST);
export const NEEDS_OWN_CLUSTER =
  '[needs the kit’s own cluster (its log): skipped when PG_TEST_HOST names an external server]';

export const id = escapeIdentifier;

/** The function's environment: the test CA, or plaintext allowed by the operator when the server has none we know. */
export function baseEnv(
  server: PostgresServer,
  extra: Record<string, string> = {},
): Record<string, string | undefined> {
  const caFile = caFileOf(server);
  return { ...(caFile ? { TLS_CA_BUNDLE_PATH: caFile } : { REQUIRE_TLS: 'false' }), ...extra };
}

/** A login role whose password reaches the server only as a verifier. */
export async function createLoginRole(
  server: PostgresServer,
  name: string,
  password: string,
  attributes = '',
): Promise<void> {
  await server.query(
    `CREATE ROLE ${id(name)} LOGIN ${attributes} PASSWORD ${escapeLiteral(scramSha256Verifier(password))}`,
  );
}

export interface Master {
  username: string;
  password: string;
}

/**
 * The master: on the kit's cluster a CREATEROLE, CREATEDB role that is not a superuser (what RDS's
 * master is as far as these statements go); on an external server its admin.
 */
export async function createMaster(server: PostgresServer): Promise<Master> {
  if (server.external)
    return {
      username: process.env.PG_TEST_ADMIN_USER ?? 'postgres',
      password: process.env.PG_TEST_ADMIN_PASSWORD ?? '',
    };
  const master = { username: roleName('master'), password: testPassword() };
  await createLoginRole(server, master.username, master.password, 'CREATEROLE CREATEDB');
  // RDS's master owns the databases it created; here it may at least create in the app's database
  // (moving a schema to another owner needs CREATE on its database).
  await server.query(`GRANT CREATE ON DATABASE postgres TO ${id(master.username)}`);
  return master;
}

/** A session as `user` on the test server (verified TLS when the CA is known). */
export async function sessionAs(
  server: PostgresServer,
  user: string,
  password: string,
  database = 'postgres',
): Promise<pg.Client> {
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user,
    password,
    database,
    ssl: server.caCert ? { ca: server.caCert, rejectUnauthorized: true } : false,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Run `sql` as `user`, then close. */
export async function runAs(
  server: PostgresServer,
  user: string,
  password: string,
  sql: string,
  database = 'postgres',
): Promise<pg.QueryResult> {
  const client = await sessionAs(server, user, password, database);
  try {
    return await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface RecordedConnect {
  connect: PostgresConnect;
  /** Every statement sent on a session the rotator opened, in order (also those a fault answered). */
  statements: string[];
  /** The users that logged in (or tried to), in order. */
  logins: string[];
  reset(): void;
}

export interface SessionFaults {
  /** An error to throw instead of running this statement (index = its position among all statements recorded). */
  failWith?: (sql: string, index: number) => Error | undefined;
  /** An error to throw after the server ran this statement: its reply is lost (e.g. a COMMIT that happened). */
  failAfter?: (sql: string, index: number) => Error | undefined;
}

/** Every statement of this test file, never reset: the server-log check compares the log with it. */
const statementsOfThisFile: string[] = [];
export const recordedPasswordStatements = () =>
  statementsOfThisFile.filter((sql) => / PASSWORD 'SCRAM-SHA-256\$/.test(sql));

/** Statements that change something (the reads are SELECTs). */
export const isWrite = (sql: string) => !/^(SELECT|BEGIN|COMMIT)\b/.test(sql);

export function recordingConnect(faults: SessionFaults = {}): RecordedConnect {
  const statements: string[] = [];
  const logins: string[] = [];
  const connect: PostgresConnect = async (config) => {
    logins.push(String(config.user));
    const session = await connectWithPg(config);
    return {
      query: async (sql, params) => {
        statements.push(sql);
        const failure = faults.failWith?.(sql, statements.length - 1);
        if (failure) throw failure;
        statementsOfThisFile.push(sql);
        const result = await session.query(sql, params);
        const lost = faults.failAfter?.(sql, statements.length - 1);
        if (lost) throw lost;
        return result;
      },
      end: () => session.end(),
    };
  };
  return {
    connect,
    statements,
    logins,
    reset() {
      statements.length = 0;
      logins.length = 0;
    },
  };
}

export interface PairSecret {
  engine: string;
  host: string;
  port: number;
  username: string;
  password: string;
  dbname?: string;
  masterarn: string;
  ownerRole?: string;
  ssl: boolean;
  [extra: string]: unknown;
}

/** A handler from the source with a recording connect, its Secrets Manager probe, and the rotation service. */
export async function rotationSetup(
  env: Record<string, string | undefined>,
  faults: SessionFaults = {},
  maxAttempts = 1,
) {
  const endpoint = motoEndpoint();
  const client = secretsManagerClient(endpoint);
  const probe = instrumentClient(client);
  const recorder = recordingConnect(faults);
  const handler = createRotationHandler(createPostgresAlternatingUsersRotator({ env, connect: recorder.connect }), {
    client,
    env,
  });
  const admin = secretsManagerClient(endpoint);
  const service = new RotationService({
    client: admin,
    invoke: handler,
    rotationLambdaArn: await ensureRotationFunction(endpoint),
    maxAttempts,
  });
  return { handler, client, admin, probe, recorder, service };
}

/** The master secret (host and port of the server) and a secret for `username`. */
export async function createSecrets(
  server: PostgresServer,
  admin: ReturnType<typeof secretsManagerClient>,
  master: Master,
  user: { username: string; password: string },
  extra: Record<string, unknown> = {},
): Promise<{ secretId: string; masterArn: string }> {
  const ssl = caFileOf(server) !== undefined;
  const masterArn = await createSecret(
    admin,
    {
      engine: 'postgres',
      host: server.host,
      port: server.port,
      username: master.username,
      password: master.password,
      ssl,
    },
    'pg-alt-master',
  );
  const secretId = await createSecret(
    admin,
    {
      engine: 'postgres',
      host: server.host,
      port: server.port,
      dbname: 'postgres',
      username: user.username,
      password: user.password,
      masterarn: masterArn,
      ssl,
      ...extra,
    },
    'pg-alt',
  );
  return { secretId, masterArn };
}

/** What the server says about a role: attributes, comment, settings, memberships. */
export async function roleFacts(server: PostgresServer, name: string) {
  const { rows } = await server.query(
    `SELECT rolname, rolcanlogin, rolinherit, rolcreatedb, rolcreaterole, rolconnlimit, rolconfig, ` +
      `shobj_description(oid, 'pg_authid') AS comment,
            ARRAY(SELECT g.rolname || CASE WHEN a.admin_option THEN ' (admin)' ELSE '' END ` +
      `FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid WHERE a.member = r.oid ORDER BY 1) AS member_of
       FROM pg_roles r WHERE rolname = $1`,
    [name],
  );
  return rows[0] as
    | {
        rolname: string;
        rolcanlogin: boolean;
        rolinherit: boolean;
        rolcreatedb: boolean;
        rolcreaterole: boolean;
        rolconnlimit: number;
        rolconfig: string[] | null;
        comment: string | null;
        member_of: string[];
      }
    | undefined;
}

export async function roleExists(server: PostgresServer, name: string): Promise<boolean> {
  return (await server.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount === 1;
}
