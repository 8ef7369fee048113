/**
 * What Terraform deployed, read back from the local Lambda, and run: the built zip on Node 22 with
 * exactly the environment Terraform gave the function (so the test proves the wiring), plus what
 * the Lambda runtime itself would add (region, credentials).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand, GetPolicyCommand, type FunctionConfiguration } from '@aws-sdk/client-lambda';
import {
  DescribeSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { iamClient, lambdaClient, localAwsEnv, startZipFunction, type ZipFunction } from '@rotators/testkit';

export interface DeployedFunction {
  configuration: FunctionConfiguration;
  environment: Record<string, string>;
  zip: ZipFunction;
}

export async function startDeployedFunction(
  endpoint: string,
  functionName: string,
  zipFile: string,
): Promise<DeployedFunction> {
  const configuration = await lambdaClient(endpoint).send(
    new GetFunctionConfigurationCommand({ FunctionName: functionName }),
  );
  const environment = configuration.Environment?.Variables ?? {};
  // What the Lambda runtime sets (region, credentials); SECRETS_MANAGER_ENDPOINT must come from Terraform.
  const { SECRETS_MANAGER_ENDPOINT: _fromTerraform, ...runtimeAws } = localAwsEnv(endpoint);
  const runtime: Record<string, string> = { ...runtimeAws, AWS_LAMBDA_FUNCTION_NAME: functionName };
  const zip = await startZipFunction(zipFile, { ...runtime, ...environment });
  return { configuration, environment, zip };
}

/** Lambda's CodeSha256: base64 of the zip's SHA-256 (what source_code_hash carries). */
export function codeSha256(zipFile: string): string {
  return createHash('sha256').update(readFileSync(zipFile)).digest('base64');
}

/**
 * moto never runs the function: when Terraform turns rotation on, moto starts a rotation of its
 * own (RotateSecret), invokes nothing useful and leaves AWSPENDING on a new, empty version (with
 * rotate_immediately = false as with true). On AWS that rotation would have run the function and
 * the service would have removed the label. Remove it here, as the service would, so the next
 * rotation can start. Returns the version ids it was removed from.
 */
export async function clearStrayPending(client: SecretsManagerClient, secretId: string): Promise<string[]> {
  const described = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  const stray = Object.entries(described.VersionIdsToStages ?? {})
    .filter(([, stages]) => stages.includes('AWSPENDING') && !stages.includes('AWSCURRENT'))
    .map(([versionId]) => versionId);
  for (const versionId of stray) {
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: 'AWSPENDING',
        RemoveFromVersionId: versionId,
      }),
    );
  }
  return stray;
}

export async function stagesOf(client: SecretsManagerClient, secretId: string): Promise<Record<string, string[]>> {
  const described = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  return described.VersionIdsToStages ?? {};
}

export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** The inline policy Terraform attached to the function's role, as IAM stores it. */
export async function deployedRolePolicy(
  endpoint: string,
  roleName: string,
  policyName = 'rotation',
): Promise<PolicyStatement[]> {
  const out = await iamClient(endpoint).send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
  return (JSON.parse(decodeURIComponent(out.PolicyDocument ?? '{}')) as { Statement: PolicyStatement[] }).Statement;
}

/** The function's resource policy (who may invoke it), as Lambda stores it. */
export async function deployedInvokePolicy(endpoint: string, functionName: string): Promise<PolicyStatement[]> {
  const out = await lambdaClient(endpoint).send(new GetPolicyCommand({ FunctionName: functionName }));
  return (JSON.parse(out.Policy ?? '{}') as { Statement: PolicyStatement[] }).Statement;
}

export const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
