/**
 * What leaves the engine when something it did not make fails: names and codes, never text that could
 * quote a value.
 */
import { SecretsManagerCallError } from '@rotators/core';
import { capturedOutput, rememberSecret } from '@rotators/testkit';
import { describe, expect, it } from 'vitest';
import { harness, recordingRotator } from '../helpers/harness.ts';

describe('errors the engine did not make', () => {
  it('an afterFinish failure is logged by class name only, never its raw message', async () => {
    const quoted = 'driver-quoted-value-83f1c2';
    rememberSecret(quoted); // the leak guard fails this file if it reaches a log line
    const rotator = recordingRotator({
      async afterFinish() {
        throw Object.assign(new Error(`revoke failed for statement using ${quoted}`), { code: 'EREVOKE' });
      },
    });
    const { service, newSecret } = await harness(rotator);
    const secretId = await newSecret();
    const { token } = await service.rotate(secretId);
    const line = capturedOutput()
      .split('\n')
      .find((l) => l.includes('post-promotion clean-up failed') && l.includes(token));
    expect(JSON.parse(line!).error).toEqual({
      name: 'RotationError',
      message: expect.stringMatching(/^Unexpected Error EREVOKE/),
    });
  });

  it('an SDK failure that is not a modelled service error keeps only its class name and status', async () => {
    const body = 'hunter2-response-body-7d1e';
    rememberSecret(body);
    const { handler, service, probe, newSecret } = await harness();
    const secretId = await newSecret();
    const token = await service.start(secretId);
    probe.failNext('GetSecretValueCommand', new SyntaxError(`Unexpected token 'h', "${body}" is not valid JSON`));
    const error = (await handler({ Step: 'createSecret', SecretId: secretId, ClientRequestToken: token }).catch(
      (e: unknown) => e,
    )) as SecretsManagerCallError;
    expect(error).toBeInstanceOf(SecretsManagerCallError);
    expect(error.errorName).toBe('SyntaxError');
    expect(error.message).toMatch(/GetSecretValue failed: SyntaxError \(secret arn:/);
    expect(JSON.stringify({ message: error.message, cause: (error.cause as Error).message })).not.toContain(body);
  });

  it("a modelled service error keeps the service's own message", async () => {
    const { handler, newSecret } = await harness();
    const secretId = await newSecret();
    const error = (await handler({
      Step: 'createSecret',
      SecretId: `${secretId}-missing`,
      ClientRequestToken: 'token-x',
    }).catch((e: unknown) => e)) as SecretsManagerCallError;
    expect(error.errorName).toBe('ResourceNotFoundException');
    expect(error.message).toMatch(
      /DescribeSecret failed: ResourceNotFoundException: .*can't find the specified secret.*\(HTTP 4\d\d\)/,
    );
  });
});

describe('Lambda context', () => {
  it('adds the request id and cold-start flag to every log line of the invocation', async () => {
    const { handler, newSecret } = await harness();
    const secretId = await newSecret();
    await handler(
      { Step: 'createSecret', SecretId: secretId, ClientRequestToken: 'no-such-version-token' },
      {
        awsRequestId: 'req-5a7c',
        functionName: 'rotator-fn',
        memoryLimitInMB: '256',
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:rotator-fn',
        functionVersion: '$LATEST',
      },
    ).catch(() => undefined);
    const line = capturedOutput()
      .split('\n')
      .find((l) => l.includes('no-such-version-token'));
    expect(JSON.parse(line!)).toMatchObject({ function_request_id: 'req-5a7c', function_name: 'rotator-fn' });
  });
});
