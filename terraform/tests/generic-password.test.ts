/**
 * examples/generic-password against moto: apply, a second plan with no changes, rotations of the
 * secret Terraform created by the built zip with the environment Terraform gave the function, a
 * plan with no changes after the rotations, destroy (the lifecycle: scripts/terraform/exampleUnderTest.ts).
 */
import { randomUUID } from 'node:crypto';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { readSecret, rememberSecret } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { describe, expect, it } from 'vitest';
import { asList, deployedInvokePolicy, deployedRolePolicy } from '../../scripts/terraform/deployedFunction.ts';
import { useExample } from '../../scripts/terraform/exampleUnderTest.ts';

describe('examples/generic-password on moto', () => {
  const initialPassword = `initial-${randomUUID()}`;
  rememberSecret(initialPassword);
  const example = useExample('generic-password', {
    namePrefix: 'tf-generic',
    start: () => ({ initial_password: initialPassword }),
  });
  const { client } = example;

  it('refuses a 0-day interval with a message naming the rule', async () => {
    const result = await example.root.plan({ automatically_after_days: '0' });
    expect(result.code).toBe(1);
    // Terraform wraps its messages; compare with the line breaks folded.
    expect(result.stderr.replace(/\s+/g, ' ')).toContain(
      'automatically_after_days must be a whole number of days from 1 to 1000',
    );
  });

  example.itApplies((outputs) => {
    expect(outputs.secret_arn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:tf-generic-/);
  });

  example.itDeployed(
    'deployed the built zip with the wiring the module promises',
    { Architectures: ['arm64'], Timeout: 30 },
    async (fn) => {
      const { outputs } = example;
      expect(fn.environment).toMatchObject({
        SECRETS_MANAGER_ENDPOINT: motoEndpoint(),
        POWERTOOLS_SERVICE_NAME: 'generic-password',
        PASSWORD_LENGTH: '32',
      });
      const described = await client().send(new DescribeSecretCommand({ SecretId: outputs.secret_arn }));
      expect(described.RotationEnabled).toBe(true);
      expect(described.RotationLambdaARN).toBe(outputs.function_arn);
      expect(described.RotationRules?.AutomaticallyAfterDays).toBe(30);
    },
  );

  example.itPassesConfigurationTest();

  it(
    'gave the role the rotation actions on this secret only, ' + 'and Secrets Manager of this account the invoke right',
    async () => {
      const { outputs } = example;
      const statements = await deployedRolePolicy(motoEndpoint(), `${outputs.function_name}-rotation`);
      const writers = statements.filter((s) =>
        asList(s.Action).some(
          (a) => a === 'secretsmanager:PutSecretValue' || a === 'secretsmanager:UpdateSecretVersionStage',
        ),
      );
      expect(writers.map((s) => asList(s.Resource))).toEqual([[outputs.secret_arn]]);
      for (const s of statements.filter((st) => asList(st.Resource).includes('*')))
        expect(asList(s.Action)).toEqual(['secretsmanager:GetRandomPassword']);
      const [invoke, ...others] = await deployedInvokePolicy(motoEndpoint(), outputs.function_name!);
      expect(others).toEqual([]);
      expect(invoke).toMatchObject({
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Principal: { Service: 'secretsmanager.amazonaws.com' },
      });
      expect(JSON.stringify(invoke!.Condition)).toContain('"123456789012"');
      expect(JSON.stringify(invoke!.Condition)).toContain(JSON.stringify(outputs.secret_arn));
    },
  );

  it('rotates the secret Terraform created, with the function Terraform created', async () => {
    const initial = await readSecret<{ username: string; password: string }>(
      client(),
      example.outputs.secret_arn!,
      'AWSCURRENT',
    );
    expect(initial).toMatchObject({ username: 'reporting', password: initialPassword });
    const { secretId, service } = await example.rotation();
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
    await example.expectTerraformVersionKept();
    expect(example.fn.zip.output()).toContain('"rotator":"generic-password"');
  });

  example.itPlansNoChangesThenDestroys(async () => {
    await expect(readSecret(client(), example.outputs.secret_arn!, 'AWSCURRENT')).resolves.toBeUndefined();
  });
});
