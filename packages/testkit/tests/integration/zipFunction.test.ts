/**
 * startZipFunction's memory readings, on a real built zip (generic-password's; `npm test` packages
 * every rotator first): the plain reading as the function left it, and the one after full
 * collections that the fleet benchmark uses to tell a leak from memory V8 has not collected yet.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { localAwsEnv } from '../../src/aws.ts';
import { zipPath } from '../../src/paths.ts';
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

  it('afterFullGc without exposeGc is refused, not answered with uncollected figures', async () => {
    fn = await startZipFunction(zipPath('generic-password'), env);
    await expect(fn.memoryUsage({ afterFullGc: true })).rejects.toThrow(/needs \{ exposeGc: true \}/);
    expect((await fn.memoryUsage()).heapUsed).toBeGreaterThan(0);
  });
});
