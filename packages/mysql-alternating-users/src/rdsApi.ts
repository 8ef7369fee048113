/**
 * The part of @aws-sdk/client-rds this rotator calls, in a module of its own that rdsMaster.ts
 * imports on first use: a dynamic import of the package itself would bundle every RDS command.
 */
export { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
