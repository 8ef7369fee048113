/**
 * The main job on the local default (scripts/local.sh builds the zips first): start the local AWS
 * (moto), `terraform apply` every example whose rotator is built, rotate the secrets Terraform
 * created with the built zips on Node 22 — with the environment Terraform gave each function —
 * against real local targets, show the staging labels before and after, check that Terraform sees
 * no drift, then destroy everything and stop every server. Values are never printed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  LOCAL_REGION,
  localAwsEnv,
  readSecret,
  repoRoot,
  RotationService,
  secretsManagerClient,
  startMoto,
  zipPath,
} from '@rotators/testkit';
import { clearStrayPending, type DeployedFunction, startDeployedFunction } from '../terraform/deployedFunction.ts';
import { TerraformRoot, terraformEnvironment } from '../terraform/terraformRoot.ts';
import { printLabels } from './labels.ts';
import { type Target, targets } from './targets.ts';

const ROTATIONS = 2;

interface Example {
  rotator: string;
  target?: Target;
  root?: TerraformRoot;
  outputs?: Record<string, string>;
  /** The example's own copy of the zip: what Terraform deployed and what runs below. */
  zip?: string;
  fn?: DeployedFunction;
  error?: string;
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(0)} s`;

async function main(): Promise<void> {
  const env = await terraformEnvironment();
  const moto = await startMoto();
  console.log(
    `local AWS (moto) at ${moto.endpoint}; Terraform providers from ${env.TF_MIRROR || 'the public registry'}`,
  );
  const client = secretsManagerClient(moto.endpoint);
  const examples: Example[] = Object.keys(targets).map((rotator) => ({ rotator }));
  try {
    for (const example of examples) {
      if (!existsSync(zipPath(example.rotator)))
        example.error = `skipped: packages/${example.rotator}/dist/${example.rotator}.zip is not built`;
    }

    // Targets and `terraform apply` for every example at once: most of the time is Terraform waiting.
    let started = performance.now();
    console.log(
      `\nterraform apply: ${examples
        .filter((e) => !e.error)
        .map((e) => `examples/${e.rotator}`)
        .join(', ')} …`,
    );
    await Promise.all(examples.filter((e) => !e.error).map((example) => deploy(example, moto.endpoint)));
    console.log(`  done in ${seconds(started)}`);
    for (const example of examples) if (example.error) console.log(`  ${example.rotator}: ${example.error}`);
    console.log(
      '\nEach function runs as the built zip on Node 22 with the environment Terraform gave it. moto never\n' +
        'runs functions and leaves an empty AWSPENDING when rotation is turned on; it is removed first, as\n' +
        'the service would. The version Terraform wrote keeps a TERRAFORM_MANAGED label so it is never\n' +
        'deleted (and re-created by the next plan) once rotations have moved the AWS labels away.',
    );

    for (const example of examples.filter((e) => !e.error)) {
      try {
        await rotate(example, client, moto.endpoint);
      } catch (error) {
        example.error = `rotation failed: ${(error as Error).name}: ${(error as Error).message}`;
        console.log(`  ${example.error}`);
      }
    }

    // What an operator sees with the CLI (packages/cli), on the same secrets.
    console.log('\nrotators status (the operator CLI) …');
    for (const example of examples.filter((e) => e.outputs && !e.error)) operatorStatus(example, moto.endpoint);

    // After the rotations Terraform must see nothing to change: the rotator owns the value.
    started = performance.now();
    console.log('\nterraform plan (after the rotations) and destroy …');
    await Promise.all(examples.filter((e) => e.root).map((example) => planAndDestroy(example)));
    console.log(`  done in ${seconds(started)}`);
  } finally {
    await Promise.all(
      examples.map(async (example) => {
        await example.fn?.zip.stop();
        if (example.root && example.outputs) await example.root.destroy().catch(() => undefined);
        example.root?.remove();
        await example.target?.stop();
      }),
    );
    await moto.stop();
  }
  const failed = examples.filter((e) => e.error && !e.error.startsWith('skipped'));
  if (failed.length > 0) throw new Error(failed.map((e) => `${e.rotator}: ${e.error}`).join('; '));
  console.log('\nlocal run complete: every resource destroyed, every server stopped');
}

/** `rotators status <secret>` against moto, as an operator would run it; a verdict other than healthy fails the run. */
function operatorStatus(example: Example, endpoint: string): void {
  const bin = join(repoRoot, 'node_modules', '.bin', 'rotators');
  const result = spawnSync(
    bin,
    ['status', example.outputs!.secret_arn!, '--endpoint', endpoint, '--region', LOCAL_REGION],
    {
      env: { ...process.env, ...localAwsEnv(endpoint) },
      encoding: 'utf8',
    },
  );
  console.log(`\n$ rotators status <${example.rotator} secret> --endpoint <moto>\n${result.stdout.trimEnd()}`);
  if (result.status !== 0)
    example.error =
      `rotators status exited ${result.status}: ` + `${(result.stderr || result.stdout).trim().split('\n').at(-1)}`;
}

async function deploy(example: Example, endpoint: string): Promise<void> {
  try {
    example.target = await targets[example.rotator]!();
    const root = TerraformRoot.prepare(example.rotator, {
      ...example.target.variables,
      endpoint,
      name: `local-${example.rotator}`,
      // moto leaves an AWSPENDING behind when rotation is turned on either way; see clearStrayPending.
      rotate_immediately: 'false',
      recovery_window_in_days: '0',
    });
    example.root = root;
    example.zip = root.snapshot(zipPath(example.rotator));
    root.setVariable('zip_path', example.zip);
    await root.init();
    await root.apply();
    example.outputs = await root.outputs();
  } catch (error) {
    example.error = `deploy failed: ${(error as Error).message.split('\n')[0]}`;
  }
}

async function rotate(
  example: Example,
  client: ReturnType<typeof secretsManagerClient>,
  endpoint: string,
): Promise<void> {
  const { rotator, outputs } = example;
  const secretId = outputs!.secret_arn!;
  const fn = await startDeployedFunction(endpoint, outputs!.function_name!, example.zip!);
  example.fn = fn;
  console.log(`\n== ${rotator}: function ${outputs!.function_name}, dist/${rotator}.zip on Node ${fn.zip.nodeVersion}`);
  await clearStrayPending(client, secretId);
  await printLabels(client, secretId, 'before');
  const service = new RotationService({
    client,
    invoke: fn.zip.invoke,
    rotationLambdaArn: outputs!.function_arn!,
    maxAttempts: 1,
  });
  for (let i = 1; i <= ROTATIONS; i += 1) {
    const { token } = await service.rotate(secretId);
    console.log(`rotation ${i}: version ${token} is AWSCURRENT`);
  }
  await printLabels(client, secretId, 'after');
  const current = (await readSecret(client, secretId, 'AWSCURRENT'))!;
  const previous = await readSecret(client, secretId, 'AWSPREVIOUS');
  console.log(`check: ${await example.target!.check({ current, previous })}`);
}

async function planAndDestroy(example: Example): Promise<void> {
  const root = example.root!;
  if (example.outputs) {
    const plan = await root.plan();
    const verdict =
      plan.code === 0
        ? 'no changes'
        : plan.code === 2
          ? 'CHANGES (unexpected)'
          : `failed (${plan.stderr.trim().split('\n')[0]})`;
    console.log(`  ${example.rotator}: plan ${verdict}`);
    if (plan.code !== 0) example.error ??= `plan after the rotations: ${verdict}`;
  }
  await example.fn?.zip.stop();
  example.fn = undefined;
  const resources = (await root.stateResources()).filter((address) => !/(^|\.)data\./.test(address)).length;
  await root.destroy();
  example.outputs = undefined;
  console.log(`  ${example.rotator}: destroyed ${resources} resources`);
}

main().catch((error: unknown) => {
  console.error(`local run failed: ${(error as Error).name}: ${(error as Error).message}`);
  process.exit(1);
});
