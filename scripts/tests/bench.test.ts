/**
 * The benchmark's pure parts: the counting proxy (X-Amz-Target parsing, and its counts of an SDK
 * client's calls through it to a real moto), the summaries and the report's tables. No timing is
 * checked here: figures come from `npm run bench` only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type MotoServer, rememberSecret, secretsManagerClient, startMoto } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTable, describeCall, repeatedReadFindings } from '../bench/calls.ts';
import {
  apiFromTarget,
  callFromRequest,
  type CountingProxy,
  countByApi,
  repeatedReads,
  type SecretsManagerCall,
  startCountingProxy,
} from '../bench/proxy.ts';
import { markdownTable, range, renderReport, triple } from '../bench/report.ts';
import { measureModuleLoads } from '../bench/moduleLoad.ts';
import { cpuTimes, waitForQuiet } from '../bench/quiet.ts';
import { fleetTable } from '../bench/reportSections.ts';
import type { Rotation, StepSample } from '../bench/rotations.ts';
import { summarize } from '../bench/stats.ts';
import { targetKind, Targets } from '../bench/targets.ts';

describe('counting proxy: X-Amz-Target', () => {
  it('names the Secrets Manager API, and nothing for another service or a malformed header', () => {
    expect(apiFromTarget('secretsmanager.GetSecretValue')).toBe('GetSecretValue');
    expect(apiFromTarget(['secretsmanager.DescribeSecret'])).toBe('DescribeSecret');
    expect(apiFromTarget('kms.Decrypt')).toBeUndefined();
    expect(apiFromTarget('secretsmanager.')).toBeUndefined();
    expect(apiFromTarget('secretsmanager.Get/../x')).toBeUndefined();
    expect(apiFromTarget(undefined)).toBeUndefined();
  });

  it('keeps SecretId, VersionId and VersionStage of a call, never the value it writes', () => {
    const call = callFromRequest(
      'POST',
      '/',
      'secretsmanager.PutSecretValue',
      JSON.stringify({
        SecretId: 'arn:s',
        ClientRequestToken: 't',
        SecretString: 'hunter2-value',
        VersionStages: ['AWSPENDING'],
      }),
    );
    expect(call).toEqual({ api: 'PutSecretValue', secretId: 'arn:s', versionId: undefined, versionStage: undefined });
    expect(JSON.stringify(call)).not.toContain('hunter2');
    expect(
      callFromRequest(
        'POST',
        '/',
        'secretsmanager.GetSecretValue',
        '{"SecretId":"arn:s","VersionId":"v1","VersionStage":"AWSPENDING"}',
      ),
    ).toEqual({
      api: 'GetSecretValue',
      secretId: 'arn:s',
      versionId: 'v1',
      versionStage: 'AWSPENDING',
    });
    expect(callFromRequest('POST', '/', 'secretsmanager.DescribeSecret', 'not json')).toEqual({
      api: 'DescribeSecret',
      secretId: undefined,
      versionId: undefined,
      versionStage: undefined,
    });
    expect(callFromRequest('GET', '/moto-api/', undefined, '')).toEqual({ api: '(other) GET /moto-api/' });
  });
});

describe('counting proxy in front of moto', () => {
  let moto: MotoServer;
  let proxy: CountingProxy;
  let client: SecretsManagerClient;

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startCountingProxy(moto.endpoint);
    client = secretsManagerClient(proxy.endpoint);
  });
  afterAll(async () => {
    await proxy?.stop();
    await moto?.stop();
  });

  it('forwards every call to moto and counts it per API, with repeated reads found', async () => {
    rememberSecret('first-value-0001');
    rememberSecret('second-value-0002');
    const { ARN: arn } = await client.send(
      new CreateSecretCommand({ Name: `bench-proxy-${Date.now()}`, SecretString: 'first-value-0001' }),
    );
    await client.send(new DescribeSecretCommand({ SecretId: arn }));
    await client.send(new DescribeSecretCommand({ SecretId: arn }));
    const read = await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }));
    expect(read.SecretString).toBe('first-value-0001');
    await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }));
    await client.send(
      new PutSecretValueCommand({ SecretId: arn, SecretString: 'second-value-0002', VersionStages: ['AWSPENDING'] }),
    );
    // An error answer passes through unchanged, and the call still counts.
    const missing = await client
      .send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSPREVIOUS' }))
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);

    expect(Object.fromEntries(countByApi(proxy.calls))).toEqual({
      CreateSecret: 1,
      DescribeSecret: 2,
      GetSecretValue: 3,
      PutSecretValue: 1,
    });
    expect(repeatedReads(proxy.calls).map((r) => [r.call.api, r.call.versionStage, r.times])).toEqual([
      ['DescribeSecret', undefined, 2],
      ['GetSecretValue', 'AWSCURRENT', 2],
    ]);
    expect(JSON.stringify(proxy.calls)).not.toContain('value-000');
  });
});

describe('bench targets', () => {
  it('match rotators by name, and a rotator with none is reported with the reason, not skipped', async () => {
    expect(
      [
        'generic-password',
        'postgres-single-user',
        'postgres-alternating-users',
        'mysql-alternating-users',
        'api-key',
      ].map(targetKind),
    ).toEqual(['none', 'postgres', 'postgres', 'mysql', 'key-api']);
    const setup = await new Targets(secretsManagerClient('http://127.0.0.1:9')).setUp('redis-acl-user');
    expect(setup).toEqual({ unsupported: expect.stringContaining('the bench has no target for "redis-acl-user"') });
  });
});

/** A fleet batch's memory readings, given in MiB. */
const memory = (rss: number, heapTotal: number, heapUsed: number, liveHeap: number, liveCode: number) => {
  const bytes = (mib: number) => mib * 1024 * 1024;
  return {
    rss: bytes(rss),
    heapTotal: bytes(heapTotal),
    heapUsed: bytes(heapUsed),
    liveHeap: bytes(liveHeap),
    liveCode: bytes(liveCode),
  };
};

