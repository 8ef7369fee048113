/**
 * Run a built rotator zip the way Lambda would: unpacked alone into an empty folder (no
 * node_modules anywhere above it), loaded by Node 22 (the nodejs22.x runtime's major) in a child
 * process, `index.handler` of index.mjs invoked once per event. The child lives across
 * invocations, so configuration is read once, as at a Lambda cold start. With `traceModules`, the
 * child records which of the zip's files it has loaded so far (loadedFiles()), to show that a step
 * loads no driver it does not use.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import yauzl from 'yauzl';
import { appendCapturedOutput } from './logCapture.ts';
import { node22Binary } from './paths.ts';
import type { RotationInvocation } from './rotationService.ts';

export interface ZipFunction {
  /** `process.version` of the child, e.g. "v22.23.3". */
  readonly nodeVersion: string;
  readonly directory: string;
  invoke(event: RotationInvocation | Record<string, unknown>): Promise<unknown>;
  /**
   * The zip's files the child has loaded so far, as paths in the zip ("index.mjs", "chunks/…"); needs
   * `traceModules`.
   */
  loadedFiles(): Promise<string[]>;
  /**
   * The child's process.memoryUsage(), in bytes; with `afterFullGc` (needs `exposeGc`), taken after
   * two full garbage collections, so heapUsed is what is still reachable.
   */
  memoryUsage(options?: { afterFullGc?: boolean }): Promise<NodeJS.MemoryUsage>;
  /**
   * The bytes in use in each of V8's heap spaces (old_space, code_space, …) after two full garbage
   * collections (needs `exposeGc`): which part of the heap still in use is objects and which is
   * compiled code.
   */
  heapSpacesAfterFullGc(): Promise<Record<string, number>>;
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/** An error thrown by the handler inside the zip, as the runtime would report it. */
export class ZipInvocationError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

const INVOKE_TIMEOUT_MS = 120_000;

export interface ZipFunctionOptions {
  /** Record the zip's files as the child loads them (a module hook; off for timing runs). */
  traceModules?: boolean;
  /**
   * Start the child with --expose-gc, for memoryUsage({ afterFullGc: true }) and
   * heapSpacesAfterFullGc(): a benchmark that tells memory still in use from memory V8 has not
   * collected yet. Lambda starts without it.
   */
  exposeGc?: boolean;
}

const DRIVER = `
const { pathToFileURL } = require('node:url');
const zipUrl = pathToFileURL(process.env.ROTATOR_ZIP_DIR + '/').href;
const loaded = [];
if (process.env.ROTATOR_TRACE_MODULES === '1') {
  require('node:module').registerHooks({
    load(url, context, nextLoad) {
      if (url.startsWith(zipUrl)) loaded.push(url.slice(zipUrl.length));
      return nextLoad(url, context);
    },
  });
}
const loading = import(zipUrl + 'index.mjs');
// Twice: the first collection can leave objects that finalizers of the first let go.
const collectFully = () => {
  global.gc();
  global.gc();
};
process.on('message', async ({ id, event, query }) => {
  if (query === 'loadedFiles') return process.send({ id, ok: true, result: loaded });
  if (query === 'memoryUsage') return process.send({ id, ok: true, result: process.memoryUsage() });
  if (query === 'memoryUsageAfterFullGc') {
    collectFully();
    return process.send({ id, ok: true, result: process.memoryUsage() });
  }
  if (query === 'heapSpacesAfterFullGc') {
    collectFully();
    const spaces = require('node:v8').getHeapSpaceStatistics();
    const result = Object.fromEntries(spaces.map((s) => [s.space_name, s.space_used_size]));
    return process.send({ id, ok: true, result });
  }
  try {
    const { handler } = await loading;
    const result = await handler(event);
    process.send({ id, ok: true, result: result === undefined ? null : result });
  } catch (error) {
    process.send({ id, ok: false, error: { name: error && error.name, message: error && error.message } });
  }
});
loading.then(
  () => process.send({ ready: true, version: process.version }),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
`;

