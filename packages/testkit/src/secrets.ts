/**
 * Helpers to create and read secrets in the local Secrets Manager; every value read is remembered for
 * the leak guard.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { rememberSecretJson } from './logCapture.ts';

export async function createSecret(
  client: SecretsManagerClient,
  value: Record<string, unknown>,
  namePrefix = 'test',
): Promise<string> {
  const secretString = JSON.stringify(value);
  rememberSecretJson(secretString);
  const out = await client.send(
    new CreateSecretCommand({ Name: `${namePrefix}/${randomUUID()}`, SecretString: secretString }),
  );
  return out.ARN!;
}

/** The parsed value at a stage (and version), or undefined when there is none. */
export async function readSecret<T = Record<string, unknown>>(
  client: SecretsManagerClient,
  secretId: string,
  stage: 'AWSCURRENT' | 'AWSPENDING' | 'AWSPREVIOUS',
  versionId?: string,
): Promise<(T & { versionId: string }) | undefined> {
  try {
    const out = await client.send(
      new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage, VersionId: versionId }),
    );
    rememberSecretJson(out.SecretString);
    return { ...(JSON.parse(out.SecretString ?? '{}') as T), versionId: out.VersionId! };
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/**
 * A version holding `value` (JSON, a raw string, or SecretBinary only) and no staging label, as
 * anyone with PutSecretValue can make one: put under a label of its own, then the label removed.
 * Its id.
 */
export async function plantUnlabelled(
  admin: SecretsManagerClient,
  secretId: string,
  value: Record<string, unknown> | string | Uint8Array,
): Promise<string> {
  const versionId = randomUUID();
  const content =
    value instanceof Uint8Array
      ? { SecretBinary: value }
      : { SecretString: typeof value === 'string' ? value : JSON.stringify(value) };
  rememberSecretJson(content.SecretString);
  await admin.send(
    new PutSecretValueCommand({
      SecretId: secretId,
      ClientRequestToken: versionId,
      ...content,
      VersionStages: ['STAGED'],
    }),
  );
  await admin.send(
    new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'STAGED', RemoveFromVersionId: versionId }),
  );
  return versionId;
}
