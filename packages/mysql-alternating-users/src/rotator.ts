/**
 * MySQL / Aurora MySQL / MariaDB alternating users: `app` and `app_clone` take turns, so the
 * credentials clients still hold (AWSPREVIOUS) stay valid for a whole rotation interval.
 */
import { PendingTestFailedError, type Rotator, type StepContext, TargetConnectionError } from '@rotators/core';
import { checkMasterSecretAllowed, type TlsMode, tlsModeFor } from '@rotators/core/db';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { Connection } from 'mysql2/promise';
import { makePendingUsable, pairDifferences } from './alternation.ts';
import { readMysqlAlternatingUsersConfig } from './config.ts';
import { readPendingSession } from './defaultRoles.ts';
import {
  type ConnectFunction,
  defaultConnect,
  lockWaitSeconds,
  type Login,
  MysqlConnector,
  prepareSession,
  run,
} from './connect.ts';
import { checkHostIsEndpoint, checkMasterTarget, checkPendingTarget } from './guards.ts';
import { checkMatchedUser, type MatchedAccount, matchedAccount, splitAccount } from './loginProof.ts';
import { defaultRdsClient, isRdsManagedSecret, serverOfMasterSecret } from './rdsMaster.ts';
import { masterSecretSchema, type MysqlSecret, mysqlSecretSchema, portOf, sslOf } from './schema.ts';
import { pendingUsername } from './usernames.ts';

export interface MysqlAlternatingUsersOptions {
  /** How to open a mysql2 connection; tests wrap it to count or fail calls. */
  connect?: ConnectFunction;
  /** Environment read once, at cold start (config.ts). Default: process.env. */
  env?: Record<string, string | undefined>;
  /**
   * RDS API client for RDS-managed master secrets (RDS_MANAGED_MASTER=true). Default: one from the Lambda
   * environment.
   */
  rds?: RDSClient;
}

const login = (secret: MysqlSecret): Login => ({
  host: secret.host,
  port: portOf(secret),
  user: secret.username,
  password: secret.password,
  database: secret.dbname,
});

/** Where and how the master logs in, once its server is proven to be the secret's. */
interface MasterLogin {
  login: Login;
  /** The master secret's own "ssl". */
  ssl?: unknown;
}

