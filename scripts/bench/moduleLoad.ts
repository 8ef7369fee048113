/**
 * Module load of the built zips: a fresh Node 22 process that imports the unpacked index.mjs (alone
 * in its folder, as Lambda unpacks it), against a bare `node -e 0` in the same run. All the zips are
 * measured together, before anything rotates, in rounds: each round runs, for every zip in turn, a
 * bare start and then the load. So a change in the machine's load falls on every zip and on its
 * bare runs alike, and no zip is measured while the databases are still busy with the previous
 * rotator's fleet. One unmeasured run of each comes first to warm the file cache. Wall time from
 * spawn to exit, measured here; the process also reports the import() alone, as it saw it.
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

export interface ModuleLoadSubject {
  name: string;
  zip: string;
  env: Record<string, string>;
}

/**
 * Each subject's module load, by name; a subject whose zip does not load is left out of the map and
 * its error is in `failed`, and the others are still measured.
 */
export async function measureModuleLoads(
  subjects: ModuleLoadSubject[],
  runs: number,
): Promise<{ loads: Map<string, ModuleLoad>; failed: Map<string, unknown> }> {
  const failed = new Map<string, unknown>();
  /** The zips that loaded in their unmeasured first run; only these are measured. */
  const ready: { subject: ModuleLoadSubject; folder: string; env: Record<string, string> }[] = [];
  const folders: string[] = [];
  try {
    for (const subject of subjects) {
      try {
        const folder = await unpack(subject.zip, subject.env);
        folders.push(folder);
        // What startZipFunction gives the function too: Lambda's own variables and the configuration.
        const env = {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          AWS_LAMBDA_FUNCTION_NAME: 'rotator-under-test',
          ...subject.env,
        };
        await run(folder, '0', env);
        await run(folder, LOAD, env);
        ready.push({ subject, folder, env });
      } catch (error) {
        failed.set(subject.name, error);
      }
    }
    const loads = new Map<string, ModuleLoad>();
    for (const { subject } of ready) loads.set(subject.name, { bare: [], load: [], importMs: [] });
    for (let i = 0; i < runs; i += 1) {
      for (const { subject, folder, env } of ready) {
        if (failed.has(subject.name)) continue;
        try {
          const result = loads.get(subject.name)!;
          result.bare.push((await run(folder, '0', env)).ms);
          const load = await run(folder, LOAD, env);
          result.load.push(load.ms);
          result.importMs.push(Number(load.stdout));
        } catch (error) {
          failed.set(subject.name, error);
          loads.delete(subject.name);
        }
      }
    }
    return { loads, failed };
  } finally {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }
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
      else {
        // Node ends an uncaught error's report with its own version; the error's line says more.
        const lines = stderr.trim().split('\n');
        const reason = lines.find((line) => /^[\w.]*Error\b/.test(line)) ?? lines.at(-1) ?? '';
        reject(new Error(`node -e exited with code ${code} while loading the zip: ${reason}`));
      }
    });
  });
}
