/**
 * A fleet in one warm process: the same zip function rotating 10, then 100, then 500 fresh secrets
 * (FLEET_SIZES), one after the other, as one Lambda instance would when many secrets share a
 * rotation function. Per batch: the time per secret (whole rotation, four steps and the service's
 * calls) and the function's memory after the batch. The secrets are made before their batch's
 * clock starts. Growth per secret or in memory would show a leak: a cache keyed by secret, a
 * connection left open, listeners piling up.
 *
 * Memory is read twice after each batch: as the function left it (RSS, V8's heap), then after two
 * full garbage collections (the child runs with --expose-gc, which Lambda does not). The resident
 * set follows the heap V8 has reserved, which it grows in steps and keeps; the heap still in use
 * after a full collection is what a leak would make grow.
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
  /** Heap still in use after two full collections (bytes). */
  liveHeap: number;
}

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
      const collected = await fn.memoryUsage({ afterFullGc: true });
      batches.push({
        secrets: size,
        perSecretMs,
        rss: memory.rss,
        heapTotal: memory.heapTotal,
        heapUsed: memory.heapUsed,
        liveHeap: collected.heapUsed,
      });
    }
    return batches;
  } finally {
    await fn.stop();
  }
}
