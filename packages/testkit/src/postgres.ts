/**
 * A PostgreSQL server for tests that check passwords for real.
 *
 * By default a throwaway cluster is made with the machine's own binaries: scram-sha-256 for every
 * TCP connection (pg_hba), TLS on with a certificate from a throwaway CA, `log_statement = 'all'`
 * so tests can prove what did (not) reach the server log, and a Unix socket in the cluster's own
 * folder where the superuser logs in without a password (the test's admin path).
 *
 * initdb refuses to run as root, so when the tests run as root the cluster belongs to the
 * `postgres` OS user (`runuser -u postgres --`); its files live in a folder that user owns.
 *
 * With PG_TEST_HOST set, an existing server is used instead (e.g. a CI service container):
 * PG_TEST_HOST, PG_TEST_PORT (5432), PG_TEST_ADMIN_USER (postgres), PG_TEST_ADMIN_PASSWORD,
 * PG_TEST_ADMIN_DATABASE (postgres), PG_TEST_CA_FILE (the CA that signed the server certificate,
 * when it has one). Such a server has no log the tests can read and no test CA unless named:
 * tests that need them check `canReadLog` / `certificates` and skip visibly.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './freePort.ts';
import { rememberSecret } from './logCapture.ts';
import { createTestCertificates, type TestCertificates } from './tls.ts';

export interface PostgresServer {
  /** Where clients connect over TCP. */
  readonly host: string;
  readonly port: number;
  /** True when PG_TEST_HOST named a server the kit did not start. */
  readonly external: boolean;
  /** The kit's certificates (own cluster only): the server's CA and an unrelated CA. */
  readonly certificates?: TestCertificates;
  /** PEM of the CA that signed the server certificate, when known (own cluster, or PG_TEST_CA_FILE). */
  readonly caCert?: string;
  /** The server's log file (own cluster only). */
  readonly logFile?: string;
  readonly canReadLog: boolean;
  /** Run SQL as the superuser (own cluster: over its Unix socket). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Everything the server has logged so far. Throws on an external server. */
  readLog(): string;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /**
   * pg_hba.conf lines placed before the kit's own (own cluster only; an external server keeps its
   * rules), e.g. `hostnossl all tls_only_role 127.0.0.1/32 reject` to stage a server that refuses
   * one role in plaintext.
   */
  hbaRules?: string[];
}

export async function startPostgres(env: Record<string, string | undefined> = process.env, options: StartPostgresOptions = {}): Promise<PostgresServer> {
  return env.PG_TEST_HOST ? useExternalPostgres(env) : startOwnCluster(options);
}

function useExternalPostgres(env: Record<string, string | undefined>): PostgresServer {
  const host = env.PG_TEST_HOST!;
  const port = Number(env.PG_TEST_PORT ?? 5432);
  const password = env.PG_TEST_ADMIN_PASSWORD;
  rememberSecret(password);
  const caCert = env.PG_TEST_CA_FILE ? readFileSync(env.PG_TEST_CA_FILE, 'utf8') : undefined;
  const pool = new pg.Pool({
    host,
    port,
    user: env.PG_TEST_ADMIN_USER ?? 'postgres',
    password,
    database: env.PG_TEST_ADMIN_DATABASE ?? 'postgres',
    ssl: caCert ? { ca: caCert, rejectUnauthorized: true } : false,
    max: 2,
  });
  // An idle admin connection dropped by the server is not a test failure; the next query reports it.
  pool.on('error', () => undefined);
  return {
    host,
    port,
    external: true,
    caCert,
    canReadLog: false,
    query: (sql, params) => pool.query(sql, params),
    readLog() {
      throw new Error(`The server log of ${host}:${port} is not readable from the tests (external server)`);
    },
    stop: () => pool.end(),
  };
}

/** The folder with initdb, pg_ctl and postgres: PG_BINDIR, else `pg_config --bindir`, else Debian's. */
function postgresBinDir(): string {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(join(dir, 'initdb'))) return dir;
  } catch {
    // no pg_config on PATH
  }
  for (const version of ['17', '16', '15', '14']) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  throw new Error('PostgreSQL server binaries not found: install them (e.g. apt-get install postgresql) or set PG_BINDIR');
}

