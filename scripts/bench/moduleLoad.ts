/**
 * Module load of a built zip: a fresh Node 22 process that imports the unpacked index.mjs (alone
 * in its folder, as Lambda unpacks it), against a bare `node -e 0` in the same run. Runs alternate
 * (bare, load, bare, load, …) so a change in the machine's load falls on both; one unmeasured run
 * of each comes first to warm the file cache. Wall time from spawn to exit, measured here; the
 * process also reports the import() alone, as it saw it.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { node22Binary, startZipFunction } from '@rotators/testkit';

export interface ModuleLoad {
  bare: number[];
  load: number[];
  /** import('./index.mjs') alone, timed inside the process. */
  importMs: number[];
}

const LOAD =
  "const t = performance.now(); import('./index.mjs').then(() => process.stdout.write(String(performance.now() - t)));";

export async function measureModuleLoad(zip: string, env: Record<string, string>, runs: number): Promise<ModuleLoad> {
  const folder = await unpack(zip, env);
  // What startZipFunction gives the function too: Lambda's own variables and the configuration.
  const childEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AWS_LAMBDA_FUNCTION_NAME: 'rotator-under-test',
    ...env,
  };
  const result: ModuleLoad = { bare: [], load: [], importMs: [] };
  try {
    await run(folder, '0', childEnv);
    await run(folder, LOAD, childEnv);
    for (let i = 0; i < runs; i += 1) {
      result.bare.push((await run(folder, '0', childEnv)).ms);
      const load = await run(folder, LOAD, childEnv);
      result.load.push(load.ms);
      result.importMs.push(Number(load.stdout));
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return result;
}

/** The zip unpacked by the test kit (which also proves it loads), copied to a folder of its own. */
async function unpack(zip: string, env: Record<string, string>): Promise<string> {
  const fn = await startZipFunction(zip, env);
  const folder = mkdtempSync(join(tmpdir(), 'rotators-bench-load-'));
  try {
    cpSync(fn.directory, folder, { recursive: true });
  } finally {
    await fn.stop();
  }
  return folder;
}

function run(cwd: string, code: string, env: Record<string, string>): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolveRun, reject) => {
    const started = performance.now();
    const child = spawn(node22Binary(), ['-e', code], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.on('error', reject);
    let ms = 0;
    child.on('exit', () => (ms = performance.now() - started));
    // 'close' comes after 'exit' and after the last output was read.
    child.on('close', (code) => {
      if (code === 0) resolveRun({ ms, stdout });
      else
        reject(
          new Error(
            `node -e exited with code ${code} while loading the zip: ${stderr.trim().split('\n').at(-1) ?? ''}`,
          ),
        );
    });
  });
}
