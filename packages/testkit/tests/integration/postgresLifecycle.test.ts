/**
 * The PostgreSQL fixture's life cycle: a failed start leaves no folder behind, a process that
 * ends without stop() leaves no server running, the newest installed version is found, and a
 * root run without a `postgres` OS user says so.
 */
import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterOwner, newestPostgresBinDir } from '../../src/postgres.ts';

const EXTERNAL = Boolean(process.env.PG_TEST_HOST);
const here = dirname(fileURLToPath(import.meta.url));
const fixtureSource = resolve(here, '../../src/postgres.ts');
// tsx's loader inside a plain `node`: the tsx command would run the script in a child of its own
// whose signal relay turns SIGTERM into process.exit(), hiding what a bare signal does.
const tsxLoader = pathToFileURL(resolve(here, '../../../../node_modules/tsx/dist/esm/index.mjs')).href;
const scratch = mkdtempSync(join(tmpdir(), 'rotators-pg-lifecycle-'));
// The cluster's OS user (postgres, when the tests run as root) must reach folders made in here.
chmodSync(scratch, 0o755);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Run startPostgres in a child process (its own 'exit'), with `env` added to ours. */
async function inChild(
  mode: 'exit-without-stop' | 'sigterm' | 'start',
  env: Record<string, string>,
): Promise<Record<string, string>> {
  const script = join(scratch, `child-${mode}.mts`);
  writeFileSync(
    script,
    [
      `import { startPostgres } from ${JSON.stringify(fixtureSource)};`,
      `try {`,
      `  const server = await startPostgres({});`,
      `  console.log(JSON.stringify({ port: String(server.port), logFile: server.logFile, ` +
        `certDir: server.certificates.directory }));`,
      // Ends without stop(), as a test run cut short does: process.exit(), or killed by a signal.
      mode === 'sigterm'
        ? `  process.kill(process.pid, 'SIGTERM'); await new Promise((r) => setTimeout(r, 30_000));`
        : `  process.exit(0);`,
      `} catch (error) {`,
      `  console.log(JSON.stringify({ error: String(error.message) }));`,
      `}`,
    ].join('\n'),
  );
  const result = await promisify(execFile)(process.execPath, ['--import', tsxLoader, script], {
    env: { ...process.env, ...env, PG_TEST_HOST: '' },
    timeout: 90_000,
  }).then(
    ({ stdout }) => ({ stdout, signal: '' }),
    (error: { stdout: string; signal?: string | null; code?: number }) => ({
      stdout: error.stdout,
      signal: String(error.signal ?? error.code),
    }),
  );
  return {
    ...(JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, string>),
    ...(result.signal ? { ended: result.signal } : {}),
  };
}

function folderHolding(files: Record<string, string>): string {
  const dir = join(scratch, `bin-${Object.keys(files).join('-')}`);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  for (const [name, target] of Object.entries(files)) {
    const path = join(dir, name);
    if (target.startsWith('/')) symlinkSync(target, path);
    else {
      writeFileSync(path, target);
      chmodSync(path, 0o755);
    }
  }
  return dir;
}

describe.skipIf(EXTERNAL)(
  'startPostgres life cycle (own cluster) [skipped when PG_TEST_HOST names an external server]',
  () => {
    it.each([
      ['exits', 'exit-without-stop', undefined],
      ['is killed by SIGTERM', 'sigterm', 'SIGTERM'],
    ] as const)(
      'a process that %s without stop() leaves no server running and no folder behind',
      async (_what, mode, ended) => {
        const { port, logFile, certDir, error, ended: how } = await inChild(mode, {});
        expect(error).toBeUndefined();
        // A signal still ends the process as it would have.
        if (ended) expect(how).toBe(ended);
        else expect(how).toBeUndefined();
        expect(Number(port)).toBeGreaterThan(0);
        expect(existsSync(logFile!)).toBe(false);
        expect(existsSync(certDir!)).toBe(false);
        const client = new pg.Client({
          host: '127.0.0.1',
          port: Number(port),
          user: 'postgres',
          password: 'x',
          connectionTimeoutMillis: 2000,
        });
        client.on('error', () => undefined);
        await expect(client.connect()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      },
    );

    it.each([
      [
        'initdb fails',
        () => ({ initdb: '#!/bin/sh\necho "initdb: staged failure" >&2\nexit 1\n' }),
        /initdb failed: initdb: staged failure/,
      ],
      [
        'the server does not start',
        (real: string) => ({
          initdb: join(real, 'initdb'),
          postgres: join(real, 'postgres'),
          pg_ctl: '#!/bin/sh\necho "pg_ctl: staged failure" >&2\nexit 1\n',
        }),
        /PostgreSQL did not start: pg_ctl: staged failure/,
      ],
    ])('a failed start (%s) removes its cluster and certificate folders', async (_what, binaries, message) => {
      const real = newestPostgresBinDir()!;
      const temp = mkdtempSync(join(scratch, 'tmp-'));
      chmodSync(temp, 0o755);
      const { error } = await inChild('start', { PG_BINDIR: folderHolding(binaries(real)), TMPDIR: temp });
      expect(error).toMatch(message);
      // (tsx keeps its own cache there too.)
      expect(readdirSync(temp).filter((name) => name.startsWith('rotators-'))).toEqual([]);
    });
  },
);

describe('finding the binaries and the cluster owner', () => {
  it('picks the newest /usr/lib/postgresql/<version>/bin that has initdb, by version number', () => {
    const root = mkdtempSync(join(scratch, 'lib-'));
    for (const [version, hasInitdb] of [
      ['9.6', true],
      ['10', true],
      ['16', true],
      ['17', false],
      ['notes', true],
    ] as const) {
      mkdirSync(join(root, version, 'bin'), { recursive: true });
      if (hasInitdb) writeFileSync(join(root, version, 'bin', 'initdb'), '');
    }
    expect(newestPostgresBinDir(root)).toBe(join(root, '16', 'bin'));
    expect(newestPostgresBinDir(join(root, 'missing'))).toBeUndefined();
  });

  it('as root without the OS user for the cluster: an error that says what to do', () => {
    expect(() => clusterOwner(0, 'rotators_no_such_user')).toThrow(
      /run as root.*OS user "rotators_no_such_user", which does not exist.*PG_TEST_HOST/,
    );
    expect(clusterOwner(1234, 'rotators_no_such_user')).toMatchObject({ uid: 1234, prefix: [] });
  });
});
