/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password, computed on the client as libpq's
 * PQencryptPasswordConn (and so `psql \password`) does, so that `ALTER ROLE … PASSWORD '<verifier>'`
 * never carries the plaintext: not on the wire, not in the server's statement log.
 *
 *   SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
 *
 *   SaltedPassword = PBKDF2-HMAC-SHA-256(SASLprep(password), salt, iterations, 32 bytes)
 *   StoredKey      = SHA-256(HMAC-SHA-256(SaltedPassword, "Client Key"))
 *   ServerKey      = HMAC-SHA-256(SaltedPassword, "Server Key")
 *
 * (RFC 5802 / RFC 7677; PostgreSQL src/common/scram-common.c, 4096 iterations and a 16-byte salt
 * as SCRAM_DEFAULT_ITERATIONS / SCRAM_DEFAULT_SALT_LEN.)
 *
 * SASLprep: libpq's pg_saslprep returns a pure-ASCII password unchanged, so for ASCII our
 * verifier equals libpq's byte for byte. For anything else pg_saslprep maps, NFKC-normalises and
 * may give up and use the raw bytes; rather than risk a verifier the server's login would
 * disagree with (a password that silently never works), we refuse non-ASCII passwords. Passwords
 * from GetRandomPassword are always printable ASCII.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

export const SCRAM_ITERATIONS = 4096;
export const SCRAM_SALT_BYTES = 16;

/** Printable ASCII and space: what pg_saslprep passes through untouched. */
export function isScramSafePassword(password: string): boolean {
  return /^[\x20-\x7e]+$/.test(password);
}

export function scramSha256Verifier(password: string, options: { salt?: Buffer; iterations?: number } = {}): string {
  if (!isScramSafePassword(password)) {
    // No part of the password in the message.
    throw new RangeError('SCRAM verifier: the password must be non-empty printable ASCII');
  }
  const salt = options.salt ?? randomBytes(SCRAM_SALT_BYTES);
  const iterations = options.iterations ?? SCRAM_ITERATIONS;
  const saltedPassword = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', saltedPassword).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', saltedPassword).update('Server Key').digest();
  return (
    `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$` +
    `${storedKey.toString('base64')}:${serverKey.toString('base64')}`
  );
}
