/**
 * Running the CLI against the test kit's moto: in this process (main() with an io of our own, so a
 * test can look at a later clock) or as the real `rotators` command (bin/rotators.mjs). Every
 * output is scanned for every value the tests created or read.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createRotationHandler, type Rotator, type SecretRecord } from '@rotators/core';
import {
  appendCapturedOutput,
  createSecret,
  ensureRotationFunction,
  findLeaks,
  type KeyApiServer,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  readSecret,
  rememberSecretJson,
  repoRoot,
  RotationService,
  secretsManagerClient,
  startKeyApi,
} from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiKeyRotator } from '../../../api-key/src/rotator.ts';
import { keyApiEnv } from '../../../api-key/tests/helpers/harness.ts';
import { type CliIo, main } from '../../src/main.ts';

// The CLI's SDK clients take their credentials from the environment, as on an operator's machine.
process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;

export type Env = Record<string, string | undefined>;

/** The stuck states a crash can leave: the function stopped right after this step. */
export const CRASH_POINTS = ['createSecret', 'setSecret', 'testSecret'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/**
 * moto dates every version "now" in ListSecretVersionIds, so a rotation left unfinished is looked
 * at from an hour later: older than any rotation window (moto's placeholder function has Lambda's
 * default 3 s timeout). On AWS the version's real CreatedDate does this.
 */
export const anHourLater = (): Date => new Date(Date.now() + 3_600_000);

export interface CliRun {
  code: number;
  out: string;
  err: string;
  // The parsed --json document; tests read whatever fields they check.
  // biome-ignore lint/suspicious/noExplicitAny: a test's view of a JSON document of any shape
  json: any;
}

/** main() in this process against moto; the output is scanned for remembered values. */
export async function cli(
  args: string[],
  options: { env?: Env; now?: Date; endpoint?: string | null } = {},
): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    errIsTty: false,
    env: { AWS_REGION: LOCAL_REGION, ...options.env },
    now: () => options.now ?? new Date(),
  };
  const endpoint = options.endpoint === null ? [] : ['--endpoint', options.endpoint ?? motoEndpoint()];
  const code = await main([...args, ...endpoint], io);
  appendCapturedOutput(out + err);
  expect(findLeaks(out + err), `rotators ${args.join(' ')} printed a secret value`).toEqual([]);
  return { code, out, err, json: args.includes('--json') && out ? JSON.parse(out) : undefined };
}

/** The real command, as an operator runs it: node bin/rotators.mjs in a child process. */
export function runBin(args: string[], env: Env = {}): Promise<{ code: number; out: string; err: string }> {
  const bin = join(repoRoot, 'packages/cli/bin/rotators.mjs');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, AWS_REGION: LOCAL_REGION, NODE_NO_WARNINGS: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      appendCapturedOutput(out + err);
      expect(findLeaks(out + err), `rotators ${args.join(' ')} printed a secret value`).toEqual([]);
      resolve({ code: code ?? -1, out, err });
    });
  });
}

/** Every version's value goes into the leak guard's list (the rotation made new ones). */
export async function rememberVersions(client: SecretsManagerClient, secretId: string): Promise<void> {
  const listed = await client.send(new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true }));
  for (const version of listed.Versions ?? []) {
    const out = await client
      .send(new GetSecretValueCommand({ SecretId: secretId, VersionId: version.VersionId }))
      .catch(() => undefined);
    rememberSecretJson(out?.SecretString);
  }
}

/**
 * Everything a repair could change, to compare before and after: rotation settings, every
 * version's labels, and a hash of every version's value (never the value, so a failing
 * comparison prints none).
 */
export async function snapshot(client: SecretsManagerClient, secretId: string): Promise<unknown> {
  const described = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  const listed = await client.send(new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true }));
  const values: Record<string, string> = {};
  for (const version of listed.Versions ?? []) {
    const out = await client
      .send(new GetSecretValueCommand({ SecretId: secretId, VersionId: version.VersionId }))
      .catch(() => undefined);
    values[version.VersionId!] =
      out?.SecretString === undefined ? '(no value)' : createHash('sha256').update(out.SecretString).digest('hex');
  }
  return {
    rotationEnabled: described.RotationEnabled,
    rotationLambdaArn: described.RotationLambdaARN,
    rules: described.RotationRules,
    stages: described.VersionIdsToStages,
    versions: Object.keys(values).sort(),
    values,
  };
}

