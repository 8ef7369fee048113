/**
 * `@rotators/core/db`: what more than one database rotator needs and that has nothing to do with
 * the step engine, kept out of core's index so that rotators without a database (generic-password,
 * api-key) do not bundle it (the RDS CA bundle alone is ~180 KB). No driver is loaded at import:
 * the RDS CA bundle and node-postgres are imported by the first connection that needs them.
 *
 * - tlsPolicy.ts, connectionErrors.ts: verified TLS to a database by default, its trust (Node's
 *   roots + the Amazon RDS bundle, or TLS_CA_BUNDLE_PATH), one connection attempt, failures by kind;
 * - scram.ts: the SCRAM-SHA-256 verifier PostgreSQL stores, computed on the client, so a plaintext
 *   password never appears in a statement;
 * - serverFacts.ts: whether a server stores such a verifier as is (PostgreSQL 10+) and with how
 *   many iterations;
 * - alternatingUsers.ts: the `app` / `app_clone` naming rule of the alternating-users rotators.
 *
 * postgres.ts is an entry of its own, `@rotators/core/postgres` (node-postgres for both PostgreSQL
 * rotators: the session, login refusals, the lazily loaded client and pg's own SQL escaping): the
 * driver it imports on first use would otherwise be bundled into every database rotator's zip.
 */
export { isScramSafePassword, SCRAM_ITERATIONS, SCRAM_SALT_BYTES, scramSha256Verifier } from './scram.ts';
export { MIN_SERVER_VERSION_NUM, planVerifier, SERVER_FACTS_QUERY, type VerifierPlan } from './serverFacts.ts';
export {
  connectWithTlsPolicy,
  readTlsConfig,
  sslField,
  tlsModeFor,
  TlsRequiredError,
  trustedCertificates,
  type ConnectAttemptOptions,
  type VerifiedTls,
  type TlsConfig,
  type TlsMode,
} from './tlsPolicy.ts';
export { classifyConnectionError, serverOffersNoTls } from './connectionErrors.ts';
export { alternateUsername, baseUsername, CLONE_SUFFIX } from './alternatingUsers.ts';

export {
  checkMasterSecretAllowed,
  type MasterSecretPolicy,
  readMasterSecretPolicy,
  sameSecretArn,
} from './masterSecrets.ts';
