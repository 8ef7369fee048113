/**
 * The main job on the local default: build-free (scripts/local.sh builds first). Starts the local
 * AWS (moto), creates a secret per rotator, runs each rotator's built zip on Node 22 through real
 * rotations, and shows the staging labels before and after. Values are never printed.
 */
import {
  createSecret,
  ensureRotationFunction,
  localAwsEnv,
  readSecret,
  RotationService,
  secretsManagerClient,
  startMoto,
  startZipFunction,
  zipPath,
} from '@rotators/testkit';
import { printLabels } from './labels.ts';

const ROTATIONS = 2;

async function main(): Promise<void> {
  const moto = await startMoto();
  console.log(`local AWS (moto) at ${moto.endpoint}`);
  const client = secretsManagerClient(moto.endpoint);
  try {
    const fn = await startZipFunction(zipPath('generic-password'), localAwsEnv(moto.endpoint));
    console.log(`\n== generic-password: dist/generic-password.zip on Node ${fn.nodeVersion}`);
    try {
      const secretId = await createSecret(client, { username: 'reporting', password: 'initial-value-from-terraform' }, 'demo/generic-password');
      await printLabels(client, secretId, 'before');
      const service = new RotationService({ client, invoke: fn.invoke, rotationLambdaArn: await ensureRotationFunction(moto.endpoint) });
      for (let i = 1; i <= ROTATIONS; i += 1) {
        const { token, attempts } = await service.rotate(secretId);
        console.log(`rotation ${i}: version ${token} is AWSCURRENT (${attempts} attempt)`);
      }
      await printLabels(client, secretId, 'after');
      const current = await readSecret(client, secretId, 'AWSCURRENT');
      console.log(`  AWSCURRENT keeps its other fields: username=${String(current?.username)}`);
    } finally {
      await fn.stop();
    }
  } finally {
    await moto.stop();
  }
  console.log('\nlocal run complete');
}

main().catch((error: unknown) => {
  console.error(`local run failed: ${(error as Error).name}: ${(error as Error).message}`);
  process.exit(1);
});
