/**
 * --help for every command (exit 0, on stdout), and bad usage: a clear message on stderr naming
 * what is wrong, nothing on stdout, exit 2. Also through the real `rotators` command.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createSecret, secretsManagerClient } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { describe, expect, it } from 'vitest';
import { cli, runBin } from '../helpers/harness.ts';

const COMMANDS = ['status', 'doctor', 'repair', 'rotate'] as const;

describe('--help', () => {
  it('the command list, from rotators --help, -h, help and with no command at all', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const run = await cli(args, { endpoint: null });
      expect(run.code).toBe(0);
      expect(run.out).toMatch(/^Usage: rotators <command> \[<secret-id>\] \[options\]$/m);
      for (const command of COMMANDS) expect(run.out).toMatch(new RegExp(`^  ${command} `, 'm'));
      expect(run.err).toBe('');
    }
    const none = await cli([], { endpoint: null });
    expect(none.code).toBe(2);
    expect(none.err).toMatch(
      /a command is required: status, doctor, repair or rotate\nRun rotators --help for the commands\./,
    );
  });

  for (const command of COMMANDS) {
    it(`${command} --help, -h and help ${command}: usage, every option, exit status`, async () => {
      const runs = [
        await cli([command, '--help'], { endpoint: null }),
        await cli([command, '-h'], { endpoint: null }),
        await cli(['help', command], { endpoint: null }),
      ];
      for (const run of runs) {
        expect(run.code).toBe(0);
        expect(run.out).toBe(runs[0]!.out);
        expect(run.out).toMatch(new RegExp(`^Usage:\\s+rotators ${command} `, 'm'));
        for (const option of ['--endpoint URL', '--region REGION', '--json', '-h, --help'])
          expect(run.out).toContain(option);
        expect(run.out).toMatch(/^Exit status: 0 /m);
        expect(run.out).toContain('No secret value is ever printed.');
      }
    });
  }

  it('--help wins over everything else on the line, and makes no AWS call', async () => {
    const run = await cli(['repair', 'no-such-secret', '--apply', '--help'], { endpoint: 'http://127.0.0.1:1' });
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^rotators repair — /);
  });
});

describe('bad usage: a message naming the problem, exit 2', () => {
  const CASES: Array<[string[], RegExp]> = [
    [['frobnicate'], /unknown command "frobnicate": the commands are status, doctor, repair and rotate/],
    [['help', 'frobnicate'], /no help on "frobnicate"/],
    [['status'], /status needs a secret id \(a name or an ARN\), or --all/],
    [['doctor'], /doctor needs a secret id/],
    [['status', 'a', 'b'], /one secret at a time: got 2 arguments \(a b\)/],
    [['status', 'a', '--all'], /either a secret id or --all, not both/],
    [['status', 'a', '--concurrency', '4'], /--concurrency goes with --all/],
    [['status', '--all', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 64 \(got "0"\)/],
    [['status', '--all', '--concurrency', 'many'], /--concurrency must be a whole number from 1 to 64 \(got "many"\)/],
    [['status', 'a', '--frob'], /Unknown option '--frob'/],
    [['status', 'a', '--apply'], /Unknown option '--apply'/],
    [['doctor', 'a', '--rotator'], /Option '--rotator <value>' argument missing/],
    [
      ['doctor', 'a', '--rotator', 'oracle'],
      new RegExp(
        '--rotator must be one of generic-password, postgres-single-user, postgres-alternating-users, ' +
          'mysql-alternating-users, api-key \\(got "oracle"\\)',
      ),
    ],
    [['doctor', 'a', '--region', 'Mars'], /--region must be an AWS region such as eu-west-1 \(got "Mars"\)/],
    [
      ['doctor', 'a', '--endpoint', 'ftp://x'],
      /--endpoint must be an http\(s\) URL such as http:\/\/127\.0\.0\.1:4566 \(got "ftp:\/\/x"\)/,
    ],
    [['rotate', 'a'], /rotate runs the four steps on this machine only: pass --local/],
    [['repair', ''], /the secret id is empty/],
  ];
  for (const [args, message] of CASES) {
    it(`rotators ${args.join(' ')}`, async () => {
      const run = await cli(args, { endpoint: null });
      expect(run.code).toBe(2);
      expect(run.out).toBe('');
      expect(run.err).toMatch(message);
      expect(run.err).toMatch(/Run rotators (\w+ )?--help for/);
    });
  }

  it('a secret that does not exist is bad usage too, named with the region and endpoint', async () => {
    const run = await cli(['doctor', 'no/such/secret']);
    expect(run.code).toBe(2);
    expect(run.err).toContain(`no secret "no/such/secret" in us-east-1 at ${motoEndpoint()}`);
  });

  // Only where nothing names a region: the SDK also looks in this process's environment and ~/.aws.
  it.skipIf(Boolean(process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || existsSync(join(homedir(), '.aws'))))(
    'no region anywhere: says how to give one',
    async () => {
      const run = await cli(['status', 'x'], { env: { AWS_REGION: undefined } });
      expect(run.code).toBe(2);
      expect(run.err).toMatch(/no AWS region: pass --region \(e\.g\. --region eu-west-1\) or set AWS_REGION/);
      expect(run.out).toBe('');
    },
  );

  it('a rotator whose settings are missing names the variable (api-key without API_ALLOWED_HOSTS)', async () => {
    const client = secretsManagerClient(motoEndpoint());
    const secretId = await createSecret(
      client,
      { apiKey: `k-${crypto.randomUUID()}`, keyId: 'k1', baseUrl: 'https://keys.example.com' },
      'cli-usage',
    );
    const run = await cli(['doctor', secretId], { env: {} });
    expect(run.code).toBe(2);
    expect(run.err).toMatch(
      new RegExp(
        'the api-key rotator cannot start with these settings: .*API_ALLOWED_HOSTS.*' +
          'Set API_ALLOWED_HOSTS in this shell as the function has it',
      ),
    );
  });
});

describe('the rotators command (bin/rotators.mjs)', () => {
  it('runs: --help exits 0, bad usage exits 2 with the message on stderr', async () => {
    const help = await runBin(['status', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^rotators status — /);
    const bad = await runBin(['status', '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.out).toBe('');
    expect(bad.err).toMatch(/^rotators status: Unknown option '--bogus'/m);
  });

  it('status of a secret whose rotation was never configured: disabled, exit 1', async () => {
    const client = secretsManagerClient(motoEndpoint());
    const secretId = await createSecret(client, { password: `v-${crypto.randomUUID()}` }, 'cli-usage');
    // Rotation never configured: "disabled", a problem for an operator of rotations.
    const disabled = await runBin(['status', secretId, '--endpoint', motoEndpoint(), '--json']);
    expect(disabled.code).toBe(1);
    expect(JSON.parse(disabled.out)).toMatchObject({
      verdict: 'disabled',
      reason: 'rotation was never configured for this secret',
    });
  });
});
