/** Sort a driver's connection error into a kind an operator can act on, from its code alone. */
import type { ConnectionFailureKind } from '../errors.ts';

const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
]);
const TIMEOUT = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED']);
const TLS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HANDSHAKE_NO_SSL_SUPPORT',
  'HANDSHAKE_SSL_ERROR',
]);

export function classifyConnectionError(
  error: unknown,
  authenticationCodes: readonly string[] = [],
): ConnectionFailureKind {
  const source = (error ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof source.code === 'string' ? source.code : '';
  const message = typeof source.message === 'string' ? source.message : '';
  if (authenticationCodes.includes(code)) return 'authentication';
  if (TLS.has(code) || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) return 'tls';
  // node-postgres reports a server without TLS by message only.
  if (/does not support SSL|SSL connection|secure connection/i.test(message) && !code) return 'tls';
  if (TIMEOUT.has(code) || /timeout|timed out/i.test(message)) return 'timeout';
  if (NETWORK.has(code)) return 'network';
  return code ? 'database' : 'unknown';
}

/**
 * The server answered but says it does not speak TLS at all (as opposed to a certificate that does
 * not verify). Never a reason to continue in plaintext: it only makes the error say what happened.
 */
export function serverOffersNoTls(error: unknown): boolean {
  const source = (error ?? {}) as { code?: unknown; message?: unknown };
  if (source.code === 'HANDSHAKE_NO_SSL_SUPPORT') return true;
  return typeof source.message === 'string' && /server does not support SSL/i.test(source.message);
}
