/**
 * A Secrets Manager endpoint that accepts connections and never answers (a VPC whose route
 * blackholes, a wedged proxy). The handler, with its production client, must end with a typed error
 * naming the call before Lambda's deadline, not be killed mid-call: with a clock of 6 s (the
 * smallest timeout a module allows: api-key's step_timeout_seconds 1 + 5), the call is aborted
 * DEADLINE_MARGIN_MS before it. Without a clock, the SDK's own limits end it after its 3 attempts.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createRotationHandler, SecretsManagerCallError } from '@rotators/core';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEADLINE_MARGIN_MS } from '../../src/timeBudget.ts';
import { recordingRotator } from '../helpers/harness.ts';

const SMALLEST_MODULE_TIMEOUT_MS = 6_000;

let server: Server;
let endpoint: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.push(socket); // accepted, read, never answered
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  vi.stubEnv('AWS_REGION', LOCAL_REGION);
  vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_CREDENTIALS.secretAccessKey);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const event = {
  Step: 'setSecret',
  SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hang-AbCdEf',
  ClientRequestToken: 'token-hang-1',
};

describe('a Secrets Manager endpoint that never answers', () => {
  it(
    'with Lambda’s clock: a typed error naming the call, ' + 'before the deadline of the smallest module timeout',
    async () => {
      const rotator = recordingRotator();
      const handler = createRotationHandler(rotator, { env: { SECRETS_MANAGER_ENDPOINT: endpoint } });
      const started = Date.now();
      const deadline = started + SMALLEST_MODULE_TIMEOUT_MS;
      const error = await handler(event, {
        awsRequestId: 'req-1',
        getRemainingTimeInMillis: () => deadline - Date.now(),
      }).catch((e: unknown) => e);
      const elapsed = Date.now() - started;

      expect(error).toBeInstanceOf(SecretsManagerCallError);
      expect((error as SecretsManagerCallError).operation).toBe('DescribeSecret');
      expect((error as SecretsManagerCallError).errorName).toBe('TimeBudgetExceeded');
      expect((error as Error).message).toContain(event.SecretId);
      expect(elapsed).toBeLessThan(SMALLEST_MODULE_TIMEOUT_MS);
      expect(elapsed).toBeGreaterThanOrEqual(SMALLEST_MODULE_TIMEOUT_MS - DEADLINE_MARGIN_MS - 100);
      expect(rotator.calls).toEqual([]);
    },
  );

  it('without a clock: the SDK gives up after its 3 attempts, each ended by the request timeout', async () => {
    const before = sockets.length;
    const handler = createRotationHandler(recordingRotator(), { env: { SECRETS_MANAGER_ENDPOINT: endpoint } });
    const error = await handler(event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretsManagerCallError);
    expect((error as SecretsManagerCallError).operation).toBe('DescribeSecret');
    expect((error as SecretsManagerCallError).errorName).toMatch(/Timeout/);
    expect(sockets.length - before).toBe(3);
  }, 30_000);
});
