/**
 * examples/postgres-single-user against moto and a real PostgreSQL cluster (scram-sha-256, TLS
 * with the kit's throwaway CA): apply, a second plan with no changes, rotations of the secret
 * Terraform created by the built zip with the environment Terraform gave the function (the CA
 * path included), logins checked on the server, a plan with no changes, destroy (the lifecycle:
 * scripts/terraform/exampleUnderTest.ts).
 */
import { randomBytes } from 'node:crypto';
import { scramSha256Verifier } from '@rotators/postgres-single-user';
import { canLogin, type PostgresServer, readSecret, rememberSecret, startPostgres } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { describe, expect, it } from 'vitest';
import { useExample } from '../../scripts/terraform/exampleUnderTest.ts';
import { postgresVariables } from './helpers.ts';

const role = 'tf_app_user';

describe('examples/postgres-single-user on moto and PostgreSQL', () => {
  const initialPassword = `P${randomBytes(18).toString('base64url')}`;
  rememberSecret(initialPassword);
  let server: PostgresServer;
  const example = useExample('postgres-single-user', {
    namePrefix: 'tf-pg',
    async start() {
      server = await startPostgres();
      // The role gets its password as a verifier, so the server log never holds it.
      await server.query(`DROP ROLE IF EXISTS ${escapeIdentifier(role)}`);
      await server.query(
        `CREATE ROLE ${escapeIdentifier(role)} LOGIN PASSWORD ${escapeLiteral(scramSha256Verifier(initialPassword))}`,
      );
      return postgresVariables(server, role, initialPassword);
    },
    stop: async () => server?.stop(),
  });
  const { client } = example;

  example.itApplies();

  example.itDeployed('deployed the built zip with the database settings as environment', { Timeout: 80 }, (fn) => {
    expect(fn.environment).toMatchObject({
      CONNECT_TIMEOUT_SECONDS: '5',
      REQUIRE_TLS: 'true',
      POWERTOOLS_SERVICE_NAME: 'postgres-single-user',
      SECRETS_MANAGER_ENDPOINT: motoEndpoint(),
    });
    // Not set: the rotator's own default (which also excludes ":") applies.
    expect(fn.environment.EXCLUDE_CHARACTERS).toBeUndefined();
  });

  example.itPassesConfigurationTest();

  it("rotates the role Terraform's secret names, on the server", async () => {
    const { secretId, service } = await example.rotation({ maxAttempts: 1 });
    let old = initialPassword;
    for (let rotation = 0; rotation < 2; rotation += 1) {
      const { token } = await service.rotate(secretId);
      const current = (await readSecret<{ username: string; password: string; host: string }>(
        client(),
        secretId,
        'AWSCURRENT',
      ))!;
      expect(current.versionId).toBe(token);
      expect(current).toMatchObject({ username: role, host: server.host });
      expect(current.password).not.toContain(':');
      expect(await canLogin(server, role, current.password)).toBe(true);
      expect(await canLogin(server, role, old)).toBe(false);
      old = current.password;
    }
    await example.expectTerraformVersionKept();
    expect(example.fn.zip.output()).toContain('"rotator":"postgres-single-user"');
  });

  example.itPlansNoChangesThenDestroys();
});