/**
 * moto's client and a rotation service that runs `rotator` in this process, as its Lambda would,
 * one attempt per step. `handlerEnv`: the engine's settings (none by default).
 */
export async function localRotation<S extends SecretRecord>(
  rotator: Rotator<S>,
  handlerEnv: Env = {},
): Promise<{ client: SecretsManagerClient; service: RotationService }> {
  const client = secretsManagerClient(motoEndpoint());
  const invoke = createRotationHandler(rotator, { client, env: handlerEnv });
  return {
    client,
    service: new RotationService({
      client,
      invoke,
      rotationLambdaArn: await ensureRotationFunction(motoEndpoint()),
      maxAttempts: 1,
    }),
  };
}

/**
 * The test kit's key API for the suite that calls this (started before its tests, stopped after),
 * the api-key rotator's settings for it (`env`, as api-key's own tests set them), and api-key
 * secrets on a fresh account of it, rotated in this process.
 */
export function useKeyApi(): {
  readonly api: KeyApiServer;
  readonly env: Env;
  apiKeySecret(name: string): Promise<{
    client: SecretsManagerClient;
    service: RotationService;
    secretId: string;
    account: ReturnType<KeyApiServer['createAccount']>;
  }>;
} {
  let server: KeyApiServer | undefined;
  beforeAll(async () => {
    server = await startKeyApi();
  });
  afterAll(async () => server?.stop());
  const api = (): KeyApiServer => {
    if (!server) throw new Error('the key API starts in beforeAll: use it inside a test');
    return server;
  };
  return {
    get api() {
      return api();
    },
    get env() {
      return keyApiEnv(api());
    },
    async apiKeySecret(name) {
      const { client, service } = await localRotation(createApiKeyRotator({ env: keyApiEnv(api()) }));
      const account = api().createAccount({ maxActiveKeys: 5 });
      const secretId = await createSecret(
        client,
        { apiKey: account.key, keyId: account.keyId, baseUrl: api().baseUrl },
        name,
      );
      return { client, service, secretId, account };
    },
  };
}

/** Straight on the target: do the user name and password of the secret's AWSCURRENT log in? */
export function currentLogsIn(
  client: SecretsManagerClient,
  secretId: string,
  logsIn: (username: string, password: string) => Promise<boolean>,
): () => Promise<boolean> {
  return async () => {
    const current = (await readSecret<{ username: string; password: string }>(client, secretId, 'AWSCURRENT'))!;
    return logsIn(current.username, current.password);
  };
}

/** A rotation that stopped right after `step` (the function crashed, or was never invoked again). */
export async function stopAfter(
  service: RotationService,
  client: SecretsManagerClient,
  secretId: string,
  step: CrashPoint | 'RotateSecret',
): Promise<string> {
  const token = await service.start(secretId);
  for (const s of CRASH_POINTS) {
    if (step === 'RotateSecret') break;
    await service.runStep(secretId, s, token);
    if (s === step) break;
  }
  await rememberVersions(client, secretId);
  return token;
}

export interface StuckCase {
  client: SecretsManagerClient;
  service: RotationService;
  secretId: string;
  token: string;
  /** The rotator's settings, as the operator's shell holds them. */
  env: Env;
  /** Straight on the target, not through the CLI: does the secret's AWSCURRENT work? */
  currentWorks(): Promise<boolean>;
}

/** What doctor says of a stuck state and the fix it names. */
export interface StuckExpectation {
  explains: RegExp;
  action: 'finish' | 'remove-pending';
  extraActions?: string[];
}

/**
 * The stuck states of a database rotator whose setSecret puts AWSPENDING's password on the server
 * (`target`: MySQL, PostgreSQL): after createSecret AWSPENDING does not log in yet and is removed;
 * after setSecret and testSecret it logs in and passes the testSecret check, so the rotation is
 * finished forward.
 */
export function databaseStuckExpectations(target: string): Record<CrashPoint, StuckExpectation> {
  const forward: StuckExpectation = {
    explains: new RegExp(
      `stopped before finishSecret: AWSPENDING already works on ${target} and passes the testSecret check`,
    ),
    action: 'finish',
  };
  return {
    createSecret: {
      explains: new RegExp(
        `stopped after createSecret: AWSPENDING holds a new value ` +
          `that does not work on ${target} .*AWSCURRENT still works`,
      ),
      action: 'remove-pending',
    },
    setSecret: forward,
    testSecret: forward,
  };
}