describe('waiting for a quiet machine', () => {
  /** /proc/stat texts whose CPU line grows by `busy` busy and 100 - busy idle ticks per sample. */
  const stats = (...busyPerSample: number[]) => {
    let user = 1000;
    let idle = 5000;
    const texts = [`cpu  ${user} 0 0 ${idle} 0 0 0 0 0 0\ncpu0 1 2 3 4`];
    for (const busy of busyPerSample) {
      user += busy;
      idle += 100 - busy;
      texts.push(`cpu  ${user} 0 0 ${idle} 0 0 0 0 0 0\ncpu0 1 2 3 4`);
    }
    let i = 0;
    return () => texts[Math.min(i++, texts.length - 1)];
  };

  it('reads idle (idle + iowait) and total time from the cpu line', () => {
    expect(cpuTimes('cpu  10 1 5 80 4 0 0 0 7 0\ncpu0 1 1 1 1 1 1 1 1')).toEqual({ idle: 84, total: 100 });
    expect(() => cpuTimes('intr 1 2 3')).toThrow(/unreadable/);
  });

  it('is quiet after three idle samples in a row, a busy one starting the count again', async () => {
    // Without the fresh start it would stop at the 0.96 sample, the third idle one.
    const result = await waitForQuiet({ readStat: stats(50, 5, 5, 60, 4, 3, 2), sampleMs: 1 });
    expect(result).toMatchObject({ quiet: true, lastIdle: 0.98 });
  });

  it('gives up at the time limit, saying how idle the last sample was', async () => {
    const result = await waitForQuiet({ readStat: stats(...Array(1000).fill(40)), sampleMs: 1, timeoutMs: 30 });
    expect(result).toMatchObject({ quiet: false, lastIdle: 0.6 });
    expect(result.waitedMs).toBeGreaterThanOrEqual(30);
  });

  it('does not wait without /proc/stat', async () => {
    expect(await waitForQuiet({ readStat: () => undefined })).toEqual({ quiet: false, waitedMs: 0 });
  });
});

