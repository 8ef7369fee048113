/**
 * Confused-deputy checks: setSecret only ever acts on the alternate of the current user, on the
 * current host, with the master secret the current version names, on that same host (for an
 * RDS-managed master: a host that is an endpoint of the DB the RDS API says owns it).
 *
 * Checked elsewhere, because they need the server's answers: which account a login matched and
 * which accounts of a user name it proves (loginProof.ts), the ownership record of a pair
 * (ownership.ts); and MASTER_SECRET_ARNS by core (checkMasterSecretAllowed).
 */
import { ConfusedDeputyError, type RotationErrorContext, type StepContext, SecretValueError } from '@rotators/core';
import type { RdsServer } from './rdsMaster.ts';
import { type MasterSecret, type MysqlSecret, portOf, sameHost } from './schema.ts';
import { alternateUsername } from './usernames.ts';

export function checkPendingTarget(current: MysqlSecret, pending: MysqlSecret, context: RotationErrorContext): void {
  if (pending.username !== alternateUsername(current.username)) {
    throw new ConfusedDeputyError(
      'username',
      `AWSPENDING "username" must be the alternate of AWSCURRENT's user (the same name with "_clone" added or removed)`,
      context,
    );
  }
  if (!sameHost(pending.host, current.host)) {
    throw new ConfusedDeputyError(
      'host',
      `AWSPENDING "host" (${pending.host}) differs from AWSCURRENT "host" (${current.host})`,
      context,
    );
  }
  if (portOf(pending) !== portOf(current)) {
    throw new ConfusedDeputyError(
      'port',
      `AWSPENDING "port" (${portOf(pending)}) differs from AWSCURRENT "port" (${portOf(current)})`,
      context,
    );
  }
  if (pending.engine !== current.engine) {
    throw new ConfusedDeputyError(
      'engine',
      `AWSPENDING "engine" (${pending.engine}) differs from AWSCURRENT "engine" (${current.engine})`,
      context,
    );
  }
}

/**
 * The master secret must point at the server the secret names (replicas are not followed). An
 * RDS-managed master secret names no host: that is only accepted with RDS_MANAGED_MASTER=true,
 * where the RDS API proves the server (rdsMaster.ts).
 */
export function checkMasterTarget(
  current: MysqlSecret,
  master: MasterSecret,
  { rdsManagedHint }: { rdsManagedHint: boolean },
  context: RotationErrorContext,
): void {
  if (master.host === undefined) {
    throw new SecretValueError(
      ['host'],
      `the master secret ${current.masterarn} has no "host", so nothing shows ` +
        `it belongs to the secret's server ${current.host}:${portOf(current)}` +
        (rdsManagedHint
          ? '. It is an RDS-managed master secret: set RDS_MANAGED_MASTER=true to find its server through the RDS API'
          : ''),
      context,
    );
  }
  if (!sameHost(master.host, current.host) || portOf(master) !== portOf(current)) {
    throw new ConfusedDeputyError(
      'masterarn',
      `the master secret ${current.masterarn} names ${master.host}:${portOf(master)}, ` +
        `not the secret's server ${current.host}:${portOf(current)}`,
      context,
    );
  }
}

/** The app secret must name one of the master's endpoints (host without case, and port). */
export function checkHostIsEndpoint(
  current: { host: string; port?: unknown; masterarn: string },
  server: RdsServer,
  ctx: StepContext,
): void {
  const port = portOf(current);
  if (server.endpoints.some((e) => sameHost(e.host, current.host) && e.port === port)) return;
  throw new ConfusedDeputyError(
    'host',
    `"host" ${current.host}:${port} is not an endpoint of ` +
      `${server.resource}, whose master user secret is ${current.masterarn} ` +
      `(its endpoints: ${server.endpoints.map((e) => `${e.host}:${e.port}`).join(', ') || 'none'}). ` +
      'The master is used only at its own server',
    ctx,
  );
}
