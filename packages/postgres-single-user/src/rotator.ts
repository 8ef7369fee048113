/**
 * PostgreSQL single user: the user changes its own password (AWS's
 * SecretsManagerRDSPostgreSQLRotationSingleUser), with the password sent only as a SCRAM-SHA-256
 * verifier computed here, so neither the wire nor the server's statement log sees the plaintext.
 */
import {
  type ConfusedDeputyError,
  PendingTestFailedError,
  type PasswordPolicyDefaults,
  type Rotator,
  SecretValueError,
  type StepContext,
  TargetConnectionError,
  TargetOperationError,
  safeCause,
} from '@rotators/core';
import { isScramSafePassword, planVerifier, scramSha256Verifier, SERVER_FACTS_QUERY } from '@rotators/core/db';
import { escapeIdentifier, escapeLiteral } from '@rotators/core/postgres';
import { readPostgresSingleUserConfig } from './config.ts';
import {
  connectWithPg,
  login,
  POSTGRES_WRONG_PASSWORD_CODE,
  type PostgresConnect,
  type PostgresSession,
  withSession,
} from './connect.ts';
import { differingTargetField, otherTargetError, withTlsOf } from './guards.ts';
import { type PostgresSecret, postgresSecret } from './schema.ts';

/** AWS's PostgreSQL default: also no `:`, which would break a .pgpass line. */
export const POSTGRES_EXCLUDE_CHARACTERS = ':/@"\'\\';

export interface PostgresSingleUserOptions {
  /**
   * Environment for the TLS settings (REQUIRE_TLS, TLS_CA_BUNDLE_PATH, CONNECT_TIMEOUT_SECONDS;
   * config.ts). Default: process.env.
   */
  env?: Record<string, string | undefined>;
  /** Opens a session. Default: node-postgres. */
  connect?: PostgresConnect;
}

