/**
 * `@rotators/core/db`: what more than one database rotator needs and that has nothing to do with
 * the step engine. Pure code only (node:crypto, no driver), so every rotator zip can bundle it.
 *
 * - scram.ts: the SCRAM-SHA-256 verifier PostgreSQL stores, computed on the client, so a plaintext
 *   password never appears in a statement;
 * - serverFacts.ts: whether a server stores such a verifier as is (PostgreSQL 10+) and with how
 *   many iterations.
 */
export { isScramSafePassword, SCRAM_ITERATIONS, SCRAM_SALT_BYTES, scramSha256Verifier } from './scram.ts';
export { MIN_SERVER_VERSION_NUM, planVerifier, SERVER_FACTS_QUERY, type VerifierPlan } from './serverFacts.ts';
