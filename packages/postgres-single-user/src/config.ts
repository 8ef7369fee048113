/**
 * The function's configuration, read once at cold start, all of it here and through core's env
 * reader: a bad value is a ConfigurationError naming the variable, and fails the function before
 * any rotation.
 */
import type { Env } from '@rotators/core';
import { readTlsConfig, type TlsConfig } from '@rotators/core/db';

export interface PostgresSingleUserConfig {
  /** REQUIRE_TLS, TLS_CA_BUNDLE_PATH, CONNECT_TIMEOUT_SECONDS (core's tlsPolicy.ts). */
  tls: TlsConfig;
}

/** Default: the function's own environment (process.env). */
export function readPostgresSingleUserConfig(env: Env = process.env): PostgresSingleUserConfig {
  return { tls: readTlsConfig(env) };
}
