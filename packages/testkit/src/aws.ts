/** SDK clients pointed at the local AWS, with throwaway credentials. */
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Environment for a process (a zip on Node 22, Terraform) that talks to the local AWS. */
export function localAwsEnv(endpoint: string): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    SECRETS_MANAGER_ENDPOINT: endpoint,
  };
}

const config = (endpoint: string) => ({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });

export const secretsManagerClient = (endpoint: string) => new SecretsManagerClient(config(endpoint));
export const lambdaClient = (endpoint: string) => new LambdaClient(config(endpoint));
export const iamClient = (endpoint: string) => new IAMClient(config(endpoint));
