/**
 * The lifecycle every terraform/tests file drives for its example, registered once here: prepare a
 * private TerraformRoot (moto endpoint, a unique name, the built zip snapshotted as zip_path),
 * init; apply and plan again with no changes; start the deployed function and check the zip it
 * runs; rotate through moto; plan with no changes after the rotations, destroy; and in afterAll
 * stop the function, destroy what a failed test left, remove the copy. A test file adds only what
 * is its rotator's own: the target server, its variables, its environment and on-target checks.
 *
 * Call useExample() inside a describe; tests run in the order they are registered, so register
 * itApplies, itDeployed, the file's own rotation tests, then itPlansNoChangesThenDestroys.
 */
import { randomUUID } from 'node:crypto';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { RotationService, secretsManagerClient, zipPath } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  clearStrayPending,
  codeSha256,
  type DeployedFunction,
  stagesOf,
  startDeployedFunction,
} from './deployedFunction.ts';
import { TerraformRoot } from './terraformRoot.ts';

export interface ExampleOptions {
  /** Prefix of the `name` variable (a random suffix is added, so parallel runs never collide). */
  namePrefix: string;
  /** Runs first in beforeAll (start the target server, create its users); returns the example's own variables. */
  start?: () => Promise<Record<string, string>> | Record<string, string>;
  /** Runs last in afterAll, after the destroy (stop the target server). */
  stop?: () => Promise<void>;
}

export interface ExampleUnderTest {
  readonly root: TerraformRoot;
  /** The snapshot of the built zip that Terraform deployed and the function runs. */
  readonly zip: string;
  /** Terraform's outputs, read after apply. */
  readonly outputs: Record<string, string>;
  /** The deployed function, running (started by itDeployed). */
  readonly fn: DeployedFunction;
  client(): SecretsManagerClient;
  /** Registers "applies, and a second plan has no changes"; `check` adds assertions on the outputs. */
  itApplies(check?: (outputs: Record<string, string>) => void | Promise<void>): void;
  /**
   * Registers `title`: starts the deployed function, checks it runs the snapshot zip with
   * index.handler on nodejs22.x (plus `configuration`), then the file's own `check`.
   */
  itDeployed(
    title: string,
    configuration: Partial<FunctionConfiguration>,
    check?: (fn: DeployedFunction) => void | Promise<void>,
  ): void;
  /**
   * Registers the configuration test Secrets Manager runs when rotation is turned on with
   * rotate_immediately = false (as these examples are applied): testSecret alone, on the real
   * target, through the deployed function. It must pass and change nothing.
   */
  itPassesConfigurationTest(): void;
  /**
   * Clears moto's stray AWSPENDING on the example's secret and gives a RotationService that invokes
   * the deployed function.
   */
  rotation(options?: { maxAttempts?: number }): Promise<{ secretId: string; service: RotationService }>;
  /** Asserts the version Terraform tracks kept its own label alone, so Secrets Manager never deletes it. */
  expectTerraformVersionKept(): Promise<void>;
  /** Registers "plans no changes after the rotations, then destroys everything"; `check` runs after the destroy. */
  itPlansNoChangesThenDestroys(check?: () => void | Promise<void>): void;
}

export function useExample(example: string, options: ExampleOptions): ExampleUnderTest {
  let root: TerraformRoot | undefined;
  let zip: string | undefined;
  let outputs: Record<string, string> | undefined;
  let fn: DeployedFunction | undefined;
  let destroyed = false;
  const client = () => secretsManagerClient(motoEndpoint());
  const required = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new Error(`${example}: ${what} is not there yet (an earlier step failed or was skipped)`);
    return value;
  };

  beforeAll(async () => {
    const own = (await options.start?.()) ?? {};
    root = TerraformRoot.prepare(example, {
      endpoint: motoEndpoint(),
      name: `${options.namePrefix}-${randomUUID().slice(0, 8)}`,
      // With false, Secrets Manager only runs a configuration test (testSecret alone) when rotation
      // is turned on; moto runs nothing but leaves a stray AWSPENDING either way (clearStrayPending).
      rotate_immediately: 'false',
      recovery_window_in_days: '0',
      ...own,
    });
    // Terraform and the zip run by the tests use the same bytes (see snapshot).
    zip = root.snapshot(zipPath(example));
    root.setVariable('zip_path', zip);
    await root.init();
  });

  afterAll(async () => {
    await fn?.zip.stop();
    if (root && !destroyed) await root.destroy().catch(() => undefined);
    root?.remove();
    await options.stop?.();
  });

  const underTest: ExampleUnderTest = {
    get root() {
      return required(root, 'the Terraform root');
    },
    get zip() {
      return required(zip, 'the zip snapshot');
    },
    get outputs() {
      return required(outputs, 'the outputs (apply)');
    },
    get fn() {
      return required(fn, 'the deployed function');
    },
    client,

    itApplies(check) {
      it('applies, and a second plan has no changes', async () => {
        await underTest.root.apply();
        outputs = await underTest.root.outputs();
        await check?.(outputs);
        const second = await underTest.root.plan();
        expect(second.code, second.stdout).toBe(0);
      });
    },

    itDeployed(title, configuration, check) {
      it(title, async () => {
        fn = await startDeployedFunction(motoEndpoint(), underTest.outputs.function_name!, underTest.zip);
        expect(fn.configuration).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs22.x', ...configuration });
        expect(fn.configuration.CodeSha256).toBe(codeSha256(underTest.zip));
        await check?.(fn);
      });
    },

    itPassesConfigurationTest() {
      it(
        'passes the configuration test Secrets Manager runs with rotate_immediately = false ' +
          '(testSecret alone), changing nothing',
        async () => {
          const { secretId, service } = await underTest.rotation();
          // Versions that still carry a label: moto keeps the test's version, label-less, once it is removed.
          const labelled = async () =>
            Object.fromEntries(
              Object.entries(await stagesOf(client(), secretId)).filter(([, labels]) => labels.length > 0),
            );
          const before = await labelled();
          await service.testOnly(secretId);
          expect(await labelled()).toEqual(before);
          expect(underTest.fn.zip.output()).toContain('configuration test');
        },
      );
    },

    async rotation({ maxAttempts } = {}) {
      const secretId = underTest.outputs.secret_arn!;
      await clearStrayPending(client(), secretId);
      const service = new RotationService({
        client: client(),
        invoke: underTest.fn.zip.invoke,
        rotationLambdaArn: underTest.outputs.function_arn!,
        ...(maxAttempts === undefined ? {} : { maxAttempts }),
      });
      return { secretId, service };
    },

    async expectTerraformVersionKept() {
      const stages = await stagesOf(client(), underTest.outputs.secret_arn!);
      expect(Object.values(stages).filter((labels) => labels.includes('TERRAFORM_MANAGED'))).toEqual([
        ['TERRAFORM_MANAGED'],
      ]);
    },

    itPlansNoChangesThenDestroys(check) {
      it('plans no changes after the rotations, then destroys everything', async () => {
        const afterRotation = await underTest.root.plan();
        expect(afterRotation.code, afterRotation.stdout).toBe(0);
        await underTest.root.destroy();
        destroyed = true;
        expect(await underTest.root.stateResources()).toEqual([]);
        await check?.();
      });
    },
  };
  return underTest;
}
