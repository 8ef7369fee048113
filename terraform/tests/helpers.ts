/**
 * What several terraform/tests files set up or check alike, beyond the lifecycle every example
 * goes through (scripts/terraform/exampleUnderTest.ts).
 */
import { type PostgresServer, readSecret } from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { expect, it } from 'vitest';
import { asList, deployedRolePolicy } from '../../scripts/terraform/deployedFunction.ts';
import type { ExampleUnderTest } from '../../scripts/terraform/exampleUnderTest.ts';

/** A PostgreSQL example's variables for a server of the test kit and the login its secret starts with. */
export function postgresVariables(server: PostgresServer, username: string, password: string): Record<string, string> {
  const caFile = server.certificates?.caCertFile ?? process.env.PG_TEST_CA_FILE;
  return {
    db_host: server.host,
    db_port: String(server.port),
    db_username: username,
    db_password: password,
    db_ssl: caFile ? 'true' : 'false',
    // The zip runs on this machine, so a local path is what the function can read.
    ...(caFile ? { tls_ca_bundle_path: caFile } : {}),
  };
}

/**
 * Registers the check of an alternating-users example's master secret: the secret Terraform wrote
 * names it, the role may read it (GetSecretValue only), and the role writes the rotated secret alone.
 */
export function itWiresTheMasterSecret(example: ExampleUnderTest): void {
  it(
    'names the master secret Terraform made, which the role may read, ' +
      'and lets the role write only the rotated secret',
    async () => {
      const { outputs } = example;
      const initial = (await readSecret<{ masterarn: string }>(example.client(), outputs.secret_arn!, 'AWSCURRENT'))!;
      expect(initial.masterarn).toBe(outputs.master_secret_arn);
      const statements = await deployedRolePolicy(motoEndpoint(), `${outputs.function_name}-rotation`);
      const onMaster = statements.filter((s) => asList(s.Resource).includes(outputs.master_secret_arn!));
      expect(onMaster.map((s) => asList(s.Action))).toEqual([['secretsmanager:GetSecretValue']]);
      const writers = statements.filter((s) => asList(s.Action).includes('secretsmanager:PutSecretValue'));
      expect(writers.map((s) => asList(s.Resource))).toEqual([[outputs.secret_arn]]);
    },
  );
}
