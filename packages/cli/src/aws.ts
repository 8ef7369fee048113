/**
 * The AWS calls the CLI makes besides the engine's own: secret metadata (DescribeSecret,
 * ListSecrets, ListSecretVersionIds), the rotation function's configuration, its log group, and
 * the two label changes an operator makes by hand (remove a stale AWSPENDING, turn rotation back
 * on). Secret values are never read here: they go through core's SecretsGateway (versions.ts).
 */
import { CloudWatchLogsClient, FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DescribeSecretCommand,
  type DescribeSecretResponse,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  type SecretListEntry,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { CliError, UsageError } from './errors.ts';

export interface AwsTarget {
  /** One endpoint for every service (a local emulator); undefined: AWS's own. */
  endpoint?: string;
  region?: string;
}

export interface Clients {
  secrets: SecretsManagerClient;
  lambda: LambdaClient;
  logs: CloudWatchLogsClient;
  region: string;
  endpoint?: string;
}

const REQUEST_HANDLER = { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true } as const;

export async function createClients(target: AwsTarget, env: Record<string, string | undefined>): Promise<Clients> {
  const region = target.region ?? (env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || undefined);
  const common = { endpoint: target.endpoint, region, maxAttempts: 5, requestHandler: REQUEST_HANDLER };
  const secrets = new SecretsManagerClient(common);
  let resolved: string;
  try {
    // Falls back to the shared config file (AWS_PROFILE); a machine with none has no region at all.
    resolved = await secrets.config.region();
  } catch {
    throw new UsageError('no AWS region: pass --region (e.g. --region eu-west-1) or set AWS_REGION');
  }
  if (!resolved) throw new UsageError('no AWS region: pass --region (e.g. --region eu-west-1) or set AWS_REGION');
  const withRegion = { ...common, region: resolved };
  return {
    secrets,
    lambda: new LambdaClient(withRegion),
    logs: new CloudWatchLogsClient(withRegion),
    region: resolved,
    endpoint: target.endpoint,
  };
}

export function destroyClients(clients: Clients): void {
  clients.secrets.destroy();
  clients.lambda.destroy();
  clients.logs.destroy();
}

/** What DescribeSecret / ListSecrets say about a secret, never its value. */
export interface SecretInfo {
  arn: string;
  name: string;
  /** undefined: rotation was never configured (DescribeSecret leaves the field out). */
  rotationEnabled?: boolean;
  rotationLambdaArn?: string;
  rules: { automaticallyAfterDays?: number; scheduleExpression?: string; duration?: string };
  lastRotated?: Date;
  nextRotation?: Date;
  created?: Date;
  /** Version id → staging labels. */
  stages: Record<string, string[]>;
}

function toInfo(entry: DescribeSecretResponse | SecretListEntry, fallbackId: string): SecretInfo {
  const stages =
    ('VersionIdsToStages' in entry ? entry.VersionIdsToStages : undefined) ??
    ('SecretVersionsToStages' in entry ? entry.SecretVersionsToStages : undefined) ??
    {};
  const rules = entry.RotationRules ?? {};
  return {
    arn: entry.ARN ?? fallbackId,
    name: entry.Name ?? fallbackId,
    rotationEnabled: entry.RotationEnabled,
    rotationLambdaArn: entry.RotationLambdaARN || undefined,
    rules: {
      // moto reports 0 when only a schedule expression was given.
      automaticallyAfterDays: rules.AutomaticallyAfterDays || undefined,
      scheduleExpression: rules.ScheduleExpression || undefined,
      duration: rules.Duration || undefined,
    },
    lastRotated: entry.LastRotatedDate,
    nextRotation: entry.NextRotationDate,
    created: entry.CreatedDate,
    stages,
  };
}

export async function describeSecret(clients: Clients, secretId: string): Promise<SecretInfo> {
  try {
    return toInfo(await clients.secrets.send(new DescribeSecretCommand({ SecretId: secretId })), secretId);
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') {
      throw new UsageError(
        `no secret "${secretId}" in ${clients.region}${clients.endpoint ? ` at ${clients.endpoint}` : ''}`,
      );
    }
    throw new AwsCallError('DescribeSecret', error);
  }
}

/** Every secret with rotation turned on, page by page (ListSecrets returns the same metadata as DescribeSecret). */
export async function listRotatingSecrets(clients: Clients, onPage?: (seen: number) => void): Promise<SecretInfo[]> {
  const found: SecretInfo[] = [];
  let seen = 0;
  let nextToken: string | undefined;
  do {
    const page = await clients.secrets
      .send(new ListSecretsCommand({ MaxResults: 100, NextToken: nextToken }))
      .catch((error) => {
        throw new AwsCallError('ListSecrets', error);
      });
    for (const entry of page.SecretList ?? []) {
      seen += 1;
      if (entry.RotationEnabled === true && entry.ARN) found.push(toInfo(entry, entry.ARN));
    }
    onPage?.(seen);
    nextToken = page.NextToken || undefined;
  } while (nextToken);
  return found;
}

/** When each labelled version was created (ListSecretVersionIds). */
export async function versionDates(clients: Clients, arn: string): Promise<Map<string, Date | undefined>> {
  const dates = new Map<string, Date | undefined>();
  let nextToken: string | undefined;
  do {
    const page = await clients.secrets
      .send(new ListSecretVersionIdsCommand({ SecretId: arn, MaxResults: 100, NextToken: nextToken }))
      .catch((error) => {
        throw new AwsCallError('ListSecretVersionIds', error);
      });
    for (const version of page.Versions ?? []) if (version.VersionId) dates.set(version.VersionId, version.CreatedDate);
    nextToken = page.NextToken || undefined;
  } while (nextToken);
  return dates;
}