/**
 * Registers one test per crash point: a fresh secret of the rotator (`setUp`) rotated once, then a
 * rotation stopped right after that step, which provesStuckRepair must see through (`env`: the
 * rotator's settings once the suite's beforeAll has set them; `afterStop`: checks of the stuck
 * state itself).
 */
export function itRepairsEachCrashPoint(rotator: {
  setUp(): Promise<Omit<StuckCase, 'token' | 'env'>>;
  env(): Env;
  expected: Record<CrashPoint, StuckExpectation>;
  afterStop?(step: CrashPoint, stuck: Omit<StuckCase, 'env'>): Promise<void>;
}): void {
  for (const step of CRASH_POINTS) {
    it(`after ${step}: stuck, explained, dry run changes nothing, --apply leaves a working AWSCURRENT`, async () => {
      const fixture = await rotator.setUp();
      await fixture.service.rotate(fixture.secretId);
      const token = await stopAfter(fixture.service, fixture.client, fixture.secretId, step);
      await rotator.afterStop?.(step, { ...fixture, token });
      await provesStuckRepair({ ...fixture, token, env: rotator.env() }, rotator.expected[step]);
    });
  }
}

/**
 * What issue #14 asks of every stuck state: status says stuck; doctor explains it (`explains`: a
 * phrase of its diagnosis) and names the fix (`action`); repair without --apply changes nothing;
 * repair --apply leaves a healthy secret whose AWSCURRENT works on the target, and that Secrets
 * Manager can rotate again. Each command runs as text and as --json.
 */
export async function provesStuckRepair(c: StuckCase, expected: StuckExpectation): Promise<{ repaired: CliRun }> {
  const later = anHourLater();
  const run = (args: string[]) => cli(args, { env: c.env, now: later });

  const status = await run(['status', c.secretId, '--json']);
  expect(status.code).toBe(1);
  expect(status.json.verdict).toBe('stuck');
  expect(status.json.pending.versionId).toBe(c.token);
  const statusText = await run(['status', c.secretId]);
  expect(statusText.out).toMatch(/^verdict +stuck: AWSPENDING has been on version /m);

  const doctor = await run(['doctor', c.secretId, '--json']);
  expect(doctor.code).toBe(1);
  expect(doctor.json.verdict).toBe('stuck');
  expect(doctor.json.diagnosis.join('\n')).toMatch(expected.explains);
  expect(doctor.json.actions.map((a: { kind: string }) => a.kind)).toEqual([
    expected.action,
    ...(expected.extraActions ?? []),
  ]);
  expect(doctor.json.repairCommand).toMatch(/^rotators repair .+ --apply$/);
  const doctorText = await run(['doctor', c.secretId]);
  expect(doctorText.out).toMatch(expected.explains);
  expect(doctorText.out).toContain('fix: rotators repair');

  const before = await snapshot(c.client, c.secretId);
  const dryRun = await run(['repair', c.secretId]);
  const dryRunJson = await run(['repair', c.secretId, '--json']);
  expect(dryRun.code).toBe(1);
  expect(dryRun.out).toContain('dry run: nothing was changed');
  expect(dryRunJson.json.changed).toBe(false);
  expect(await snapshot(c.client, c.secretId), 'repair without --apply changed the secret').toEqual(before);

  const repaired = await run(['repair', c.secretId, '--apply', '--json']);
  expect(repaired.json.applied.filter((a: { ok: boolean }) => !a.ok)).toEqual([]);
  expect(repaired.json.after.verdict).toBe('healthy');
  expect(repaired.json.after.current.state).toBe('works');
  expect(repaired.code).toBe(0);
  await rememberVersions(c.client, c.secretId);
  expect(await c.currentWorks(), 'AWSCURRENT works on the target after repair').toBe(true);

  const after = await run(['status', c.secretId]);
  expect(after.code).toBe(0);
  expect(after.out).toMatch(/^verdict +healthy/m);
  const doctorAfter = await run(['doctor', c.secretId, '--json']);
  expect(doctorAfter.json.checks.find((check: { label: string }) => check.label === 'AWSCURRENT').state).toBe('works');

  // Healthy means Secrets Manager may start the next rotation, and it completes.
  await c.service.rotate(c.secretId);
  await rememberVersions(c.client, c.secretId);
  expect(await c.currentWorks(), 'AWSCURRENT works after the next rotation').toBe(true);
  return { repaired };
}
