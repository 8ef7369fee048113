/**
 * examples/api-key against moto and the test kit's fake key API (real HTTPS on 127.0.0.1 with its
 * own CA): apply, a second plan with no changes, rotations of the secret Terraform created by the
 * built zip with the environment Terraform gave the function (CA path included), the keys checked
 * on the API, a plan with no changes, destroy.
 */
import { request } from 'node:https';
import { randomUUID } from 'node:crypto';
import { type KeyApiServer, readSecret, rememberSecret, RotationService, secretsManagerClient, startKeyApi, zipPath } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asList, clearStrayPending, codeSha256, type DeployedFunction, deployedRolePolicy, stagesOf, startDeployedFunction } from '../../scripts/terraform/deployedFunction.ts';
import { TerraformRoot } from '../../scripts/terraform/terraformRoot.ts';


describe('examples/api-key on moto and a key API', () => {
  let api: KeyApiServer;
  let account: { accountId: string; keyId: string; key: string };
  let root: TerraformRoot;
  let zip: string;
  let outputs: Record<string, string>;
  let fn: DeployedFunction | undefined;
  let destroyed = false;
  const client = () => secretsManagerClient(motoEndpoint());

  beforeAll(async () => {
    api = await startKeyApi();
    account = api.createAccount({ maxActiveKeys: 3 });
    rememberSecret(account.key);
    root = TerraformRoot.prepare('api-key', {
      endpoint: motoEndpoint(),
      name: `tf-api-key-${randomUUID().slice(0, 8)}`,
      base_url: api.baseUrl,
      key_id: account.keyId,
      initial_api_key: account.key,
      // The zip runs on this machine, so a local path is what the function can read.
      ca_bundle_path: api.certificates!.caCertFile,
      revoke_initial_key: 'true',
      rotate_immediately: 'false',
      recovery_window_in_days: '0',
    });
    // Terraform and the zip run below use the same bytes (see snapshot).
    zip = root.snapshot(zipPath('api-key'));
    root.setVariable('zip_path', zip);
    await root.init();
  });

  afterAll(async () => {
    await fn?.zip.stop();
    if (root && !destroyed) await root.destroy().catch(() => undefined);
    root?.remove();
    await api?.stop();
  });

  it('applies, and a second plan has no changes', async () => {
    await root.apply();
    outputs = await root.outputs();
    const second = await root.plan();
    expect(second.code, second.stdout).toBe(0);
  });

  it('deployed the built zip with the key API settings and no password policy', async () => {
    fn = await startDeployedFunction(motoEndpoint(), outputs.function_name!, zip);
    expect(fn.configuration).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs22.x', Timeout: 30 });
    expect(fn.configuration.CodeSha256).toBe(codeSha256(zip));
    expect(fn.environment).toMatchObject({
      API_PROVIDER: 'generic',
      API_CA_BUNDLE_PATH: api.certificates!.caCertFile,
      API_REVOKE_INITIAL_KEY: 'true',
      API_STEP_TIMEOUT_SECONDS: '20',
      POWERTOOLS_SERVICE_NAME: 'api-key',
    });
    expect(fn.environment.PASSWORD_LENGTH).toBeUndefined();
    const statements = await deployedRolePolicy(motoEndpoint(), `${outputs.function_name}-rotation`);
    expect(statements.flatMap((s) => asList(s.Action))).not.toContain('secretsmanager:GetRandomPassword');
    expect(statements.filter((s) => asList(s.Resource).includes('*'))).toEqual([]);
  });

  it('rotates the key Terraform\'s secret holds: new and previous keys work, older ones are revoked', async () => {
    const secretId = outputs.secret_arn!;
    await clearStrayPending(client(), secretId);
    const service = new RotationService({ client: client(), invoke: fn!.zip.invoke, rotationLambdaArn: outputs.function_arn!, maxAttempts: 1 });
    const held = [account.key];
    for (let rotation = 0; rotation < 3; rotation += 1) {
      const { token } = await service.rotate(secretId);
      const current = (await readSecret<{ apiKey: string; baseUrl: string }>(client(), secretId, 'AWSCURRENT'))!;
      expect(current.versionId).toBe(token);
      expect(current.baseUrl).toBe(api.baseUrl);
      expect(await statusWith(api, current.apiKey)).toBe(200);
      expect(await statusWith(api, held.at(-1)!)).toBe(200);
      if (held.length >= 2) expect(await statusWith(api, held.at(-2)!)).toBe(401);
      held.push(current.apiKey);
    }
    const stages = await stagesOf(client(), secretId);
    expect(Object.values(stages).filter((labels) => labels.includes('TERRAFORM_MANAGED'))).toEqual([['TERRAFORM_MANAGED']]);
  });

  it('plans no changes after the rotations, then destroys everything', async () => {
    const afterRotation = await root.plan();
    expect(afterRotation.code, afterRotation.stdout).toBe(0);
    await root.destroy();
    destroyed = true;
    expect(await root.stateResources()).toEqual([]);
  });
});

/** HTTP status of GET /whoami with `key` (200: the key works; 401: revoked or unknown). */
function statusWith(api: KeyApiServer, key: string): Promise<number> {
  rememberSecret(key);
  return new Promise((resolve, reject) => {
    const req = request(`${api.baseUrl}/whoami`, { method: 'GET', ca: api.certificates!.caCert, headers: { authorization: `Bearer ${key}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}
