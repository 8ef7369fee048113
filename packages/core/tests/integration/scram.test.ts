/**
 * The client-side SCRAM-SHA-256 verifier: equal to what PostgreSQL itself computes, and a real login
 * works with it. (Moved here from postgres-single-user with the code; the real-server cases use the
 * test kit's cluster and let the server quote identifiers with format('%I'), so core's tests need no
 * driver of their own.)
 */
import { randomBytes } from 'node:crypto';
import {
  canLogin,
  findLeaks,
  type PostgresServer,
  rememberedSecretCount,
  rememberSecret,
  startPostgres,
} from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCRAM_ITERATIONS, SCRAM_SALT_BYTES, scramSha256Verifier } from '../../src/db/index.ts';

/** PG_TEST_HOST names a server the kit did not start: no readable server log. */
const EXTERNAL_SERVER = Boolean(process.env.PG_TEST_HOST);
/** Role names with a per-run prefix: the suite may point at a server it did not start. */
const RUN_ID = `rc${randomBytes(3).toString('hex')}`;
const roleName = (base: string) => `${RUN_ID}_${base}`;

/** A password the leak guards watch for (test output and the server log). */
function testPassword(): string {
  const password = `T${randomBytes(18).toString('base64url')}`;
  rememberSecret(password);
  return password;
}

/** Run `template` with its %I / %L placeholders filled by the server's own format(). */
async function runFormatted(server: PostgresServer, template: string, ...args: string[]): Promise<string> {
  const placeholders = args.map((_, i) => `$${i + 2}::text`).join(', ');
  const { rows } = await server.query<{ sql: string }>(`SELECT format($1, ${placeholders}) AS sql`, [
    template,
    ...args,
  ]);
  const sql = rows[0]!.sql;
  await server.query(sql);
  return sql;
}

const VERIFIER = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;

describe('scramSha256Verifier (pure)', () => {
  it('matches a verifier PostgreSQL 15.20 stored for a known password and salt', () => {
    // `SET password_encryption = 'scram-sha-256'; CREATE ROLE vec PASSWORD 'x-vector-pass'`, then
    // pg_authid.rolpassword.
    const stored =
      'SCRAM-SHA-256$4096:5B9pHO5f/VZuI7NjJVUiJg==$' +
      'NR/A8cdb4eMGt0kYo7FAPVtw0tZ1qypZX0U10LkZ0nc=:4S/khi4rBQV1ktBZJDadp/oT0apaatx0KXrheEfntug=';
    expect(scramSha256Verifier('x-vector-pass', { salt: Buffer.from('5B9pHO5f/VZuI7NjJVUiJg==', 'base64') })).toBe(
      stored,
    );
  });

  it('uses 4096 iterations and a fresh 16-byte salt each time, as libpq does', () => {
    const a = VERIFIER.exec(scramSha256Verifier('same password'))!;
    const b = VERIFIER.exec(scramSha256Verifier('same password'))!;
    expect(Number(a[1])).toBe(SCRAM_ITERATIONS);
    expect(Buffer.from(a[2]!, 'base64')).toHaveLength(SCRAM_SALT_BYTES);
    expect(Buffer.from(a[3]!, 'base64')).toHaveLength(32);
    expect(Buffer.from(a[4]!, 'base64')).toHaveLength(32);
    expect(a[2]).not.toBe(b[2]);
    expect(a[3]).not.toBe(b[3]);
  });

  it('refuses a password it cannot SASLprep exactly like libpq, without quoting it', () => {
    for (const password of ['pässwörd-secret', 'tab\tinside-secret', '']) {
      const error = (() => {
        try {
          scramSha256Verifier(password);
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(RangeError);
      if (password) expect(error!.message).not.toContain(password);
    }
  });
});

describe('scramSha256Verifier against a real server', () => {
  let server: PostgresServer;
  /** The statement the login test sent: the log check looks for it. */
  let alterRole: string | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('equals the verifier the server computes for the same password and salt', async () => {
    // A throwaway vector password, deliberately sent in plaintext to have the server hash it (not remembered).
    expect((await server.query('SHOW password_encryption')).rows[0]!.password_encryption).toBe('scram-sha-256');
    await runFormatted(server, 'DROP ROLE IF EXISTS %I', roleName('scram_vector'));
    await runFormatted(server, `CREATE ROLE %I PASSWORD 'vector: ~!#$%%^&*()_+ 0aZ'`, roleName('scram_vector'));
    const { rows } = await server.query<{ rolpassword: string }>(
      'SELECT rolpassword FROM pg_authid WHERE rolname = $1',
      [roleName('scram_vector')],
    );
    const stored = rows[0]!.rolpassword;
    const [, iterations, salt] = VERIFIER.exec(stored)!;
    expect(
      scramSha256Verifier('vector: ~!#$%^&*()_+ 0aZ', {
        salt: Buffer.from(salt!, 'base64'),
        iterations: Number(iterations),
      }),
    ).toBe(stored);
  });

  it('a role whose verifier was made here logs in with the password over SCRAM, and refuses another', async () => {
    const password = testPassword();
    const verifier = scramSha256Verifier(password);
    const name = roleName('scram_login');
    await runFormatted(server, 'DROP ROLE IF EXISTS %I', name);
    await runFormatted(server, 'CREATE ROLE %I LOGIN', name);
    alterRole = await runFormatted(server, 'ALTER ROLE %I PASSWORD %L', name, verifier);
    const { rows } = await server.query<{ rolpassword: string }>(
      'SELECT rolpassword FROM pg_authid WHERE rolname = $1',
      [name],
    );
    expect(rows[0]!.rolpassword).toBe(verifier); // stored as sent, not hashed again
    expect(await canLogin(server, name, password)).toBe(true);
    expect(await canLogin(server, name, `${password}x`)).toBe(false);
  });

  it.skipIf(EXTERNAL_SERVER)(
    'the server log holds the ALTER ROLE with the verifier, never the password ' +
      '[needs the kit’s own cluster: skipped when PG_TEST_HOST names an external server]',
    () => {
      const log = server.readLog();
      expect(rememberedSecretCount()).toBeGreaterThan(0);
      expect(findLeaks(log), 'passwords found in the PostgreSQL server log').toEqual([]);
      expect(alterRole).toMatch(/ PASSWORD 'SCRAM-SHA-256\$\d+:/);
      expect(log).toContain(`statement: ${alterRole}`);
    },
  );
});
