/**
 * examples/generic-password against moto: apply, a second plan with no changes, rotations of the
 * secret Terraform created by the built zip with the environment Terraform gave the function, a
 * plan with no changes after the rotations, destroy.
 */
import { randomUUID } from 'node:crypto';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { readSecret, rememberSecret, RotationService, secretsManagerClient, zipPath } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asList, clearStrayPending, codeSha256, type DeployedFunction, deployedInvokePolicy, deployedRolePolicy, stagesOf, startDeployedFunction } from '../../scripts/terraform/deployedFunction.ts';
import { TerraformRoot } from '../../scripts/terraform/terraformRoot.ts';


describe('examples/generic-password on moto', () => {
  const initialPassword = `initial-${randomUUID()}`;
  rememberSecret(initialPassword);
  let root: TerraformRoot;
  let zip: string;
  let outputs: Record<string, string>;
  let fn: DeployedFunction | undefined;
  let destroyed = false;
  const client = () => secretsManagerClient(motoEndpoint());

  beforeAll(async () => {
    root = TerraformRoot.prepare('generic-password', {
      endpoint: motoEndpoint(),
      name: `tf-generic-${randomUUID().slice(0, 8)}`,
      initial_password: initialPassword,
      // See clearStrayPending: either value leaves moto's stray AWSPENDING; false is what AWS
      // would do least with (it runs no rotation when turning rotation on).
      rotate_immediately: 'false',
      recovery_window_in_days: '0',
    });
    // Terraform and the zip run below use the same bytes (see snapshot).
    zip = root.snapshot(zipPath('generic-password'));
    root.setVariable('zip_path', zip);
    await root.init();
  });

  afterAll(async () => {
    await fn?.zip.stop();
    if (root && !destroyed) await root.destroy().catch(() => undefined);
    root?.remove();
  });

  it('refuses a 0-day interval with a message naming the rule', async () => {
    const result = await root.plan({ automatically_after_days: '0' });
    expect(result.code).toBe(1);
    // Terraform wraps its messages; compare with the line breaks folded.
    expect(result.stderr.replace(/\s+/g, ' ')).toContain('automatically_after_days must be a whole number of days from 1 to 1000');
  });

  it('applies, and a second plan has no changes', async () => {
    await root.apply();
    outputs = await root.outputs();
    expect(outputs.secret_arn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:tf-generic-/);
    const second = await root.plan();
    expect(second.code, second.stdout).toBe(0);
  });

  it('deployed the built zip with the wiring the module promises', async () => {
    fn = await startDeployedFunction(motoEndpoint(), outputs.function_name!, zip);
    expect(fn.configuration).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 30 });
    expect(fn.configuration.CodeSha256).toBe(codeSha256(zip));
    expect(fn.environment).toMatchObject({ SECRETS_MANAGER_ENDPOINT: motoEndpoint(), POWERTOOLS_SERVICE_NAME: 'generic-password', PASSWORD_LENGTH: '32' });
    const described = await client().send(new DescribeSecretCommand({ SecretId: outputs.secret_arn }));
    expect(described.RotationEnabled).toBe(true);
    expect(described.RotationLambdaARN).toBe(outputs.function_arn);
    expect(described.RotationRules?.AutomaticallyAfterDays).toBe(30);
  });

  it('gave the role the rotation actions on this secret only, and Secrets Manager of this account the invoke right', async () => {
    const statements = await deployedRolePolicy(motoEndpoint(), `${outputs.function_name}-rotation`);
    const writers = statements.filter((s) => asList(s.Action).some((a) => a === 'secretsmanager:PutSecretValue' || a === 'secretsmanager:UpdateSecretVersionStage'));
    expect(writers.map((s) => asList(s.Resource))).toEqual([[outputs.secret_arn]]);
    for (const s of statements.filter((st) => asList(st.Resource).includes('*'))) expect(asList(s.Action)).toEqual(['secretsmanager:GetRandomPassword']);
    const [invoke, ...others] = await deployedInvokePolicy(motoEndpoint(), outputs.function_name!);
    expect(others).toEqual([]);
    expect(invoke).toMatchObject({ Effect: 'Allow', Action: 'lambda:InvokeFunction', Principal: { Service: 'secretsmanager.amazonaws.com' } });
    expect(JSON.stringify(invoke!.Condition)).toContain('"123456789012"');
    expect(JSON.stringify(invoke!.Condition)).toContain(JSON.stringify(outputs.secret_arn));
  });

  it('rotates the secret Terraform created, with the function Terraform created', async () => {
    const secretId = outputs.secret_arn!;
    const initial = await readSecret<{ username: string; password: string }>(client(), secretId, 'AWSCURRENT');
    expect(initial).toMatchObject({ username: 'reporting', password: initialPassword });
    await clearStrayPending(client(), secretId);

    const service = new RotationService({ client: client(), invoke: fn!.zip.invoke, rotationLambdaArn: outputs.function_arn! });
    const seen = new Set([initialPassword]);
    for (let rotation = 0; rotation < 2; rotation += 1) {
      const { token } = await service.rotate(secretId);
      const current = await readSecret<{ username: string; password: string }>(client(), secretId, 'AWSCURRENT');
      expect(current!.versionId).toBe(token);
      expect(current!.username).toBe('reporting');
      expect(current!.password).toHaveLength(32);
      expect(seen.has(current!.password)).toBe(false);
      seen.add(current!.password);
    }
    // The version Terraform tracks keeps its own label, so Secrets Manager never deletes it.
    const stages = await stagesOf(client(), secretId);
    expect(Object.values(stages).filter((labels) => labels.includes('TERRAFORM_MANAGED'))).toEqual([['TERRAFORM_MANAGED']]);
    expect(fn!.zip.output()).toContain('"rotator":"generic-password"');
  });

  it('plans no changes after the rotations, then destroys everything', async () => {
    const afterRotation = await root.plan();
    expect(afterRotation.code, afterRotation.stdout).toBe(0);
    await root.destroy();
    destroyed = true;
    expect(await root.stateResources()).toEqual([]);
    await expect(readSecret(client(), outputs.secret_arn!, 'AWSCURRENT')).resolves.toBeUndefined();
  });
});