describe('module load measurement', () => {
  it('measures the zips that load, and leaves out with its error one whose first run fails', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'rotators-bench-zips-'));
    const zip = (name: string, code: string) => {
      const file = join(folder, name);
      execFileSync('python3', [
        '-c',
        "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z: z.writestr('index.mjs', sys.argv[2])",
        file,
        code,
      ]);
      return file;
    };
    const handler = 'export const handler = async () => {};';
    // The zip runner that unpacks it sets ROTATOR_ZIP_DIR; the measured runs do not.
    const good = zip('good.zip', handler);
    const bad = zip(
      'bad.zip',
      `if (!process.env.ROTATOR_ZIP_DIR) throw new TypeError('not under the runner');\n${handler}`,
    );
    try {
      const subjects = [
        { name: 'bad', zip: bad, env: {} },
        { name: 'good', zip: good, env: {} },
      ];
      const { loads, failed } = await measureModuleLoads(subjects, 2);
      expect([...loads.keys()]).toEqual(['good']);
      const measured = loads.get('good')!;
      for (const samples of [measured.bare, measured.load, measured.importMs]) {
        expect(samples).toHaveLength(2);
        for (const ms of samples) expect(ms).toBeGreaterThan(0);
      }
      expect([...failed.keys()]).toEqual(['bad']);
      expect(String(failed.get('bad'))).toContain('while loading the zip: TypeError: not under the runner');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('summaries and the report', () => {
  it('median, p95 (nearest rank) and max', () => {
    expect(summarize([])).toBeUndefined();
    expect(summarize([3, 1, 2])).toEqual({ n: 3, median: 2, p95: 3, max: 3 });
    expect(summarize([4, 1, 3, 2])).toMatchObject({ median: 2.5, p95: 4 });
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(summarize(twenty)).toEqual({ n: 20, median: 10.5, p95: 19, max: 20 });
    expect(triple([12.34, 10, 20])).toBe('12.3 / 20.0 / 20.0');
    expect(triple([7])).toBe('7.0');
    expect(range({ min: 2, max: 2 })).toBe('2');
    expect(range({ min: 2, max: 3 })).toBe('2–3');
  });

  it('renders a markdown table with aligned columns and escaped cells', () => {
    expect(
      markdownTable(
        ['a', 'b'],
        [
          ['x|y', '1'],
          ['two\nlines', '22'],
        ],
        ['l', 'r'],
      ),
    ).toBe(['| a | b |', '|---|---:|', '| x\\|y | 1 |', '| two lines | 22 |'].join('\n'));
  });

  const call = (
    api: string,
    versionStage?: string,
    secretId = 'arn:secret',
    versionId?: string,
  ): SecretsManagerCall => ({ api, secretId, versionStage, versionId });
  const sample = (
    step: StepSample['step'],
    calls: SecretsManagerCall[],
    invokeMs = 10,
    startMs?: number,
  ): StepSample => ({ step, calls, invokeMs, startMs, secretId: 'arn:secret', token: 'tok' });
  const rotation = (extraRead: boolean): Rotation => [
    sample(
      'createSecret',
      [
        call('DescribeSecret'),
        call('GetSecretValue', 'AWSCURRENT'),
        call('GetSecretValue', 'AWSPENDING', 'arn:secret', 'tok'),
        call('PutSecretValue'),
      ],
      20,
      100,
    ),
    sample(
      'setSecret',
      [
        call('DescribeSecret'),
        call('GetSecretValue', 'AWSCURRENT'),
        ...(extraRead ? [call('GetSecretValue', 'AWSCURRENT')] : []),
        call('GetSecretValue', 'AWSCURRENT', 'arn:master'),
      ],
      30,
      100,
    ),
    sample('testSecret', [call('DescribeSecret')], 5, 100),
    sample('finishSecret', [call('DescribeSecret'), call('UpdateSecretVersionStage')], 5, 100),
  ];

  it('counts calls per API and step as ranges over rotations, and finds reads repeated within a step', () => {
    const rotations = [rotation(false), rotation(true), rotation(true)];
    const table = callTable(rotations);
    expect(table.apis).toEqual(['DescribeSecret', 'GetSecretValue', 'PutSecretValue', 'UpdateSecretVersionStage']);
    expect(table.count('GetSecretValue', 'setSecret')).toEqual({ min: 2, max: 3 });
    expect(table.count('DescribeSecret', 'rotation')).toEqual({ min: 4, max: 4 });
    expect(table.count('all', 'rotation')).toEqual({ min: 10, max: 11 });
    expect(repeatedReadFindings(rotations)).toEqual([
      { step: 'setSecret', call: 'GetSecretValue(the secret, VersionStage=AWSCURRENT)', times: 2, rotations: 2 },
    ]);
    expect(describeCall(call('GetSecretValue', 'AWSPENDING', 'arn:other', 'v9'), 'arn:secret', 'tok')).toBe(
      'GetSecretValue(another secret, VersionStage=AWSPENDING, VersionId=another version)',
    );
    expect(describeCall({ api: 'GetRandomPassword' }, 'arn:secret', 'tok')).toBe('GetRandomPassword');
  });

  it('holds the objects after full GC to 20%, not the compiled code that grows beside them', () => {
    const table = fleetTable(
      [
        { secrets: 10, perSecretMs: [10], ...memory(80, 20, 15, 10, 3) },
        { secrets: 500, perSecretMs: [10], ...memory(120, 50, 40, 13, 5.5) },
      ],
      markdownTable,
    );
    // 13 MiB in use is 1.30 of 10, but 7.5 of it is objects (1.07 of 7.0) and 5.5 compiled code.
    expect(table).toContain('| 500 | 10.0 | 10.0 | 1.00 | 120.0 | 50.0 | 13.0 | 1.30 | 7.5 | 1.07 | 5.5 |');
  });

  it('renders the machine, the zips, the time and call tables, and what was not measured', () => {
    const report = renderReport({
      date: new Date('2026-01-02T03:04:05.678Z'),
      machine: { cpu: 'Test CPU × 2', memory: '4.0 GiB', os: 'TestOS', loadAverage: '0.10 0.20 0.30' },
      versions: { node22: 'v22.1.0', bench: 'v22.1.0', moto: '5.2.5', postgres: '16.1' },
      revision: 'abc123',
      rotations: 2,
      loadRuns: 2,
      loadQuiet: { quiet: true, waitedMs: 4200, lastIdle: 0.97 },
      fleetSizes: [2, 4],
      rotators: [
        {
          name: 'demo',
          zip: { bytes: 1234, sha256: 'f'.repeat(64), budget: 1000 },
          target: 'none',
          moduleLoad: { bare: [40, 42], load: [80, 84], importMs: [30, 32] },
          runs: {
            nodeVersion: 'v22.1.0',
            cold: [rotation(false), rotation(false)],
            warmUp: rotation(false),
            warm: [rotation(true), rotation(false)],
          },
          stepLoads: [
            { step: 'createSecret', files: ['index.mjs', 'chunks/a.mjs'], drivers: [] },
            { step: 'setSecret', files: ['index.mjs', 'chunks/a.mjs', 'chunks/pg.mjs'], drivers: ['pg'] },
          ],
          fleet: [
            { secrets: 2, perSecretMs: [10, 12], ...memory(50, 30, 20, 10, 4) },
            { secrets: 4, perSecretMs: [14, 14, 14, 14], ...memory(51, 31, 21, 12.5, 4) },
          ],
          problems: [],
        },
        { name: 'later', zip: { bytes: 99, sha256: '0'.repeat(64) }, problems: ['rotations not measured: no target'] },
      ],
    });
    expect(report).toContain('| date | 2026-01-02T03:04:05Z |');
    expect(report).toContain('at least 90% idle for 3 s in a row (the bench waited 4 s for that');
    expect(report).toContain('| MariaDB | not started (no rotator needed it) |');
    expect(report).toContain(`| demo | 1234 | 1 | 1 (over) | \`${'f'.repeat(64)}\` |`);
    expect(report).toContain(`| later | 99 | 0 | – | \`${'0'.repeat(64)}\` |`);
    expect(report).toContain('| demo | 2 files; no driver | 3 files; pg | – | – |');
    expect(report).toContain('| 2 | 11.0 | 11.0 | 1.00 | 50.0 | 30.0 | 10.0 | 1.00 | 6.0 | 1.00 | 4.0 |');
    expect(report).toContain('| 4 | 14.0 | 14.0 | 1.27 (over) | 51.0 | 31.0 | 12.5 | 1.25 | 8.5 | 1.42 (over) | 4.0 |');
    expect(report).toContain('| demo | 41.0 | 82.0 | 41.0 | yes | 31.0 |');
    expect(report).toContain(
      '| createSecret | 100.0 / 100.0 / 100.0 | 20.0 / 20.0 / 20.0 | 120.0 / 120.0 / 120.0 | 20.0 / 20.0 / 20.0 |',
    );
    expect(report).toContain(
      '| whole rotation | 400.0 / 400.0 / 400.0 | 60.0 / 60.0 / 60.0 | 460.0 / 460.0 / 460.0 | 60.0 / 60.0 / 60.0 |',
    );
    expect(report).toContain('| GetSecretValue | 2 | 2–3 | 0 | 0 | 4–5 |');
    expect(report).toContain('- setSecret: GetSecretValue(the secret, VersionStage=AWSCURRENT) ×2, in 1 rotation');
    expect(report).toContain('- finishSecret: DescribeSecret(the secret) → UpdateSecretVersionStage(the secret)');
    expect(report).toContain('- **later**: rotations not measured: no target');
  });
});