export function createMysqlAlternatingUsersRotator(options: MysqlAlternatingUsersOptions = {}): Rotator<MysqlSecret> {
  const { tls, usernameLimit, adoptExisting, masters, rdsManaged } = readMysqlAlternatingUsersConfig(options.env);
  let rds = options.rds;
  const connector = new MysqlConnector(options.connect ?? defaultConnect, tls);
  /**
   * A secret's TLS mode; its "ssl": false under REQUIRE_TLS is a TlsRequiredError naming "ssl", before anything is
   * sent.
   */
  const modeOf = (secret: { ssl?: unknown }, label: string, ctx: StepContext): TlsMode =>
    tlsModeFor(sslOf(secret), tls, ctx, label);

  /**
   * With RDS_MANAGED_MASTER=true and an RDS-managed master secret: the secret's host must be an
   * endpoint of the DB that RDS says owns that master secret (rdsMaster.ts). Checked before any
   * connection; true when it was.
   */
  async function masterServerProvenByRds(current: MysqlSecret, ctx: StepContext): Promise<boolean> {
    // Before anything is done for `masterarn`, RDS lookup included.
    checkMasterSecretAllowed(current.masterarn, masters, ctx);
    if (!rdsManaged || !isRdsManagedSecret(current.masterarn)) return false;
    rds ??= await defaultRdsClient(tls.connectTimeoutSeconds);
    checkHostIsEndpoint(current, await serverOfMasterSecret(rds, current.masterarn, ctx), ctx);
    return true;
  }

  async function readMaster(current: MysqlSecret, rdsProven: boolean, ctx: StepContext): Promise<MasterLogin> {
    // Always the AWSCURRENT version's masterarn (a pending value cannot redirect the master), and
    // one the function's configuration allows.
    checkMasterSecretAllowed(current.masterarn, masters, ctx);
    const master = await ctx.readSecret(current.masterarn, masterSecretSchema);
    // An RDS-managed secret names no host: the master logs in at the secret's host, an endpoint of its own DB.
    if (!(rdsProven && master.host === undefined))
      checkMasterTarget(current, master, { rdsManagedHint: isRdsManagedSecret(current.masterarn) && !rdsManaged }, ctx);
    // The master needs no database: it only reads mysql.user and SHOW GRANTS.
    return {
      login: { host: current.host, port: portOf(current), user: master.username, password: master.password },
      ssl: master.ssl,
    };
  }

  /**
   * A master session, always with an sql_mode our escaping is safe in. Its TLS mode follows the
   * master secret's own "ssl" only: the app secret's writer must not be able to take the admin
   * password's login out of TLS.
   */
  async function withMaster<T>(
    current: MysqlSecret,
    master: MasterLogin,
    ctx: StepContext,
    work: (connection: Connection) => Promise<T>,
  ): Promise<T> {
    const mode = modeOf(master, `the master secret ${current.masterarn}`, ctx);
    return connector.with(master.login, mode, 'master secret', ctx, async (connection) => {
      await prepareSession(connection, ctx, lockWaitSeconds(tls.connectTimeoutSeconds));
      return work(connection);
    });
  }

  /** The account a login matched, or undefined when the login is refused. */
  async function matchedLogin(
    secret: MysqlSecret,
    mode: TlsMode,
    purpose: string,
    ctx: StepContext,
  ): Promise<MatchedAccount | undefined> {
    try {
      return await connector.with(login(secret), mode, purpose, ctx, (connection) => matchedAccount(connection, ctx), {
        probe: true,
      });
    } catch (error) {
      if (error instanceof TargetConnectionError) return undefined;
      throw error;
    }
  }

  /** AWSPREVIOUS's password goes out with the stricter TLS mode of the two versions: plaintext only if both say so. */
  function strictestMode(current: MysqlSecret, previous: MysqlSecret, ctx: StepContext): TlsMode {
    return modeOf(current, 'AWSCURRENT', ctx) === 'disable' && sslOf(previous) === false ? 'disable' : 'verify';
  }

  async function logsIn(secret: MysqlSecret, mode: TlsMode, purpose: string, ctx: StepContext): Promise<boolean> {
    try {
      await connector.with(login(secret), mode, purpose, ctx, async () => undefined, { probe: true });
      return true;
    } catch (error) {
      // The current login that follows reports any real failure.
      if (error instanceof TargetConnectionError) return false;
      throw error;
    }
  }

  return {
    name: 'mysql-alternating-users',
    schema: mysqlSecretSchema,
    // Everything else (host, port, engine, dbname, masterarn, ssl, unknown fields) must be equal
    // in AWSPENDING: the engine refuses a pending value that differs anywhere else.
    rotatedFields: ['username', 'password'],

    async createPending(current, ctx) {
      const username = pendingUsername(current.username, usernameLimit, ctx);
      return { ...current, username, password: await ctx.randomPassword() };
    },

    async setPending({ current, pending, previous }, ctx) {
      checkPendingTarget(current, pending, ctx);
      const currentMode = modeOf(current, 'AWSCURRENT', ctx);
      const pendingMode = modeOf(pending, 'AWSPENDING', ctx);
      const rdsProven = await masterServerProvenByRds(current, ctx);
      // A retried setSecret: the password is set last, so it is in place. Privileges may still
      // differ (a DBA changed the base user since), so the sync runs anyway; only the password
      // is skipped. Without this, every retry would skip the sync and testSecret fail again.
      const pendingLogsIn = await logsIn(pending, pendingMode, 'AWSPENDING credentials', ctx);
      if (pendingLogsIn)
        ctx.logger.info('setSecret: AWSPENDING already logs in; password left as it is, privileges checked');
      // Every time, also when AWSPENDING logs in: proves whoever wrote the secret holds the
      // current user's password before the master is used on its behalf — for the one account the
      // server matched (loginProof.ts).
      const currentAccount = await connector.with(
        login(current),
        currentMode,
        'AWSCURRENT credentials',
        ctx,
        (connection) => matchedAccount(connection, ctx),
      );
      checkMatchedUser(currentAccount, current.username, 'AWSCURRENT', ctx);
      // For a pair made before the rotator kept its record (ownership.ts): AWSPREVIOUS's password
      // logging in as the pending user is the server's proof that this secret's holder holds it.
      // Only its user name and password are used: AWSCURRENT's server, database and TLS mode.
      // Asked only for a pair with no record at all, so a normal rotation makes no extra login.
      const previousLogin = async () => {
        if (pendingLogsIn || previous?.username !== pending.username) return undefined;
        const account = await matchedLogin(
          { ...current, username: previous.username, password: previous.password },
          strictestMode(current, previous, ctx),
          'AWSPREVIOUS credentials',
          ctx,
        );
        return account?.user === pending.username ? { host: account.host, password: previous.password } : undefined;
      };
      const master = await readMaster(current, rdsProven, ctx);
      await withMaster(current, master, ctx, (connection) =>
        makePendingUsable(
          connection,
          { current, pending },
          { adoptExisting, setPassword: !pendingLogsIn, currentHost: currentAccount.host, previousLogin },
          ctx,
        ),
      );
    },

    async testPending({ current, pending }, ctx) {
      checkPendingTarget(current, pending, ctx);
      const rdsProven = await masterServerProvenByRds(current, ctx);
      const session = await connector.with(
        login(pending),
        modeOf(pending, 'AWSPENDING', ctx),
        'AWSPENDING credentials',
        ctx,
        (connection) => readPendingSession(connection, ctx),
      );
      checkMatchedUser(splitAccount(session.currentUser), pending.username, 'AWSPENDING', ctx);
      const master = await readMaster(current, rdsProven, ctx);
      const differences = await withMaster(current, master, ctx, (connection) =>
        pairDifferences(connection, pending.username, ctx, session),
      );
      if (differences.length > 0) {
        throw new PendingTestFailedError(
          `the clone's privileges differ from the base user's: ${differences.join('; ')}`,
          ctx,
        );
      }
    },

    async testConfiguration(current, ctx) {
      // RotateImmediately=false: no pending user exists. Prove what the next rotation needs: the
      // current credentials log in, and the master secret is readable, on this host, and logs in.
      const rdsProven = await masterServerProvenByRds(current, ctx);
      await connector.with(
        login(current),
        modeOf(current, 'AWSCURRENT', ctx),
        'AWSCURRENT credentials',
        ctx,
        (connection) =>
          run(connection, 'test query as the current user', 'SELECT CURRENT_USER() AS user', undefined, ctx),
      );
      const master = await readMaster(current, rdsProven, ctx);
      await withMaster(current, master, ctx, (connection) =>
        run(connection, 'test query as the master', 'SELECT CURRENT_USER() AS user', undefined, ctx),
      );
      ctx.logger.info('testSecret: configuration test passed: AWSCURRENT and the master secret log in', {
        host: current.host,
      });
    },
  };
}
