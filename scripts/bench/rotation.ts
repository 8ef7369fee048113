/**
 * Benchmark: what a rotation costs, measured on the built zip as Lambda would run it (Node 22,
 * unpacked alone), against the local Secrets Manager (moto). Figures for README/notes come from
 * here, never from a test's timing.
 *
 *   npm run bench                   (ROTATIONS=30 COLD_STARTS=5 by default)
 *
 * Reports, for generic-password (no target, so it isolates the engine and Secrets Manager calls):
 * the cold start (process start to handler loaded), whole rotations and each step, as median, p95
 * and max. moto answers faster than AWS, so read these as the function's own overhead.
 */
import { performance } from 'node:perf_hooks';
import {
  createSecret,
  ensureRotationFunction,
  localAwsEnv,
  RotationService,
  type RotationInvocation,
  secretsManagerClient,
  startMoto,
  startZipFunction,
  zipPath,
} from '@rotators/testkit';

const ROTATIONS = Number(process.env.ROTATIONS ?? 30);
const COLD_STARTS = Number(process.env.COLD_STARTS ?? 5);

function summary(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `${label.padEnd(28)} n=${String(sorted.length).padStart(3)}  median ${at(0.5).toFixed(1).padStart(7)} ms  p95 ${at(0.95).toFixed(1).padStart(7)} ms  max ${sorted.at(-1)!.toFixed(1).padStart(7)} ms`;
}

async function main(): Promise<void> {
  const moto = await startMoto();
  const client = secretsManagerClient(moto.endpoint);
  const env = localAwsEnv(moto.endpoint);
  const zip = zipPath('generic-password');
  try {
    const coldStarts: number[] = [];
    for (let i = 0; i < COLD_STARTS; i += 1) {
      const started = performance.now();
      const fn = await startZipFunction(zip, env);
      coldStarts.push(performance.now() - started);
      await fn.stop();
    }

    const fn = await startZipFunction(zip, env);
    const steps: Record<string, number[]> = { createSecret: [], setSecret: [], testSecret: [], finishSecret: [] };
    const invoke = async (event: RotationInvocation) => {
      const started = performance.now();
      const result = await fn.invoke(event);
      steps[event.Step]!.push(performance.now() - started);
      return result;
    };
    const service = new RotationService({ client, invoke, rotationLambdaArn: await ensureRotationFunction(moto.endpoint), maxAttempts: 1 });
    const secretId = await createSecret(client, { password: 'bench-initial-password' }, 'bench');
    const rotations: number[] = [];
    for (let i = 0; i < ROTATIONS; i += 1) {
      const started = performance.now();
      await service.rotate(secretId);
      rotations.push(performance.now() - started);
    }
    await fn.stop();

    console.log(`generic-password.zip on Node ${fn.nodeVersion}, moto ${moto.endpoint}`);
    console.log(summary('cold start (fork → loaded)', coldStarts));
    console.log(summary('whole rotation (service)', rotations));
    for (const [step, samples] of Object.entries(steps)) console.log(summary(`  ${step}`, samples));
  } finally {
    await moto.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).name}: ${(error as Error).message}`);
  process.exit(1);
});
