/**
 * examples/api-key against moto and the test kit's fake key API (real HTTPS on 127.0.0.1 with its
 * own CA): apply, a second plan with no changes, rotations of the secret Terraform created by the
 * built zip with the environment Terraform gave the function (CA path included), the keys checked
 * on the API, a plan with no changes, destroy (the lifecycle: scripts/terraform/exampleUnderTest.ts).
 */
import { type KeyApiServer, keyStatus, readSecret, rememberSecret, startKeyApi } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { describe, expect, it } from 'vitest';
import { asList, deployedRolePolicy } from '../../scripts/terraform/deployedFunction.ts';
import { useExample } from '../../scripts/terraform/exampleUnderTest.ts';

describe('examples/api-key on moto and a key API', () => {
  let api: KeyApiServer;
  let account: { accountId: string; keyId: string; key: string };
  const example = useExample('api-key', {
    namePrefix: 'tf-api-key',
    async start() {
      api = await startKeyApi();
      account = api.createAccount({ maxActiveKeys: 3 });
      rememberSecret(account.key);
      return {
        base_url: api.baseUrl,
        key_id: account.keyId,
        initial_api_key: account.key,
        // The zip runs on this machine, so a local path is what the function can read.
        ca_bundle_path: api.certificates!.caCertFile,
        revoke_initial_key: 'true',
      };
    },
    stop: async () => api?.stop(),
  });
  const { client } = example;

  example.itApplies();

  example.itDeployed(
    'deployed the built zip with the key API settings and no password policy',
    { Timeout: 30 },
    async (fn) => {
      expect(fn.environment).toMatchObject({
        API_PROVIDER: 'generic',
        API_CA_BUNDLE_PATH: api.certificates!.caCertFile,
        API_REVOKE_INITIAL_KEY: 'true',
        // The example allows the host and port of base_url, and nothing else.
        API_ALLOWED_HOSTS: new URL(api.baseUrl).host,
        API_SECRET_SETTINGS: 'false',
        API_STEP_TIMEOUT_SECONDS: '20',
        POWERTOOLS_SERVICE_NAME: 'api-key',
      });
      expect(fn.environment.PASSWORD_LENGTH).toBeUndefined();
      const statements = await deployedRolePolicy(motoEndpoint(), `${example.outputs.function_name}-rotation`);
      expect(statements.flatMap((s) => asList(s.Action))).not.toContain('secretsmanager:GetRandomPassword');
      expect(statements.filter((s) => asList(s.Resource).includes('*'))).toEqual([]);
    },
  );

  example.itPassesConfigurationTest();

  it("rotates the key Terraform's secret holds: new and previous keys work, older ones are revoked", async () => {
    const { secretId, service } = await example.rotation({ maxAttempts: 1 });
    const held = [account.key];
    for (let rotation = 0; rotation < 3; rotation += 1) {
      const { token } = await service.rotate(secretId);
      const current = (await readSecret<{ apiKey: string; baseUrl: string }>(client(), secretId, 'AWSCURRENT'))!;
      expect(current.versionId).toBe(token);
      expect(current.baseUrl).toBe(api.baseUrl);
      expect(await keyStatus(api, current.apiKey)).toBe(200);
      expect(await keyStatus(api, held.at(-1)!)).toBe(200);
      if (held.length >= 2) expect(await keyStatus(api, held.at(-2)!)).toBe(401);
      held.push(current.apiKey);
    }
    await example.expectTerraformVersionKept();
  });

  example.itPlansNoChangesThenDestroys();
});
