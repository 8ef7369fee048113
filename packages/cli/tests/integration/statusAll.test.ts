/**
 * `rotators status --all` over 200 secrets, run as the real command (bin/rotators.mjs) against
 * moto through a proxy that counts the requests in flight: the reads run concurrently, never more
 * at once than --concurrency allows. (How long it takes is printed, not asserted: timings belong
 * to the benchmark.)
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import {
  CreateSecretCommand,
  RotateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import {
  ensureRotationFunction,
  iamClient,
  lambdaClient,
  rememberSecret,
  secretsManagerClient,
} from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapBounded } from '../../src/pool.ts';
import { runBin } from '../helpers/harness.ts';

const FLEET = 200;
const RUN = `fleet-${Date.now().toString(36)}`;

/** A proxy in front of moto that counts requests in flight, overall and per API call. */
class CountingProxy {
  private server!: Server;
  inFlight = 0;
  maxInFlight = 0;
  readonly calls = new Map<string, number>();

  async start(upstream: string): Promise<string> {
    const target = new URL(upstream);
    this.server = createServer((req, res) => {
      const call = String(req.headers['x-amz-target'] ?? `${req.method} ${req.url?.split('?')[0]}`);
      this.calls.set(call, (this.calls.get(call) ?? 0) + 1);
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      const done = () => {
        this.inFlight -= 1;
      };
      const forward = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
          upstreamRes.on('end', done);
        },
      );
      forward.on('error', () => {
        done();
        res.destroy();
      });
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reset(): void {
    this.maxInFlight = 0;
    this.calls.clear();
  }

  count(call: string): number {
    return this.calls.get(call) ?? 0;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const proxy = new CountingProxy();
let proxyEndpoint: string;
const ours = new Map<string, 'rotating' | 'healthy'>();

beforeAll(async () => {
  const endpoint = motoEndpoint();
  proxyEndpoint = await proxy.start(endpoint);
  // A function with Lambda's longest timeout: a rotation started during set-up still counts as running.
  await ensureRotationFunction(endpoint);
  const role = await iamClient(endpoint).send(new GetRoleCommand({ RoleName: 'rotators-testkit-rotation' }));
  const fn = await lambdaClient(endpoint).send(
    new CreateFunctionCommand({
      FunctionName: `${RUN}-rotation`,
      Runtime: 'nodejs22.x',
      Role: role.Role!.Arn!,
      Handler: 'index.handler',
      Timeout: 900,
      Code: { ZipFile: Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]) },
    }),
  );
  const sm = secretsManagerClient(endpoint);
  // Half the fleet mid-rotation (AWSPENDING on a new version), half done rotating (the label cleaned up).
  await mapBounded(
    Array.from({ length: FLEET }, (_, i) => i),
    16,
    async (i) => {
      const value = `fleet-value-${RUN}-${i}-${crypto.randomUUID()}`;
      rememberSecret(value);
      const created = await sm.send(
        new CreateSecretCommand({
          Name: `${RUN}/app-${String(i).padStart(3, '0')}`,
          SecretString: JSON.stringify({ password: value }),
        }),
      );
      const token = crypto.randomUUID();
      await sm.send(
        new RotateSecretCommand({
          SecretId: created.ARN,
          ClientRequestToken: token,
          RotationLambdaARN: fn.FunctionArn,
          RotationRules: { AutomaticallyAfterDays: 30 },
          RotateImmediately: true,
        }),
      );
      if (i % 2 === 0) {
        ours.set(created.ARN!, 'rotating');
      } else {
        await sm.send(
          new UpdateSecretVersionStageCommand({
            SecretId: created.ARN,
            VersionStage: 'AWSPENDING',
            RemoveFromVersionId: token,
          }),
        );
        ours.set(created.ARN!, 'healthy');
      }
    },
  );
}, 300_000);

afterAll(async () => proxy.stop());

describe('status --all over 200 secrets', () => {
  for (const concurrency of [8, 3]) {
    it(
      `reads them concurrently, at most ${concurrency} ` +
        `requests in flight${concurrency === 8 ? ' (the default)' : ''}`,
      async () => {
        proxy.reset();
        const args = [
          'status',
          '--all',
          '--json',
          '--endpoint',
          proxyEndpoint,
          ...(concurrency === 8 ? [] : ['--concurrency', String(concurrency)]),
        ];
        const started = Date.now();
        const { code, out, err } = await runBin(args);
        const seconds = (Date.now() - started) / 1000;
        const report = JSON.parse(out);

        const listed = new Map<string, string>(
          report.secrets.map((s: { arn: string; verdict: string }) => [s.arn, s.verdict]),
        );
        for (const [arn, verdict] of ours) expect(listed.get(arn), arn).toBe(verdict);
        expect(code).toBe(1); // not every secret is healthy
        // One ListSecretVersionIds per secret with a rotation to date; none for the others.
        expect(proxy.count('secretsmanager.ListSecretVersionIds')).toBeGreaterThanOrEqual(FLEET / 2);
        expect(proxy.count('secretsmanager.DescribeSecret')).toBe(0);
        expect(proxy.maxInFlight).toBeLessThanOrEqual(concurrency);
        expect(proxy.maxInFlight, 'the reads overlap').toBeGreaterThan(1);
        // The progress line and the summary go to stderr; stdout is the JSON document alone.
        expect(err).toMatch(/reading \d+ secrets \(\d+ at a time\)/);
        expect(err).toMatch(
          new RegExp(`read \\d+ secrets with rotation on in [0-9.]+ s \\(at most ${concurrency} reads at a time\\)`),
        );
        process.stdout.write(
          `[status --all] ${report.count} secrets, --concurrency ${concurrency}: ` +
            `${seconds.toFixed(1)} s wall (node start included), ${proxy.maxInFlight} requests in flight at most\n`,
        );
      },
    );
  }

  it('as a table: worst first, one line per secret, a summary', async () => {
    const { code, out } = await runBin(['status', '--all', '--endpoint', proxyEndpoint]);
    expect(code).toBe(1);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^ {2}SECRET +VERDICT +LAST ROTATED +PENDING \/ DUE +FUNCTION$/);
    const verdicts = lines
      .slice(1)
      .filter((l) => l.includes(`${RUN}/`))
      .map((l) => l.trim().split(/\s+/)[1]);
    expect(verdicts).toHaveLength(FLEET);
    expect(verdicts.indexOf('healthy')).toBeGreaterThan(verdicts.lastIndexOf('rotating'));
    expect(out).toMatch(/^\d+ secrets with rotation on in us-east-1: (.+, )?\d+ rotating, \d+ healthy$/m);
  });
});