export async function startZipFunction(
  zipFile: string,
  env: Record<string, string>,
  options: ZipFunctionOptions = {},
): Promise<ZipFunction> {
  const directory = mkdtempSync(join(tmpdir(), 'rotator-zip-'));
  const driverDir = mkdtempSync(join(tmpdir(), 'rotator-driver-'));
  await unzip(zipFile, directory);
  const driver = join(driverDir, 'driver.cjs');
  writeFileSync(driver, DRIVER);

  let output = '';
  const child: ChildProcess = fork(driver, [], {
    execPath: node22Binary(),
    // Not the test runner's flags (vitest adds --require and --conditions): Lambda starts bare.
    execArgv: options.exposeGc ? ['--expose-gc'] : [],
    cwd: directory,
    // Only what Lambda would set, plus the caller's configuration: nothing leaks in from the test runner.
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ROTATOR_ZIP_DIR: directory,
      ...(options.traceModules ? { ROTATOR_TRACE_MODULES: '1' } : {}),
      AWS_LAMBDA_FUNCTION_NAME: 'rotator-under-test',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output += text;
    appendCapturedOutput(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const removeFolders = () => {
    rmSync(directory, { recursive: true, force: true });
    rmSync(driverDir, { recursive: true, force: true });
  };
  const nodeVersion = await new Promise<string>((resolveReady, reject) => {
    child.once('message', (message: { ready?: boolean; version?: string }) =>
      message.ready ? resolveReady(message.version ?? '') : reject(new Error('unexpected first message')),
    );
    child.once('exit', (code) => reject(new Error(`zip function exited during start (code ${code}): ${output}`)));
  }).catch((error: unknown) => {
    // A cold start that fails (bad configuration) must not leave the unpacked zip behind.
    child.kill('SIGKILL');
    removeFolders();
    throw error;
  });

  let nextId = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const ask = (message: Record<string, unknown>): Promise<unknown> => {
    const id = nextId++;
    return new Promise((resolveAnswer, reject) => {
      pending.set(id, { resolve: resolveAnswer, reject });
      child.send({ id, ...message });
    });
  };
  child.on(
    'message',
    (message: { id?: number; ok?: boolean; result?: unknown; error?: { name: string; message: string } }) => {
      if (message.id === undefined) return;
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (!waiter) return;
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new ZipInvocationError(message.error?.name ?? 'Error', message.error?.message ?? ''));
    },
  );
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`zip function exited (code ${code})`));
    pending.clear();
  });

  return {
    nodeVersion,
    directory,
    invoke(event) {
      const id = nextId++;
      return new Promise((resolveInvoke, reject) => {
        // Like Lambda's own timeout: a handler that never answers fails the invocation.
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new ZipInvocationError('TimeoutError', `invocation did not finish within ${INVOKE_TIMEOUT_MS} ms`));
        }, INVOKE_TIMEOUT_MS);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolveInvoke(value);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        child.send({ id, event });
      });
    },
    async loadedFiles() {
      if (!options.traceModules) throw new Error('startZipFunction: loadedFiles() needs { traceModules: true }');
      return (await ask({ query: 'loadedFiles' })) as string[];
    },
    async memoryUsage({ afterFullGc = false } = {}) {
      if (afterFullGc && !options.exposeGc)
        throw new Error('startZipFunction: memoryUsage({ afterFullGc: true }) needs { exposeGc: true }');
      return (await ask({ query: afterFullGc ? 'memoryUsageAfterFullGc' : 'memoryUsage' })) as NodeJS.MemoryUsage;
    },
    async heapSpacesAfterFullGc() {
      if (!options.exposeGc) throw new Error('startZipFunction: heapSpacesAfterFullGc() needs { exposeGc: true }');
      return (await ask({ query: 'heapSpacesAfterFullGc' })) as Record<string, number>;
    },
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        // 'close' (not 'exit'): the child's last output is read before the leak guard looks at it.
        await new Promise<void>((r) => {
          child.once('close', () => r());
          child.kill('SIGTERM');
        });
      }
      removeFolders();
    },
  };
}

function unzip(zipFile: string, target: string): Promise<void> {
  return new Promise((resolveUnzip, reject) => {
    yauzl.open(zipFile, { lazyEntries: true }, (openError, zip) => {
      if (openError || !zip) return reject(openError);
      zip.on('error', reject);
      zip.on('end', () => resolveUnzip());
      zip.on('entry', (entry: yauzl.Entry) => {
        const destination = join(target, entry.fileName);
        if (!destination.startsWith(`${target}/`))
          return reject(new Error(`zip entry escapes the folder: ${entry.fileName}`));
        if (entry.fileName.endsWith('/')) {
          mkdir(destination, { recursive: true }).then(() => zip.readEntry(), reject);
          return;
        }
        zip.openReadStream(entry, async (streamError, stream) => {
          if (streamError || !stream) return reject(streamError);
          const chunks: Buffer[] = [];
          for await (const chunk of stream) chunks.push(chunk as Buffer);
          await mkdir(dirname(destination), { recursive: true });
          await writeFile(destination, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
      zip.readEntry();
    });
  });
}
