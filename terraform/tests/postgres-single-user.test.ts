/**
 * examples/postgres-single-user against moto and a real PostgreSQL cluster (scram-sha-256, TLS
 * with the kit's throwaway CA): apply, a second plan with no changes, rotations of the secret
 * Terraform created by the built zip with the environment Terraform gave the function (the CA
 * path included), logins checked on the server, a plan with no changes, destroy.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { scramSha256Verifier } from '@rotators/postgres-single-user';
import { type PostgresServer, readSecret, rememberSecret, RotationService, secretsManagerClient, startPostgres, zipPath } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import pg, { escapeIdentifier, escapeLiteral } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearStrayPending, codeSha256, type DeployedFunction, stagesOf, startDeployedFunction } from '../../scripts/terraform/deployedFunction.ts';
import { TerraformRoot } from '../../scripts/terraform/terraformRoot.ts';

const role = 'tf_app_user';

describe('examples/postgres-single-user on moto and PostgreSQL', () => {
  const initialPassword = `P${randomBytes(18).toString('base64url')}`;
  rememberSecret(initialPassword);
  let server: PostgresServer;
  let root: TerraformRoot;
  let zip: string;
  let outputs: Record<string, string>;
  let fn: DeployedFunction | undefined;
  let destroyed = false;
  const client = () => secretsManagerClient(motoEndpoint());

  beforeAll(async () => {
    server = await startPostgres();
    const caFile = server.certificates?.caCertFile ?? process.env.PG_TEST_CA_FILE;
    // The role gets its password as a verifier, so the server log never holds it.
    await server.query(`DROP ROLE IF EXISTS ${escapeIdentifier(role)}`);
    await server.query(`CREATE ROLE ${escapeIdentifier(role)} LOGIN PASSWORD ${escapeLiteral(scramSha256Verifier(initialPassword))}`);
    root = TerraformRoot.prepare('postgres-single-user', {
      endpoint: motoEndpoint(),
      name: `tf-pg-${randomUUID().slice(0, 8)}`,
      db_host: server.host,
      db_port: String(server.port),
      db_username: role,
      db_password: initialPassword,
      db_ssl: caFile ? 'true' : 'false',
      // The zip runs on this machine, so a local path is what the function can read.
      ...(caFile ? { tls_ca_bundle_path: caFile } : {}),
      rotate_immediately: 'false',
      recovery_window_in_days: '0',
    });
    // Terraform and the zip run below use the same bytes (see snapshot).
    zip = root.snapshot(zipPath('postgres-single-user'));
    root.setVariable('zip_path', zip);
    await root.init();
  });

  afterAll(async () => {
    await fn?.zip.stop();
    if (root && !destroyed) await root.destroy().catch(() => undefined);
    root?.remove();
    await server?.stop();
  });

  it('applies, and a second plan has no changes', async () => {
    await root.apply();
    outputs = await root.outputs();
    const second = await root.plan();
    expect(second.code, second.stdout).toBe(0);
  });

  it('deployed the built zip with the database settings as environment', async () => {
    fn = await startDeployedFunction(motoEndpoint(), outputs.function_name!, zip);
    expect(fn.configuration).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs22.x', Timeout: 60 });
    expect(fn.configuration.CodeSha256).toBe(codeSha256(zip));
    expect(fn.environment).toMatchObject({ CONNECT_TIMEOUT_SECONDS: '5', REQUIRE_TLS: 'false', POWERTOOLS_SERVICE_NAME: 'postgres-single-user', SECRETS_MANAGER_ENDPOINT: motoEndpoint() });
    // Not set: the rotator's own default (which also excludes ":") applies.
    expect(fn.environment.EXCLUDE_CHARACTERS).toBeUndefined();
  });

  it('rotates the role Terraform\'s secret names, on the server', async () => {
    const secretId = outputs.secret_arn!;
    await clearStrayPending(client(), secretId);
    const service = new RotationService({ client: client(), invoke: fn!.zip.invoke, rotationLambdaArn: outputs.function_arn!, maxAttempts: 1 });
    let old = initialPassword;
    for (let rotation = 0; rotation < 2; rotation += 1) {
      const { token } = await service.rotate(secretId);
      const current = (await readSecret<{ username: string; password: string; host: string }>(client(), secretId, 'AWSCURRENT'))!;
      expect(current.versionId).toBe(token);
      expect(current).toMatchObject({ username: role, host: server.host });
      expect(current.password).not.toContain(':');
      expect(await canLogin(server, role, current.password)).toBe(true);
      expect(await canLogin(server, role, old)).toBe(false);
      old = current.password;
    }
    const stages = await stagesOf(client(), secretId);
    expect(Object.values(stages).filter((labels) => labels.includes('TERRAFORM_MANAGED'))).toEqual([['TERRAFORM_MANAGED']]);
    expect(fn!.zip.output()).toContain('"rotator":"postgres-single-user"');
  });

  it('plans no changes after the rotations, then destroys everything', async () => {
    const afterRotation = await root.plan();
    expect(afterRotation.code, afterRotation.stdout).toBe(0);
    await root.destroy();
    destroyed = true;
    expect(await root.stateResources()).toEqual([]);
  });
});

/** True when `user` logs in over TCP with `password`; false when the server refuses the password. */
async function canLogin(server: PostgresServer, user: string, password: string): Promise<boolean> {
  const connection = new pg.Client({
    host: server.host,
    port: server.port,
    user,
    password,
    database: 'postgres',
    ssl: server.caCert ? { ca: server.caCert, rejectUnauthorized: true } : false,
    connectionTimeoutMillis: 5000,
  });
  connection.on('error', () => undefined);
  try {
    await connection.connect();
    await connection.query('SELECT 1');
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '28P01') return false;
    throw error;
  } finally {
    await connection.end().catch(() => undefined);
  }
}
