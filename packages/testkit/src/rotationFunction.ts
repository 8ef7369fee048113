/**
 * moto's RotateSecret needs a Lambda function it can look up. moto never runs it (no Docker), so
 * this registers a placeholder once per server; the test kit then drives the real handler itself.
 */
import { CreateRoleCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionCommand } from '@aws-sdk/client-lambda';
import { iamClient, lambdaClient } from './aws.ts';

// The smallest valid zip archive: an end-of-central-directory record and nothing else.
const EMPTY_ZIP = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);
const FUNCTION_NAME = 'rotators-testkit-rotation';
const ROLE_NAME = 'rotators-testkit-rotation';

const cache = new Map<string, Promise<string>>();

/** The ARN of a function registered in moto for RotateSecret to point at. */
export function ensureRotationFunction(endpoint: string): Promise<string> {
  let arn = cache.get(endpoint);
  if (!arn) {
    arn = register(endpoint);
    cache.set(endpoint, arn);
  }
  return arn;
}

async function register(endpoint: string): Promise<string> {
  const lambda = lambdaClient(endpoint);
  try {
    const existing = await lambda.send(new GetFunctionCommand({ FunctionName: FUNCTION_NAME }));
    if (existing.Configuration?.FunctionArn) return existing.Configuration.FunctionArn;
  } catch {
    // not registered yet
  }
  const iam = iamClient(endpoint);
  let roleArn: string | undefined;
  try {
    roleArn = (await iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }))).Role?.Arn;
  } catch {
    roleArn = (
      await iam.send(
        new CreateRoleCommand({
          RoleName: ROLE_NAME,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          }),
        }),
      )
    ).Role?.Arn;
  }
  try {
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: FUNCTION_NAME,
        Runtime: 'nodejs22.x',
        Role: roleArn!,
        Handler: 'index.handler',
        Code: { ZipFile: EMPTY_ZIP },
      }),
    );
    return created.FunctionArn!;
  } catch (error) {
    // Another test file registered it at the same moment.
    const existing = await lambda.send(new GetFunctionCommand({ FunctionName: FUNCTION_NAME })).catch(() => undefined);
    if (existing?.Configuration?.FunctionArn) return existing.Configuration.FunctionArn;
    throw error;
  }
}
