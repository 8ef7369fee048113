/**
 * RDS-managed master secrets (`rds!cluster-…` / `rds!db-…`, written by RDS for
 * ManageMasterUserPassword) hold only `username` and `password`: nothing in them says which
 * server they belong to, and the app secret's `host` is written by whoever can write the app
 * secret — who could name a host of their own with a valid public certificate and collect the
 * master password. So the server comes from the RDS API alone: the DB cluster or DB instance whose
 * `MasterUserSecret.SecretArn` is this master secret. The app secret's host and port must be one of
 * that DB's endpoints — a cluster's writer, reader and custom endpoints and the endpoints of its
 * instances, or an instance's endpoint — else ConfusedDeputyError on `host`, before any connection
 * (guards.ts, checkHostIsEndpoint).
 *
 * Enabled by RDS_MANAGED_MASTER=true (the Terraform module then grants rds:DescribeDBClusters and
 * rds:DescribeDBInstances). The secret's tags (`aws:rds:primaryDBClusterArn`) would name the DB
 * directly, but reading them needs DescribeSecret on the master, which the engine does not offer
 * rotators; RDS's own record of the secret is the stronger evidence anyway (anyone with
 * TagResource can change a tag). The lookup lists the region's clusters and instances, page by page.
 * The RDS client is loaded by the first lookup, not at cold start (issue 13).
 */
import type { DBCluster, DBInstance, RDSClient } from '@aws-sdk/client-rds';
import { sameSecretArn } from '@rotators/core/db';
import { ConfusedDeputyError, type StepContext, TargetOperationError, safeCause } from '@rotators/core';

/** The secret's name (after `:secret:` in an ARN) starts with `rds!`, as RDS names the secrets it manages. */
export function isRdsManagedSecret(arn: string): boolean {
  const name = arn.includes(':secret:') ? arn.slice(arn.indexOf(':secret:') + ':secret:'.length) : arn;
  return name.startsWith('rds!');
}

export interface RdsServer {
  /** ARN of the DB cluster or instance the master secret belongs to. */
  resource: string;
  endpoints: { host: string; port: number }[];
}

/** The endpoints of the DB cluster or instance whose master user secret is `masterArn`, from the RDS API. */
export async function serverOfMasterSecret(rds: RDSClient, masterArn: string, ctx: StepContext): Promise<RdsServer> {
  for await (const cluster of pages<DBCluster>(rds, 'DescribeDBClusters', ctx)) {
    if (!cluster.MasterUserSecret?.SecretArn || !sameSecretArn(cluster.MasterUserSecret.SecretArn, masterArn)) continue;
    const port = cluster.Port ?? 3306;
    const endpoints = [cluster.Endpoint, cluster.ReaderEndpoint, ...(cluster.CustomEndpoints ?? [])]
      .filter((h): h is string => !!h)
      .map((host) => ({ host, port }));
    const members = new Set((cluster.DBClusterMembers ?? []).map((m) => m.DBInstanceIdentifier));
    for await (const instance of pages<DBInstance>(rds, 'DescribeDBInstances', ctx, cluster.DBClusterIdentifier)) {
      if (members.has(instance.DBInstanceIdentifier) && instance.Endpoint?.Address)
        endpoints.push({ host: instance.Endpoint.Address, port: instance.Endpoint.Port ?? port });
    }
    return { resource: cluster.DBClusterArn ?? String(cluster.DBClusterIdentifier), endpoints };
  }
  for await (const instance of pages<DBInstance>(rds, 'DescribeDBInstances', ctx)) {
    if (!instance.MasterUserSecret?.SecretArn || !sameSecretArn(instance.MasterUserSecret.SecretArn, masterArn))
      continue;
    const endpoints = instance.Endpoint?.Address
      ? [{ host: instance.Endpoint.Address, port: instance.Endpoint.Port ?? 3306 }]
      : [];
    return { resource: instance.DBInstanceArn ?? String(instance.DBInstanceIdentifier), endpoints };
  }
  throw new ConfusedDeputyError(
    'masterarn',
    `no RDS DB cluster or DB instance in this region has ${masterArn} ` +
      'as its master user secret, so its server is unknown',
    ctx,
  );
}

/** Every item of a Describe call, page by page; `clusterId` filters instances to one cluster. */
async function* pages<T>(
  rds: RDSClient,
  operation: 'DescribeDBClusters' | 'DescribeDBInstances',
  ctx: StepContext,
  clusterId?: string,
): AsyncGenerator<T> {
  const { DescribeDBClustersCommand, DescribeDBInstancesCommand } = await import('./rdsApi.ts');
  let marker: string | undefined;
  do {
    let items: T[];
    try {
      if (operation === 'DescribeDBClusters') {
        const out = await rds.send(new DescribeDBClustersCommand({ Marker: marker, MaxRecords: 100 }));
        items = (out.DBClusters ?? []) as T[];
        marker = out.Marker;
      } else {
        const filters = clusterId ? [{ Name: 'db-cluster-id', Values: [clusterId] }] : undefined;
        const out = await rds.send(
          new DescribeDBInstancesCommand({ Marker: marker, MaxRecords: 100, Filters: filters }),
        );
        items = (out.DBInstances ?? []) as T[];
        marker = out.Marker;
      }
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      throw new TargetOperationError(
        `RDS ${operation} failed: ${name} (the function needs rds:${operation} when RDS_MANAGED_MASTER=true)`,
        ctx,
        { cause: safeCause(error) },
      );
    }
    yield* items;
  } while (marker);
}

/** The production client: region and credentials from the Lambda environment; calls bounded like connections. */
export async function defaultRdsClient(timeoutSeconds: number): Promise<RDSClient> {
  const { RDSClient } = await import('./rdsApi.ts');
  return new RDSClient({
    maxAttempts: 3,
    requestHandler: { requestTimeout: timeoutSeconds * 1000, connectionTimeout: timeoutSeconds * 1000 },
  });
}
