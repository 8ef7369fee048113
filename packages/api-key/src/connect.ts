/**
 * The connection to the provider's key API, in one place: one step's adapter, with its resolved
 * settings and its own HTTP client. Nothing is left open to close afterwards: the client keeps no
 * connection alive (config.ts: `keepAlive: false`), so a step's calls end with the step.
 */
import type { StepContext } from '@rotators/core';
import { PROVIDERS } from './adapters/registry.ts';
import type { KeyProviderAdapter } from './adapters/types.ts';
import type { ApiKeyConfig } from './config.ts';
import { assertAllowedHost } from './guards.ts';
import { createKeyApiHttp, type KeyApiHttp, type KeyApiHttpOptions } from './http/client.ts';
import { providerOf, settingsFor } from './providerSettings.ts';
import { type ApiKeySecret, normalizeBaseUrl } from './schema.ts';

/** Builds the HTTP client for a step; injected so tests can count or fail calls. */
export type HttpFactory = (options: KeyApiHttpOptions) => KeyApiHttp;

/**
 * The adapter for one step: one HTTP client, so all the step's calls share one time budget.
 * `version` names the secret version for errors ("AWSCURRENT", "AWSPENDING").
 */
export function openSession(
  secret: ApiKeySecret,
  version: string,
  config: ApiKeyConfig,
  ctx: StepContext,
  createHttp: HttpFactory = createKeyApiHttp,
): KeyProviderAdapter {
  assertAllowedHost(secret, version, config, ctx);
  const settings = settingsFor(secret, config);
  const errorContext = ctx;
  const baseUrl = normalizeBaseUrl(secret.baseUrl);
  const http = createHttp({
    baseUrl,
    authHeader: settings.authHeader,
    authScheme: settings.authScheme,
    config,
    logger: ctx.logger,
    errorContext,
  });
  return PROVIDERS[providerOf(secret, config)].create({
    settings,
    http,
    errorContext,
    baseUrl,
    maxPages: config.maxPages,
  });
}
