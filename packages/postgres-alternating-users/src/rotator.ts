/**
 * PostgreSQL alternating users that share one owner role: `app` and `app_clone` take turns (AWS's
 * SecretsManagerRDSPostgreSQLRotationMultiUser), both run their sessions as the NOLOGIN role
 * `app_owner`, so whatever either creates belongs to that role and both can alter and drop it.
 * Passwords reach the server only as SCRAM-SHA-256 verifiers computed here.
 */
import {
  type PasswordPolicyDefaults,
  PendingTestFailedError,
  type Rotator,
  SecretValueError,
  type StepContext,
  TargetConnectionError,
  TargetOperationError,
} from '@rotators/core';
import {
  checkMasterSecretAllowed,
  type TlsMode,
  tlsModeFor,
  isScramSafePassword,
  planVerifier,
  SERVER_FACTS_QUERY,
  scramSha256Verifier,
} from '@rotators/core/db';
import { escapeIdentifier, escapeLiteral } from '@rotators/core/postgres';
import { readPostgresAlternatingUsersConfig } from './config.ts';
import {
  connectWithPg,
  inTransaction,
  type Login,
  PostgresConnector,
  type PostgresConnect,
  type PostgresSession,
  run,
} from './connect.ts';
import { checkMasterTarget, checkPendingIsAlternate } from './guards.ts';
import { alternateUsername, type RoleNames, roleNamesOf } from './names.ts';
import { adoptionDatabases, type OwnedObjects, readOwnedObjects, reassignOwned } from './ownedObjects.ts';
import { checkEvidence, type PairState, planPair } from './plan.ts';
import { readRoles } from './roles.ts';
import {
  databaseOf,
  type MasterSecret,
  masterSecret,
  type PostgresAlternatingSecret,
  portOf,
  postgresAlternatingSecret,
} from './schema.ts';

/** AWS's PostgreSQL default: also no `:`, which would break a .pgpass line. */
export const POSTGRES_EXCLUDE_CHARACTERS = ':/@"\'\\';

export interface PostgresAlternatingUsersOptions {
  /** Environment, read once at cold start (config.ts). Default: process.env. */
  env?: Record<string, string | undefined>;
  /** Opens a session. Default: node-postgres. Tests wrap it to record, answer or fail statements. */
  connect?: PostgresConnect;
}

const loginOf = (secret: PostgresAlternatingSecret): Login => ({
  host: secret.host,
  port: portOf(secret),
  database: databaseOf(secret),
  user: secret.username,
  password: secret.password,
});
// The master connects to the database it works in: the secret's for the roles, each ADOPT_DATABASES
// entry for REASSIGN OWNED.
const masterLoginOf = (master: MasterSecret, database: string): Login => ({
  host: master.host,
  port: portOf(master),
  database,
  user: master.username,
  password: master.password,
});