export function createPostgresSingleUserRotator(options: PostgresSingleUserOptions = {}): Rotator<PostgresSecret> {
  // Read once, at cold start: a bad value fails the function before any rotation.
  const { tls } = readPostgresSingleUserConfig(options.env);
  const connect = options.connect ?? connectWithPg;
  const passwordDefaults: PasswordPolicyDefaults = { excludeCharacters: POSTGRES_EXCLUDE_CHARACTERS };

  const loginAs = (secret: PostgresSecret, purpose: string, ctx: StepContext, probe = false) =>
    login(secret, { tls, connect, logger: ctx.logger, errorContext: ctx, purpose, probe });

  return {
    name: 'postgres-single-user',
    schema: postgresSecret,
    rotatedFields: ['password'],
    passwordDefaults,

    async createPending(current, ctx) {
      return { ...current, password: await ctx.randomPassword() };
    },

    async setPending({ current, pending, previous, newerUnlabelled }, ctx) {
      // Everything that can be checked without the server is checked before the first connection
      // (the engine has already held every field of AWSPENDING but the password to AWSCURRENT's).
      if (!isScramSafePassword(pending.password)) {
        throw new SecretValueError(
          ['password'],
          'AWSPENDING field "password" must be printable ASCII to be sent as a SCRAM-SHA-256 verifier',
          ctx,
        );
      }

      const already = await tryLogin(() => loginAs(pending, 'AWSPENDING credentials', ctx, true), pending, ctx);
      if (already) {
        await withSession(already, async () => undefined);
        ctx.logger.info('setSecret: AWSPENDING already logs in; the password is set', {
          username: pending.username,
          host: pending.host,
        });
        return;
      }

      const tried = ['AWSPENDING', 'AWSCURRENT'];
      let session = await tryLogin(() => loginAs(current, 'AWSCURRENT credentials', ctx), current, ctx);
      // Set when AWSPREVIOUS names another role, server or database: reported only if no version logs in.
      let previousRefused: ConfusedDeputyError | undefined;
      if (!session && previous) {
        // A rotation that failed halfway last time: the server may still hold AWSPREVIOUS's password.
        previousRefused = otherTargetError(previous, pending, 'AWSPREVIOUS', 'AWSPENDING', ctx);
        if (previousRefused) {
          // The secret was re-pointed (an operator put a version naming another role, host, port or
          // database) or tampered with: this password is never sent. A rotation abandoned since then
          // can still be recovered from the versions below.
          ctx.logger.warn(
            `setSecret: AWSPREVIOUS names another ${previousRefused.field} than AWSPENDING; its password is not tried`,
            { field: previousRefused.field },
          );
        } else {
          const previousWithCurrentTls = withTlsOf(current, previous);
          tried.push('AWSPREVIOUS');
          session = await tryLogin(
            () => loginAs(previousWithCurrentTls, 'AWSPREVIOUS credentials', ctx),
            previousWithCurrentTls,
            ctx,
          );
        }
      }
      if (!session && newerUnlabelled) {
        // A rotation abandoned after its setSecret (its AWSPENDING label moved to a new rotation, or
        // removed by hand): the server holds the password of a version no label names any more. The
        // engine held these versions to AWSCURRENT as it holds AWSPENDING; the role, server and
        // database are checked again here, as for AWSPREVIOUS, because this is what the password is
        // sent to: only ever the secret's own role on the secret's own server.
        for (const version of await newerUnlabelled()) {
          const differs = differingTargetField(version.value, current);
          if (differs) {
            ctx.logger.warn(
              `setSecret: version ${version.versionId} (no staging label) names another ${differs} than AWSCURRENT; ` +
                `its password is not tried`,
              { versionId: version.versionId, field: differs },
            );
            continue;
          }
          const candidate = withTlsOf(current, version.value);
          tried.push(`version ${version.versionId} (no staging label)`);
          session = await tryLogin(
            () => loginAs(candidate, `credentials of version ${version.versionId} (no staging label)`, ctx),
            candidate,
            ctx,
          );
          if (session) {
            ctx.logger.info(
              `setSecret: logged in with version ${version.versionId}, which no staging label holds (a rotation ` +
                `abandoned after its setSecret)`,
              { versionId: version.versionId },
            );
            break;
          }
        }
      }
      if (!session) {
        // Nothing logged in: an AWSPREVIOUS naming another target is what most likely needs a look.
        if (previousRefused) throw previousRefused;
        throw new TargetConnectionError(
          'authentication',
          `setSecret: unable to log in to ${pending.host} as "${pending.username}" with the password of ` +
            `${tried.slice(0, -1).join(', ')} or ${tried.at(-1)}`,
          ctx,
          { code: POSTGRES_WRONG_PASSWORD_CODE },
        );
      }

      const iterations = await withSession(session, async (session) => {
        try {
          // A role may carry a default `SET role` (ALTER ROLE app SET role TO owner): its sessions then
          // run as another role, and ALTER ROLE on its own name would be refused or act with that role's
          // rights. Back to the role we logged in as first.
          await session.query('SET ROLE NONE');
          // Old servers would store the verifier as if it were the password; PG 16+ may ask for more iterations.
          const plan = planVerifier((await session.query(SERVER_FACTS_QUERY)).rows[0]);
          if (!plan.ok) {
            throw new TargetOperationError(
              `setSecret: not changing the password of "${pending.username}" on ${pending.host}: ${plan.reason}`,
              ctx,
            );
          }
          // ALTER ROLE takes no bind parameters: the driver quotes the identifier and the literal.
          const verifier = scramSha256Verifier(pending.password, { iterations: plan.iterations });
          await session.query(`ALTER ROLE ${escapeIdentifier(pending.username)} PASSWORD ${escapeLiteral(verifier)}`);
          return plan.iterations;
        } catch (error) {
          if (error instanceof TargetOperationError) throw error;
          throw new TargetOperationError(
            `setSecret: changing the password of "${pending.username}" on ${pending.host} failed (SET ROLE NONE, the ` +
              `server check or ALTER ROLE; the cause has the SQLSTATE)`,
            ctx,
            { cause: safeCause(error) },
          );
        }
      });
      ctx.logger.info('setSecret: password set (sent as a SCRAM-SHA-256 verifier)', {
        username: pending.username,
        host: pending.host,
        iterations,
      });
    },

    async testPending({ pending }, ctx) {
      await withSession(await loginAs(pending, 'AWSPENDING credentials', ctx), async (session) => {
        try {
          // session_user, the role we logged in as: current_user is another role when this one has a
          // default `SET role`, and the check would fail after the password already changed.
          const { rows } = await session.query('SELECT session_user AS "user", now() AS "now"');
          if (rows[0]?.user !== pending.username) {
            throw new PendingTestFailedError(
              `testSecret: logged in to ${pending.host}, but not as "${pending.username}"`,
              ctx,
            );
          }
        } catch (error) {
          if (error instanceof PendingTestFailedError) throw error;
          throw new PendingTestFailedError(
            `testSecret: a query as "${pending.username}" on ${pending.host} failed`,
            ctx,
            { cause: safeCause(error) },
          );
        }
      });
      ctx.logger.info('testSecret: AWSPENDING logs in and runs a query', {
        username: pending.username,
        host: pending.host,
      });
    },
  };
}

/**
 * A wrong password (28P01) returns undefined, so the next version can be tried. Anything else
 * would fail the same way for every version, so it ends the step at once with its kind: network,
 * timeout, TLS, server trouble, and 28000 (no such role, role may not log in, no pg_hba.conf rule
 * for this connection): trying the other passwords would only hide that behind "authentication".
 */
async function tryLogin(
  attempt: () => Promise<PostgresSession>,
  secret: PostgresSecret,
  ctx: StepContext,
): Promise<PostgresSession | undefined> {
  try {
    return await attempt();
  } catch (error) {
    if (!(error instanceof TargetConnectionError) || error.kind !== 'authentication') throw error;
    if (error.code === POSTGRES_WRONG_PASSWORD_CODE) return undefined;
    throw new TargetConnectionError(
      'authentication',
      `${ctx.step}: ${secret.host} refused "${secret.username}" whatever the password: the role does not exist or ` +
        `may not log in, or no pg_hba.conf rule admits the connection (e.g. a hostssl rule refusing plaintext); ` +
        `no other version was tried`,
      ctx,
      { code: error.code, cause: error },
    );
  }
}
