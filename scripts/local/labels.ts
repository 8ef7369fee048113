/** Print a secret's versions and staging labels as a small table (values are never printed). */
import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export async function printLabels(client: SecretsManagerClient, secretId: string, title: string): Promise<void> {
  const out = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  console.log(`\n${title}: ${out.Name}`);
  const rows = Object.entries(out.VersionIdsToStages ?? {}).filter(([, stages]) => stages.length > 0);
  for (const [versionId, stages] of rows) console.log(`  ${versionId.padEnd(40)} ${stages.sort().join(', ')}`);
}
