/**
 * A fleet in one warm process: the same zip function rotating 10, then 100, then 500 fresh secrets
 * (FLEET_SIZES), one after the other, as one Lambda instance would when many secrets share a
 * rotation function. Per batch: the time per secret (whole rotation, four steps and the service's
 * calls) and the function's memory after the batch. The secrets are made before their batch's
 * clock starts. Growth per secret or in memory would show a leak: a cache keyed by secret, a
 * connection left open, listeners piling up.
 *
 * Memory is read twice after each batch: as the function left it (RSS, V8's heap), then after two
 * full garbage collections (the child runs with --expose-gc, which Lambda does not), by V8's heap
 * spaces. The resident set follows the heap V8 has reserved, which it grows in steps and keeps; the
 * objects still in use after a full collection are what a leak would make grow, apart from the
 * compiled code and bytecode, which grow as more functions are compiled and optimized.
 */
import { performance } from 'node:perf_hooks';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { RotationService, startZipFunction } from '@rotators/testkit';

export interface FleetBatch {
  secrets: number;
  /** Wall time per rotation, in rotation order. */
  perSecretMs: number[];
  /** The function's resident set and V8's reserved and used heap after the batch (bytes). */
  rss: number;
  heapTotal: number;
  heapUsed: number;
  /** Heap still in use after two full collections (bytes), all of V8's spaces. */
  liveHeap: number;
  /**
   * The part of liveHeap that is compiled code and bytecode (V8's code and trusted spaces): it grows
   * as more of the zip's functions are compiled and optimized, leak or not.
   */
  liveCode: number;
}

/** V8's heap spaces that hold compiled code and bytecode, not the program's objects. */
const CODE_SPACES = ['code_space', 'code_large_object_space', 'trusted_space', 'trusted_large_object_space'];

export interface FleetOptions {
  zip: string;
  env: Record<string, string>;
  client: SecretsManagerClient;
  rotationLambdaArn: string;
  sizes: number[];
  newSecret(): Promise<string>;
  progress(message: string): void;
}

export async function measureFleet(options: FleetOptions): Promise<FleetBatch[]> {
  const fn = await startZipFunction(options.zip, options.env, { exposeGc: true });
  const service = new RotationService({
    client: options.client,
    invoke: fn.invoke,
    rotationLambdaArn: options.rotationLambdaArn,
    maxAttempts: 1,
  });
  const batches: FleetBatch[] = [];
  try {
    // One untimed rotation first, so the first batch does not carry the cold start.
    await service.rotate(await options.newSecret());
    for (const size of options.sizes) {
      options.progress(`fleet: making ${size} secrets`);
      const secrets: string[] = [];
      for (let i = 0; i < size; i += 1) secrets.push(await options.newSecret());
      options.progress(`fleet: rotating ${size} secrets`);
      const perSecretMs: number[] = [];
      for (const secretId of secrets) {
        const started = performance.now();
        await service.rotate(secretId);
        perSecretMs.push(performance.now() - started);
      }
      const memory = await fn.memoryUsage();
      const spaces = await fn.heapSpacesAfterFullGc();
      const sum = (names: string[]) => names.reduce((total, name) => total + (spaces[name] ?? 0), 0);
      batches.push({
        secrets: size,
        perSecretMs,
        rss: memory.rss,
        heapTotal: memory.heapTotal,
        heapUsed: memory.heapUsed,
        liveHeap: sum(Object.keys(spaces)),
        liveCode: sum(CODE_SPACES),
      });
    }
    return batches;
  } finally {
    await fn.stop();
  }
}
