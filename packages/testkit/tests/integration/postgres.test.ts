/**
 * The PostgreSQL fixture is only useful if it really checks passwords: no trust over TCP, SCRAM,
 * TLS on with the kit's CA, every statement logged, and nothing left running after stop().
 */
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../../src/postgres.ts';

const EXTERNAL = Boolean(process.env.PG_TEST_HOST);

describe.skipIf(EXTERNAL)('startPostgres (own cluster) [skipped when PG_TEST_HOST names an external server]', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function tryLogin(password: string, ssl: pg.ClientConfig['ssl']): Promise<string> {
    const client = new pg.Client({
      host: server.host,
      port: server.port,
      user: 'fixture_user',
      password,
      database: 'postgres',
      ssl,
      connectionTimeoutMillis: 5000,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      return rows[0]!.ssl ? 'ok-tls' : 'ok-plain';
    } catch (error) {
      return String((error as { code?: string }).code ?? (error as Error).message);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  it('checks passwords over TCP with SCRAM, offers TLS verified by the kit CA, and logs every statement', async () => {
    // A literal password for the fixture itself; this file makes no claim about the server log.
    await server.query(`CREATE ROLE fixture_user LOGIN PASSWORD 'fixture-pass-1'`);
    const settings = await server.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('ssl', 'log_statement', 'password_encryption') ` +
        `ORDER BY name`,
    );
    expect(settings.rows).toEqual([
      { name: 'log_statement', setting: 'all' },
      { name: 'password_encryption', setting: 'scram-sha-256' },
      { name: 'ssl', setting: 'on' },
    ]);
    const hba = await server.query<{ type: string; auth_method: string }>(
      `SELECT type, auth_method FROM pg_hba_file_rules WHERE type LIKE 'host%'`,
    );
    expect(hba.rows.length).toBeGreaterThan(0);
    expect(hba.rows.every((rule) => rule.auth_method === 'scram-sha-256')).toBe(true);

    expect(await tryLogin('wrong-password', false)).toBe('28P01');
    expect(await tryLogin('fixture-pass-1', false)).toBe('ok-plain');
    expect(await tryLogin('fixture-pass-1', { ca: server.certificates!.caCert, rejectUnauthorized: true })).toBe(
      'ok-tls',
    );
    expect(
      await tryLogin('fixture-pass-1', { ca: server.certificates!.otherCaCert, rejectUnauthorized: true }),
    ).toMatch(/UNABLE_TO_VERIFY|SELF_SIGNED|unable to verify/i);
    expect(server.readLog()).toContain('statement: SELECT ssl FROM pg_stat_ssl');
  });

  it('{ tls: false } starts a server that offers no TLS; stop() ends it and removes its folder', async () => {
    const other = await startPostgres(process.env, { tls: false });
    expect(other.certificates).toBeUndefined();
    expect(other.caCert).toBeUndefined();
    const tlsClient = new pg.Client({
      host: other.host,
      port: other.port,
      user: 'postgres',
      password: 'x',
      ssl: { rejectUnauthorized: false },
      connectionTimeoutMillis: 2000,
    });
    tlsClient.on('error', () => undefined);
    await expect(tlsClient.connect()).rejects.toThrow('The server does not support SSL connections');
    const { rows } = await other.query<{ ssl: string }>("SELECT current_setting('ssl') AS ssl");
    expect(rows[0]!.ssl).toBe('off');
    const logFile = other.logFile!;
    expect(existsSync(logFile)).toBe(true);
    await other.stop();
    expect(existsSync(logFile)).toBe(false);
    const client = new pg.Client({
      host: other.host,
      port: other.port,
      user: 'postgres',
      password: 'x',
      connectionTimeoutMillis: 2000,
    });
    client.on('error', () => undefined);
    await expect(client.connect()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
