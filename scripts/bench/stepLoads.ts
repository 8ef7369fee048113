/**
 * What each step loads: one whole rotation, every step in a fresh Node 22 process (a cold start per
 * step, the worst case for lazy loading), with the zip's module loads traced. For each step, the
 * files of the zip it loaded and the driver packages in them (bundleContents.ts). Not timed: the
 * trace hook would distort the figures of rotations.ts.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { RotationService, type Step, startZipFunction } from '@rotators/testkit';
import { driversIn } from './bundleContents.ts';

export interface StepLoad {
  step: Step;
  /** Paths inside the zip, in load order. */
  files: string[];
  /** Driver packages (DRIVER_PACKAGES) in those files. */
  drivers: string[];
}

export interface StepLoadOptions {
  rotator: string;
  zip: string;
  env: Record<string, string>;
  client: SecretsManagerClient;
  rotationLambdaArn: string;
  secretId: string;
}

export async function measureStepLoads(options: StepLoadOptions): Promise<StepLoad[]> {
  const loads: StepLoad[] = [];
  const service = new RotationService({
    client: options.client,
    rotationLambdaArn: options.rotationLambdaArn,
    maxAttempts: 1,
    invoke: async (event) => {
      const fn = await startZipFunction(options.zip, options.env, { traceModules: true });
      try {
        await fn.invoke(event);
        const files = await fn.loadedFiles();
        loads.push({ step: event.Step, files, drivers: driversIn(options.rotator, files) });
      } finally {
        await fn.stop();
      }
    },
  });
  await service.rotate(options.secretId);
  return loads;
}
