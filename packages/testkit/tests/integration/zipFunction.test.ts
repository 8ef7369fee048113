/**
 * startZipFunction's memory readings, on a real built zip (generic-password's; `npm test` packages
 * every rotator first): the plain reading as the function left it, and the one after full
 * collections that the fleet benchmark uses to tell a leak from memory V8 has not collected yet,
 * and the same split by V8's heap spaces (objects apart from compiled code).
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { localAwsEnv } from '../../src/aws.ts';
import { node22Binary, zipPath } from '../../src/paths.ts';
import { startZipFunction, type ZipFunction } from '../../src/zipFunction.ts';

const env = localAwsEnv('http://127.0.0.1:1');
let fn: ZipFunction | undefined;

afterEach(async () => {
  await fn?.stop();
  fn = undefined;
});

describe('startZipFunction memory readings', () => {
  it('afterFullGc collects first: the heap in use then is at most the heap V8 holds', async () => {
    fn = await startZipFunction(zipPath('generic-password'), env, { exposeGc: true });
    const plain = await fn.memoryUsage();
    const collected = await fn.memoryUsage({ afterFullGc: true });
    expect(plain.rss).toBeGreaterThan(10 * 1024 * 1024);
    // Loading the zip leaves garbage that no collection has met yet; a full one takes it.
    expect(collected.heapUsed).toBeLessThan(plain.heapUsed);
    expect(collected.heapUsed).toBeLessThanOrEqual(collected.heapTotal);
    // The loaded zip's code and the engine stay reachable: a reading of almost nothing would mean
    // the child answered before the import finished, or from another process.
    expect(collected.heapUsed).toBeGreaterThan(2 * 1024 * 1024);
  });

  it('heapSpacesAfterFullGc: the spaces add up to the heap in use, and the loaded code is in them', async () => {
    fn = await startZipFunction(zipPath('generic-password'), env, { exposeGc: true });
    const spaces = await fn.heapSpacesAfterFullGc();
    const collected = await fn.memoryUsage({ afterFullGc: true });
    const total = Object.values(spaces).reduce((sum, bytes) => sum + bytes, 0);
    // Both readings come after full collections of a process that does nothing in between.
    expect(Math.abs(total - collected.heapUsed)).toBeLessThan(0.05 * collected.heapUsed);
    // Against a bare Node 22 after the same collections: the loaded zip's objects and the bytecode
    // of its functions that ran (trusted space) are in the reading.
    const bare = JSON.parse(
      execFileSync(
        node22Binary(),
        [
          '--expose-gc',
          '-e',
          'gc(); gc(); console.log(JSON.stringify(Object.fromEntries(' +
            "require('node:v8').getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]))));",
        ],
        { encoding: 'utf8' },
      ),
    ) as Record<string, number>;
    expect(spaces.old_space).toBeGreaterThan(bare.old_space! + 1024 * 1024);
    expect(spaces.trusted_space).toBeGreaterThan(bare.trusted_space! + 128 * 1024);
    await fn.stop();
    fn = await startZipFunction(zipPath('generic-password'), env);
    await expect(fn.heapSpacesAfterFullGc()).rejects.toThrow(/needs \{ exposeGc: true \}/);
  });

  it('afterFullGc without exposeGc is refused, not answered with uncollected figures', async () => {
    fn = await startZipFunction(zipPath('generic-password'), env);
    await expect(fn.memoryUsage({ afterFullGc: true })).rejects.toThrow(/needs \{ exposeGc: true \}/);
    expect((await fn.memoryUsage()).heapUsed).toBeGreaterThan(0);
  });
});