export function createPostgresAlternatingUsersRotator(
  options: PostgresAlternatingUsersOptions = {},
): Rotator<PostgresAlternatingSecret> {
  const { tls, adoption, masters } = readPostgresAlternatingUsersConfig(options.env);
  const connector = new PostgresConnector(options.connect ?? connectWithPg, tls);
  const passwordDefaults: PasswordPolicyDefaults = { excludeCharacters: POSTGRES_EXCLUDE_CHARACTERS };
  /** A secret's "ssl": false under REQUIRE_TLS is a TlsRequiredError naming "ssl", before anything is sent. */
  const modeOf = (ssl: boolean | undefined, label: string, ctx: StepContext): TlsMode =>
    tlsModeFor(ssl, tls, ctx, label);

  async function readMaster(current: PostgresAlternatingSecret, ctx: StepContext): Promise<MasterSecret> {
    // Always AWSCURRENT's masterarn (the engine holds AWSPENDING's to it too), and one the
    // function's configuration allows.
    checkMasterSecretAllowed(current.masterarn, masters, ctx);
    const master = await ctx.readSecret(current.masterarn, masterSecret);
    checkMasterTarget(current, master, ctx);
    return master;
  }

  /** A master session; its TLS follows the master secret's own "ssl", never the app secret's. */
  function withMaster<T>(
    current: PostgresAlternatingSecret,
    master: MasterSecret,
    database: string,
    ctx: StepContext,
    work: (session: PostgresSession) => Promise<T>,
  ): Promise<T> {
    const mode = modeOf(master.ssl, `the master secret ${current.masterarn}`, ctx);
    return connector.with(masterLoginOf(master, database), mode, `master secret (database ${database})`, ctx, work);
  }

  async function readPair(session: PostgresSession, names: RoleNames, ctx: StepContext): Promise<PairState> {
    const roles = await readRoles(session, [names.base, names.clone, names.owner], ctx);
    return { base: roles.get(names.base), clone: roles.get(names.clone), owner: roles.get(names.owner) };
  }

  /** The adoption question, answered before any write; returns where REASSIGN OWNED must run. */
  async function checkOwnedObjects(
    session: PostgresSession,
    names: RoleNames,
    current: PostgresAlternatingSecret,
    ctx: StepContext,
  ): Promise<string[]> {
    const owned: OwnedObjects = await readOwnedObjects(session, names, ctx);
    if (owned.defaultPrivileges > 0) {
      ctx.logger.warn(
        `${names.base} / ${names.clone} have ${owned.defaultPrivileges} ALTER DEFAULT PRIVILEGES ` +
          `entr${owned.defaultPrivileges === 1 ? 'y' : 'ies'}: they do not apply to objects the owner role ` +
          `creates; repeat them FOR ROLE ${names.owner}`,
        { owner: names.owner },
      );
    }
    return adoptionDatabases(owned, names, adoption, databaseOf(current), ctx);
  }

  async function logsIn(secret: PostgresAlternatingSecret, mode: TlsMode, ctx: StepContext): Promise<boolean> {
    try {
      await connector.with(loginOf(secret), mode, 'AWSPENDING credentials', ctx, async () => undefined, {
        probe: true,
      });
      return true;
    } catch (error) {
      // The AWSCURRENT login that follows reports any real failure.
      if (error instanceof TargetConnectionError) return false;
      throw error;
    }
  }

  return {
    name: 'postgres-alternating-users',
    schema: postgresAlternatingSecret,
    // Everything else (host, port, engine, dbname, masterarn, ownerRole, ssl, unknown fields) must
    // be equal in AWSPENDING: the engine refuses a pending value that differs anywhere else.
    rotatedFields: ['username', 'password'],
    passwordDefaults,

    async createPending(current, ctx) {
      // Names first: a base name whose clone PostgreSQL would truncate is refused before any connection.
      const names = roleNamesOf(current, ctx);
      // Objects the users own decide whether the rotation may go on (ADOPT_OWNERSHIP): asked as the
      // current user (pg_shdepend is readable by every role), before anything is written.
      await connector.with(
        loginOf(current),
        modeOf(current.ssl, 'AWSCURRENT', ctx),
        'AWSCURRENT credentials',
        ctx,
        (session) => checkOwnedObjects(session, names, current, ctx),
      );
      return { ...current, username: alternateUsername(current.username), password: await ctx.randomPassword() };
    },

    async setPending({ current, pending }, ctx) {
      // Everything that can be checked without the server comes before the first connection.
      checkPendingIsAlternate(current, pending, ctx);
      const names = roleNamesOf(current, ctx);
      if (!isScramSafePassword(pending.password)) {
        throw new SecretValueError(
          ['password'],
          'AWSPENDING field "password" must be printable ASCII to be sent as a SCRAM-SHA-256 verifier',
          ctx,
        );
      }
      const currentMode = modeOf(current.ssl, 'AWSCURRENT', ctx);
      const pendingMode = modeOf(pending.ssl, 'AWSPENDING', ctx);
      // A retried setSecret: the password may be in place already. The roles are still read and
      // made right (a DBA may have changed the base user since); only the password is skipped.
      const pendingLogsIn = await logsIn(pending, pendingMode, ctx);
      if (pendingLogsIn)
        ctx.logger.info('setSecret: AWSPENDING already logs in; password left as it is, roles checked');
      // Every time: proves whoever wrote the secret holds the current user's password before the
      // master acts on its behalf.
      await connector.with(loginOf(current), currentMode, 'AWSCURRENT credentials', ctx, async () => undefined);
      const master = await readMaster(current, ctx);

      const adoptIn = await withMaster(current, master, databaseOf(current), ctx, async (session) => {
        // Reads and checks; no write before all of them passed.
        const state = await readPair(session, names, ctx);
        checkEvidence(names, state, current.ownerRole === undefined ? 'username' : 'ownerRole', ctx);
        const databases = await checkOwnedObjects(session, names, current, ctx);
        const statements = planPair(names, state, ctx);
        if (!pendingLogsIn) statements.push(await passwordStatement(session, pending, names, ctx));
        // One transaction: a stop between two statements leaves nothing half done.
        await inTransaction(session, statements, ctx);
        ctx.logger.info('setSecret: roles made right', {
          base: names.base,
          clone: names.clone,
          owner: names.owner,
          changes: statements.map((s) => s.what),
        });
        return databases;
      });
      for (const database of adoptIn) {
        await withMaster(current, master, database, ctx, (session) => reassignOwned(session, names, ctx));
        ctx.logger.warn(`ADOPT_OWNERSHIP: objects of ${names.base} and ${names.clone} moved to ${names.owner}`, {
          database,
          owner: names.owner,
        });
      }
    },

    async testPending({ current, pending }, ctx) {
      checkPendingIsAlternate(current, pending, ctx);
      const names = roleNamesOf(current, ctx);
      await connector.with(
        loginOf(pending),
        modeOf(pending.ssl, 'AWSPENDING', ctx),
        'AWSPENDING credentials',
        ctx,
        async (session) => {
          // session_user is who logged in; current_user is the role the session acts as: the owner role.
          const rows = await run(
            session,
            'test query as the pending user',
            'SELECT session_user AS "session", current_user AS "acting"',
            undefined,
            ctx,
          );
          if (rows[0]?.session !== pending.username)
            throw new PendingTestFailedError(
              `testSecret: logged in to ${pending.host}, but not as ${JSON.stringify(pending.username)}`,
              ctx,
            );
          if (rows[0]?.acting !== names.owner) {
            throw new PendingTestFailedError(
              `testSecret: sessions of ${JSON.stringify(pending.username)} act as ` +
                `${JSON.stringify(rows[0]?.acting)}, not as the owner role ${JSON.stringify(names.owner)}`,
              ctx,
            );
          }
        },
      );
      const master = await readMaster(current, ctx);
      const differences = await withMaster(current, master, databaseOf(current), ctx, async (session) => {
        const state = await readPair(session, names, ctx);
        checkEvidence(names, state, current.ownerRole === undefined ? 'username' : 'ownerRole', ctx);
        const found = planPair(names, state, ctx).map((statement) => statement.what);
        const owned = await readOwnedObjects(session, names, ctx);
        if (owned.total > 0) found.push(`${names.base} / ${names.clone} still own ${owned.total} object(s)`);
        return found;
      });
      if (differences.length > 0)
        throw new PendingTestFailedError(
          `testSecret: the roles are not as setSecret leaves them; still to do: ${differences.join('; ')}`,
          ctx,
        );
      ctx.logger.info('testSecret: AWSPENDING logs in acting as the owner role; the clone matches the base user', {
        username: pending.username,
        owner: names.owner,
      });
    },

    async testConfiguration(current, ctx) {
      // RotateImmediately=false: no pending user. Prove what the next rotation needs, writing nothing.
      const names = roleNamesOf(current, ctx);
      await connector.with(
        loginOf(current),
        modeOf(current.ssl, 'AWSCURRENT', ctx),
        'AWSCURRENT credentials',
        ctx,
        (session) => run(session, 'test query as the current user', 'SELECT session_user', undefined, ctx),
      );
      const master = await readMaster(current, ctx);
      await withMaster(current, master, databaseOf(current), ctx, async (session) => {
        checkEvidence(
          names,
          await readPair(session, names, ctx),
          current.ownerRole === undefined ? 'username' : 'ownerRole',
          ctx,
        );
        await checkOwnedObjects(session, names, current, ctx);
      });
      ctx.logger.info(
        "testSecret: configuration test passed: AWSCURRENT and the master secret log in, the roles are this secret's",
        { host: current.host },
      );
    },
  };
}

/**
 * `ALTER ROLE … [WITH LOGIN] PASSWORD '<verifier>'`, after checking the server stores a verifier as
 * is (PostgreSQL 10+) and with its iteration count. ALTER ROLE takes no bind parameters: the driver
 * quotes the identifier and the literal. The clone gets LOGIN here, with its first password.
 */
async function passwordStatement(
  session: PostgresSession,
  pending: PostgresAlternatingSecret,
  names: RoleNames,
  ctx: StepContext,
) {
  const plan = planVerifier((await run(session, 'reading the server version', SERVER_FACTS_QUERY, undefined, ctx))[0]);
  if (!plan.ok)
    throw new TargetOperationError(
      `setSecret: not setting the password of ${JSON.stringify(pending.username)} on ${pending.host}: ` +
        `${plan.reason}; nothing was changed`,
      ctx,
    );
  const verifier = scramSha256Verifier(pending.password, { iterations: plan.iterations });
  const login = pending.username === names.clone ? ' WITH LOGIN' : '';
  return {
    what: `setting the password of ${pending.username} (a SCRAM-SHA-256 verifier)`,
    sql: `ALTER ROLE ${escapeIdentifier(pending.username)}${login} PASSWORD ${escapeLiteral(verifier)}`,
  };
}
