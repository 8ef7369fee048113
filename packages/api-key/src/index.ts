import { createRotationHandler } from '@rotators/core';
import { createApiKeyRotator } from './rotator.ts';

export { createApiKeyRotator, type ApiKeyRotatorOptions } from './rotator.ts';
export { apiKeySecret, type ApiKeySecret } from './schema.ts';
export { readApiKeyConfig, type ApiKeyConfig } from './config.ts';
export { KeyApiError, type KeyApiFailureKind } from './errors.ts';
export {
  createKeyApiHttp,
  type ApiAuth,
  type KeyApiCall,
  type KeyApiHttp,
  type KeyApiHttpOptions,
} from './http/client.ts';
export { PROVIDERS, type ProviderName } from './adapters/registry.ts';
export type { CreatedKey, KeyProviderAdapter, ListedKey, ProviderDefinition } from './adapters/types.ts';

/** The Lambda entry point (`index.handler` in the zip). Configuration is read here, at cold start. */
export const handler = createRotationHandler(createApiKeyRotator());
