/**
 * What the server must be before `ALTER ROLE … PASSWORD '<verifier>'` is sent, and the SCRAM
 * iteration count to use.
 *
 * - Before PostgreSQL 10 a `SCRAM-SHA-256$…` string is not recognised as a verifier: the server
 *   hashes the text as if it were the password (md5), so the role's password would become the
 *   verifier text and the real new password would not log in. So: server_version_num >= 100000.
 * - PostgreSQL 16 added `scram_iterations` (default 4096), which `psql \password` uses for the
 *   verifiers it computes. We use the server's value when it is higher than libpq's 4096, never less.
 */
import { SCRAM_ITERATIONS } from './scram.ts';

/** PostgreSQL 10: the first release that stores a SCRAM-SHA-256 verifier given in ALTER ROLE as is. */
export const MIN_SERVER_VERSION_NUM = 100000;

/**
 * One query for both facts. pg_settings rather than `current_setting('scram_iterations', true)`:
 * the two-argument form does not exist before 9.6, and an old server is exactly the one we must
 * answer with a clear error. The subquery gives NULL before 16 (no such setting).
 */
export const SERVER_FACTS_QUERY =
  "SELECT current_setting('server_version_num') AS version_num, " +
  "(SELECT setting FROM pg_settings WHERE name = 'scram_iterations') AS scram_iterations";

export type VerifierPlan = { ok: true; iterations: number } | { ok: false; reason: string };

/** The decision, from the row SERVER_FACTS_QUERY returns (pure, unit-tested). */
export function planVerifier(row: Record<string, unknown> | undefined): VerifierPlan {
  const versionText = String(row?.version_num ?? '');
  if (!/^\d+$/.test(versionText))
    return { ok: false, reason: 'the server did not report a numeric server_version_num' };
  const versionNum = Number(versionText);
  if (versionNum < MIN_SERVER_VERSION_NUM) {
    return {
      ok: false,
      reason:
        `the server is PostgreSQL ${versionNum} (server_version_num); ` +
        `before 10 it would store a SCRAM verifier as if it were the password, locking the role out`,
    };
  }
  const iterationsValue = row?.scram_iterations;
  if (iterationsValue === null || iterationsValue === undefined) return { ok: true, iterations: SCRAM_ITERATIONS };
  const iterationsText = String(iterationsValue);
  if (!/^\d+$/.test(iterationsText))
    return { ok: false, reason: 'the server reported a scram_iterations that is not a number' };
  return { ok: true, iterations: Math.max(Number(iterationsText), SCRAM_ITERATIONS) };
}
