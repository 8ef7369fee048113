/**
 * Post-promotion clean-up failures (issue #17) in status and doctor. A rotator whose afterFinish
 * fails makes the engine write its real ERROR line; that line (taken from this process's output,
 * as the function would write it) is put into the function's log group in moto's CloudWatch Logs,
 * and the CLI finds and counts it for that secret only.
 *
 * What this does not show: that Lambda delivers the function's output to that log group. moto never
 * runs the function, so the test writes the line there itself.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { createRotationHandler, TargetOperationError } from '@rotators/core';
import {
  capturedOutput,
  createSecret,
  ensureRotationFunction,
  iamClient,
  lambdaClient,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  RotationService,
  secretsManagerClient,
} from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { beforeAll, describe, expect, it } from 'vitest';
import { genericPasswordRotator } from '../../../generic-password/src/rotator.ts';
import { CLEANUP_FAILED_MESSAGE } from '../../src/cleanup.ts';
import { cli, localRotation, rememberVersions } from '../helpers/harness.ts';

const FUNCTION = `cli-cleanup-${Date.now().toString(36)}`;
const LOG_GROUP = `/aws/lambda/${FUNCTION}`;
let functionArn: string;
let logs: CloudWatchLogsClient;

/** generic-password, except that its clean-up after the promotion fails, as an unrevokable API key would. */
const failingCleanup = {
  ...genericPasswordRotator,
  async afterFinish(_versions: unknown, ctx: { secretId: string }) {
    throw new TargetOperationError(
      'Could not revoke 1 old key(s) (key-7); AWSCURRENT has moved and the next rotation tries again',
      ctx,
    );
  },
};

beforeAll(async () => {
  const endpoint = motoEndpoint();
  await ensureRotationFunction(endpoint);
  const role = await iamClient(endpoint).send(new GetRoleCommand({ RoleName: 'rotators-testkit-rotation' }));
  const fn = await lambdaClient(endpoint).send(
    new CreateFunctionCommand({
      FunctionName: FUNCTION,
      Runtime: 'nodejs22.x',
      Role: role.Role!.Arn!,
      Handler: 'index.handler',
      Timeout: 60,
      Code: { ZipFile: Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]) },
    }),
  );
  functionArn = fn.FunctionArn!;
  logs = new CloudWatchLogsClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  await logs.send(new CreateLogGroupCommand({ logGroupName: LOG_GROUP }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: LOG_GROUP, logStreamName: 'stream-1' }));
});

/** A secret rotated once by a function whose clean-up failed; returns the engine's ERROR line for it. */
async function rotateWithFailingCleanup(): Promise<{ secretId: string; line: string }> {
  const client = secretsManagerClient(motoEndpoint());
  // The engine's own logger (Powertools JSON on stdout), as in the Lambda.
  const handler = createRotationHandler(failingCleanup, { client, env: {} });
  const service = new RotationService({ client, invoke: handler, rotationLambdaArn: functionArn, maxAttempts: 1 });
  const secretId = await createSecret(client, { password: `v-${crypto.randomUUID()}` }, 'cli-cleanup');
  const seen = capturedOutput().length;
  await service.rotate(secretId);
  await rememberVersions(client, secretId);
  const line = capturedOutput()
    .slice(seen)
    .split('\n')
    .find((l) => l.includes('post-promotion clean-up failed'));
  expect(line, 'the engine logged the clean-up failure').toBeDefined();
  return { secretId, line: line! };
}

describe('clean-up failures after promotion', () => {
  it('the message the CLI looks for is the one the engine writes', async () => {
    const { secretId, line } = await rotateWithFailingCleanup();
    const parsed = JSON.parse(line);
    expect(parsed).toMatchObject({ level: 'ERROR', message: CLEANUP_FAILED_MESSAGE, secretId, step: 'finishSecret' });
  });

  it("status and doctor count them for the secret whose line it is, in its function's log group", async () => {
    const mine = await rotateWithFailingCleanup();
    const other = await rotateWithFailingCleanup();
    // Lines as Lambda's JSON log format stores them (the function's JSON line is the event); one for another secret.
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: LOG_GROUP,
        logStreamName: 'stream-1',
        logEvents: [
          { timestamp: Date.now(), message: mine.line },
          { timestamp: Date.now() + 1, message: `2026-01-01T00:00:00.000Z\trequest-id\tERROR\t${mine.line}` },
          { timestamp: Date.now() + 2, message: other.line },
          { timestamp: Date.now() + 3, message: JSON.stringify({ ...JSON.parse(mine.line), level: 'INFO' }) },
        ],
      }),
    );

    const status = await cli(['status', mine.secretId, '--json']);
    expect(status.json.verdict).toBe('healthy');
    expect(status.json.cleanupFailures).toMatchObject({ count: 2, logGroup: LOG_GROUP, unknown: null });
    expect(status.code).toBe(1); // healthy labels, but a problem all the same: old keys pile up
    const text = await cli(['status', mine.secretId]);
    expect(text.out).toMatch(
      new RegExp(
        `^clean-up +post-promotion clean-up FAILED 2 times since .* ` +
          `see "post-promotion clean-up failed" in ${LOG_GROUP}$`,
        'm',
      ),
    );

    const doctor = await cli(['doctor', mine.secretId, '--json']);
    expect(doctor.code).toBe(1);
    expect(doctor.json.diagnosis.join(' ')).toMatch(/The rotator's clean-up after promotion failed 2 times since/);

    const all = await cli(['status', '--all', '--json']);
    const byArn = new Map(all.json.secrets.map((s: { arn: string }) => [s.arn, s]));
    expect(byArn.get(mine.secretId)).toMatchObject({ verdict: 'healthy', cleanupFailures: { count: 2 } });
    expect(byArn.get(other.secretId)).toMatchObject({ cleanupFailures: { count: 1 } });
    expect(all.json.cleanupFailing).toBeGreaterThanOrEqual(2);
  });

  it('a function whose log group cannot be read: unknown, said so, not a failure', async () => {
    const { client, service } = await localRotation(genericPasswordRotator);
    const secretId = await createSecret(client, { password: `v-${crypto.randomUUID()}` }, 'cli-cleanup');
    await service.rotate(secretId);
    await rememberVersions(client, secretId);
    const status = await cli(['status', secretId, '--json']);
    expect(status.code).toBe(0);
    expect(status.json.cleanupFailures.count).toBeNull();
    expect(status.json.cleanupFailures.unknown).toMatch(
      /log group \/aws\/lambda\/rotators-testkit-rotation does not exist/,
    );
  });
});