interface OsUser {
  uid: number;
  gid: number;
  /** Prefix that runs a command as this user (empty when we already are). */
  prefix: string[];
}

/** As root, the cluster belongs to `postgres`; otherwise to whoever runs the tests. */
function clusterOwner(): OsUser {
  if (process.getuid?.() !== 0) return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, prefix: [] };
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid, prefix: ['runuser', '-u', 'postgres', '--'] };
}

function run(owner: OsUser, binary: string, args: string[]): void {
  const [command, ...rest] = [...owner.prefix, binary, ...args];
  execFileSync(command!, rest, { stdio: 'pipe', timeout: 120_000, cwd: tmpdir() });
}

async function startOwnCluster(options: StartPostgresOptions): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const owner = clusterOwner();
  const directory = mkdtempSync(join(tmpdir(), 'rotators-pg-'));
  chownSync(directory, owner.uid, owner.gid);
  const dataDir = join(directory, 'data');
  const logFile = join(directory, 'server.log');
  const certificates = createTestCertificates();

  // The server reads its certificate and key as its own OS user; the key must be 0600 and its own.
  const certFile = join(directory, 'server.crt');
  const keyFile = join(directory, 'server.key');
  copyFileSync(certificates.serverCertFile, certFile);
  copyFileSync(certificates.serverKeyFile, keyFile);
  chmodSync(keyFile, 0o600);
  for (const file of [certFile, keyFile]) chownSync(file, owner.uid, owner.gid);

  try {
    run(owner, join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync']);
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(error as { stderr?: Buffer }).stderr?.toString() ?? error}`);
  }
  // Exactly the rules the tests rely on: no trust over TCP, passwords checked with SCRAM.
  // 127.0.0.2 is also loopback: tests reach the server by an address its certificate does not name.
  writeFileSync(
    join(dataDir, 'pg_hba.conf'),
    [...(options.hbaRules ?? []), 'local all all trust', 'host all all 127.0.0.1/32 scram-sha-256', 'host all all 127.0.0.2/32 scram-sha-256', 'host all all ::1/128 scram-sha-256', ''].join('\n'),
  );

  let port = 0;
  for (let attempt = 1; ; attempt += 1) {
    port = await freePort();
    writeFileSync(
      join(dataDir, 'postgresql.auto.conf'),
      [
        `port = ${port}`,
        `listen_addresses = '127.0.0.1,127.0.0.2'`,
        `unix_socket_directories = '${directory}'`,
        `password_encryption = 'scram-sha-256'`,
        `ssl = on`,
        `ssl_cert_file = '${certFile}'`,
        `ssl_key_file = '${keyFile}'`,
        `log_statement = 'all'`,
        `log_min_error_statement = 'error'`,
        `logging_collector = off`,
        `fsync = off`,
        `max_connections = 50`,
        '',
      ].join('\n'),
    );
    chownSync(join(dataDir, 'postgresql.auto.conf'), owner.uid, owner.gid);
    try {
      run(owner, join(bin, 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start']);
      break;
    } catch (error) {
      // Another process may have taken the port between freePort() and the server's bind.
      if (attempt >= 3) {
        const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
        rmSync(directory, { recursive: true, force: true });
        throw new Error(`PostgreSQL did not start: ${(error as { stderr?: Buffer }).stderr?.toString() ?? error}\n${log}`);
      }
    }
  }

  const pool = new pg.Pool({ host: directory, port, user: 'postgres', database: 'postgres', max: 2 });
  // pool.end() resolves before its clients' sockets close; the shutdown that follows then reaches an
  // idle client as FATAL 57P01, which an unheard pool 'error' event would turn into a crash.
  pool.on('error', () => undefined);
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    external: false,
    certificates,
    caCert: certificates.caCert,
    logFile,
    canReadLog: true,
    query: (sql, params) => pool.query(sql, params),
    readLog: () => readFileSync(logFile, 'utf8'),
    async stop() {
      if (stopped) return;
      stopped = true;
      await pool.end();
      try {
        run(owner, join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(directory, { recursive: true, force: true });
        rmSync(certificates.directory, { recursive: true, force: true });
      }
    },
  };
}
