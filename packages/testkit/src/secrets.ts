/** Helpers to create and read secrets in the local Secrets Manager; every value read is remembered for the leak guard. */
import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
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
