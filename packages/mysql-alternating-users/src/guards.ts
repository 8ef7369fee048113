/**
 * Confused-deputy checks: setSecret only ever acts on the alternate of the current user, on the
 * current host, with the master secret the current version names, on that same host.
 */
import { ConfusedDeputyError, type RotationErrorContext, SecretValueError } from '@rotators/core';
import { type MasterSecret, type MysqlSecret, portOf, sameHost } from './schema.ts';
import { alternateUsername } from './usernames.ts';

export function checkPendingTarget(current: MysqlSecret, pending: MysqlSecret, context: RotationErrorContext): void {
  if (pending.username !== alternateUsername(current.username)) {
    throw new ConfusedDeputyError('username', `AWSPENDING "username" must be the alternate of AWSCURRENT's user (the same name with "_clone" added or removed)`, context);
  }
  if (!sameHost(pending.host, current.host)) {
    throw new ConfusedDeputyError('host', `AWSPENDING "host" (${pending.host}) differs from AWSCURRENT "host" (${current.host})`, context);
  }
  if (portOf(pending) !== portOf(current)) {
    throw new ConfusedDeputyError('port', `AWSPENDING "port" (${portOf(pending)}) differs from AWSCURRENT "port" (${portOf(current)})`, context);
  }
  if (pending.engine !== current.engine) {
    throw new ConfusedDeputyError('engine', `AWSPENDING "engine" (${pending.engine}) differs from AWSCURRENT "engine" (${current.engine})`, context);
  }
}

/**
 * The master secret must point at the server the secret names (replicas are not followed). An
 * RDS-managed master secret names no host: that is only accepted with RDS_MANAGED_MASTER=true,
 * where the RDS API proves the server (rdsMaster.ts).
 */
export function checkMasterTarget(current: MysqlSecret, master: MasterSecret, { rdsManagedHint }: { rdsManagedHint: boolean }, context: RotationErrorContext): void {
  if (master.host === undefined) {
    throw new SecretValueError(
      ['host'],
      `the master secret ${current.masterarn} has no "host", so nothing shows it belongs to the secret's server ${current.host}:${portOf(current)}` +
        (rdsManagedHint ? '. It is an RDS-managed master secret: set RDS_MANAGED_MASTER=true to find its server through the RDS API' : ''),
      context,
    );
  }
  if (!sameHost(master.host, current.host) || portOf(master) !== portOf(current)) {
    throw new ConfusedDeputyError(
      'masterarn',
      `the master secret ${current.masterarn} names ${master.host}:${portOf(master)}, not the secret's server ${current.host}:${portOf(current)}`,
      context,
    );
  }
}