export interface FunctionInfo {
  arn: string;
  name: string;
  timeoutSeconds?: number;
  /** The rotator the function was built from, when its configuration says (Terraform sets both). */
  rotator?: string;
  environment?: Record<string, string>;
  logGroup: string;
  /** Why the configuration could not be read (then only the name, from the ARN, is known). */
  unreadable?: string;
}

export function functionNameOf(arn: string): string {
  // arn:aws:lambda:region:account:function:name[:qualifier]
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts.length >= 7 ? parts[6]! : arn;
}

export async function readFunction(clients: Clients, arn: string): Promise<FunctionInfo> {
  const name = functionNameOf(arn);
  try {
    const config = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: arn }));
    const environment = config.Environment?.Variables ?? {};
    const described = /^Secrets Manager rotation: ([a-z][a-z0-9-]*)$/.exec(config.Description ?? '')?.[1];
    return {
      arn,
      name: config.FunctionName ?? name,
      timeoutSeconds: config.Timeout,
      rotator: described ?? environment.POWERTOOLS_SERVICE_NAME,
      environment,
      logGroup: config.LoggingConfig?.LogGroup ?? `/aws/lambda/${config.FunctionName ?? name}`,
    };
  } catch (error) {
    return { arn, name, logGroup: `/aws/lambda/${name}`, unreadable: describeAwsError(error) };
  }
}

/** Log events matching a quoted term since `since` (bounded: at most `maxPages` pages). */
export async function filterLogEvents(
  clients: Clients,
  logGroup: string,
  term: string,
  since: Date,
  maxPages = 10,
): Promise<FilteredLogEvent[]> {
  const events: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await clients.logs.send(
      new FilterLogEventsCommand({
        logGroupName: logGroup,
        filterPattern: JSON.stringify(term),
        startTime: since.getTime(),
        nextToken,
      }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken || undefined;
    pages += 1;
  } while (nextToken && pages < maxPages);
  return events;
}

/**
 * What Secrets Manager does once a rotation has succeeded, and what AWS's troubleshooting page says
 * to do with a stale one.
 */
export async function removePendingLabel(clients: Clients, arn: string, versionId: string): Promise<void> {
  await clients.secrets
    .send(
      new UpdateSecretVersionStageCommand({
        SecretId: arn,
        VersionStage: 'AWSPENDING',
        RemoveFromVersionId: versionId,
      }),
    )
    .catch((error) => {
      throw new AwsCallError('UpdateSecretVersionStage (remove AWSPENDING)', error);
    });
}

/** Put AWSPENDING back on a version (only to finish a rotation that completed while we removed its label). */
export async function restorePendingLabel(clients: Clients, arn: string, versionId: string): Promise<void> {
  await clients.secrets
    .send(
      new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSPENDING', MoveToVersionId: versionId }),
    )
    .catch((error) => {
      throw new AwsCallError('UpdateSecretVersionStage (restore AWSPENDING)', error);
    });
}

/**
 * Turn rotation back on with the function and schedule it had. RotateImmediately=false: Secrets
 * Manager only tests the configuration now (testSecret alone) and rotates on the schedule.
 */
export async function enableRotation(clients: Clients, info: SecretInfo): Promise<void> {
  const { automaticallyAfterDays, scheduleExpression, duration } = info.rules;
  await clients.secrets
    .send(
      new RotateSecretCommand({
        SecretId: info.arn,
        RotationLambdaARN: info.rotationLambdaArn,
        RotationRules: scheduleExpression
          ? { ScheduleExpression: scheduleExpression, Duration: duration }
          : { AutomaticallyAfterDays: automaticallyAfterDays },
        RotateImmediately: false,
      }),
    )
    .catch((error) => {
      throw new AwsCallError('RotateSecret (turn rotation on)', error);
    });
}

/** RotateSecret with our own token: Secrets Manager creates the empty AWSPENDING version for it. */
export async function startRotation(clients: Clients, info: SecretInfo, token: string): Promise<void> {
  await clients.secrets
    .send(
      new RotateSecretCommand({
        SecretId: info.arn,
        ClientRequestToken: token,
        RotationLambdaARN: info.rotationLambdaArn,
        RotateImmediately: true,
      }),
    )
    .catch((error) => {
      throw new AwsCallError('RotateSecret', error);
    });
}

/**
 * An AWS error in words that carry no value: a modelled service error's own message (it never
 * quotes the request), otherwise only the error's class. (A deserialization failure quotes the
 * response body, which can be a SecretString.)
 */
export function describeAwsError(error: unknown): string {
  const e = (error ?? {}) as {
    name?: unknown;
    message?: unknown;
    $fault?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
  if (typeof e.$fault === 'string' && typeof e.message === 'string' && e.message && e.message !== name)
    return `${name}: ${e.message}${status}`;
  if (name === 'CredentialsProviderError')
    return `${name}: no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)`;
  return `${name}${status}`;
}

/** A call the CLI made itself failed. */
export class AwsCallError extends CliError {
  override readonly name: string = 'AwsCallError';
  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super(`${operation} failed: ${describeAwsError(cause)}`);
  }
}
