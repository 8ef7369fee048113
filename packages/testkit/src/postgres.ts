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
 * Binaries: PG_BINDIR, else `pg_config --bindir`, else the newest /usr/lib/postgresql/<v>/bin.
 *
 * `startPostgres(env, { tls: false })` makes a cluster with `ssl = off`: a server that offers no
 * TLS at all, the one case where a secret without `ssl` may fall back to plaintext. Its
 * `certificates` and `caCert` are undefined. An external server (PG_TEST_HOST) keeps its own TLS
 * setting, so tests that need a server without TLS skip there.
 *
 * Clean-up: a start that fails removes its folders (cluster and certificates); a process that
 * exits without stop(), or is ended by SIGINT/SIGTERM/SIGHUP, stops its servers (`pg_ctl stop -m
 * immediate`) from an 'exit' / signal listener. Only SIGKILL leaves a server running.
 *
 * With PG_TEST_HOST set, an existing server is used instead (e.g. a CI service container):
 * PG_TEST_HOST, PG_TEST_PORT (5432), PG_TEST_ADMIN_USER (postgres), PG_TEST_ADMIN_PASSWORD,
 * PG_TEST_ADMIN_DATABASE (postgres), PG_TEST_CA_FILE (the CA that signed the server certificate,
 * when it has one). Such a server has no log the tests can read and no test CA unless named:
 * tests that need them check `canReadLog` / `certificates` and skip visibly.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
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
  /** false: `ssl = off`, no certificate (own cluster only). Default true. */
  tls?: boolean;
}

export async function startPostgres(
  env: Record<string, string | undefined> = process.env,
  options: StartPostgresOptions = {},
): Promise<PostgresServer> {
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

/**
 * The folder with initdb, pg_ctl and postgres: PG_BINDIR, else `pg_config --bindir`, else the newest
 * Debian/Ubuntu install.
 */
function postgresBinDir(): string {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(join(dir, 'initdb'))) return dir;
  } catch {
    // no pg_config on PATH
  }
  const dir = newestPostgresBinDir();
  if (dir) return dir;
  throw new Error(
    'PostgreSQL server binaries not found: install them (e.g. apt-get install postgresql) or set PG_BINDIR',
  );
}

/**
 * The newest `<root>/<version>/bin` holding initdb (Debian/Ubuntu lay out every installed major
 * version so), compared as version numbers: 16 is newer than 9.6.
 */
export function newestPostgresBinDir(root = '/usr/lib/postgresql'): string | undefined {
  let versions: string[];
  try {
    versions = readdirSync(root);
  } catch {
    return undefined;
  }
  const numeric = (version: string) => version.split('.').map(Number);
  const newestFirst = versions
    .filter((version) => /^\d+(\.\d+)*$/.test(version))
    .sort((a, b) => {
      const [x, y] = [numeric(a), numeric(b)];
      for (let i = 0; i < Math.max(x.length, y.length); i += 1)
        if ((x[i] ?? 0) !== (y[i] ?? 0)) return (y[i] ?? 0) - (x[i] ?? 0);
      return 0;
    });
  return newestFirst.map((version) => join(root, version, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
}

interface OsUser {
  uid: number;
  gid: number;
  /** Prefix that runs a command as this user (empty when we already are). */
  prefix: string[];
}

/**
 * As root, the cluster belongs to the OS user `osUser` (initdb refuses to run as root); otherwise
 * to whoever runs the tests. Exported for its test.
 */
export function clusterOwner(uid = process.getuid?.(), osUser = 'postgres'): OsUser {
  if (uid !== 0) return { uid: uid ?? 0, gid: process.getgid?.() ?? 0, prefix: [] };
  let ids: { uid: number; gid: number };
  try {
    ids = {
      uid: Number(execFileSync('id', ['-u', osUser], { encoding: 'utf8', stdio: 'pipe' }).trim()),
      gid: Number(execFileSync('id', ['-g', osUser], { encoding: 'utf8', stdio: 'pipe' }).trim()),
    };
  } catch {
    throw new Error(
      'The tests run as root, and initdb refuses to: ' +
        `the cluster must belong to the OS user "${osUser}", which does not exist. ` +
        'Create it (installing the postgresql package does), run the tests as another user, ' +
        'or set PG_TEST_HOST to use an existing server.',
    );
  }
  return { ...ids, prefix: ['runuser', '-u', osUser, '--'] };
}

function run(owner: OsUser, binary: string, args: string[]): void {
  const [command, ...rest] = [...owner.prefix, binary, ...args];
  execFileSync(command!, rest, { stdio: 'pipe', timeout: 120_000, cwd: tmpdir() });
}

/**
 * Servers this process started and has not stopped: on exit (a test run ended early, a vitest
 * worker told to quit) each is stopped at once and its folders removed, so nothing is left
 * running. Synchronous, as an 'exit' listener must be.
 */
const running = new Map<string, () => void>();
let exitHookInstalled = false;

function stopOnExit(key: string, stopNow: () => void): void {
  running.set(key, stopNow);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const stopAll = () => {
    for (const [dataDir, stop] of running) {
      running.delete(dataDir);
      try {
        stop();
      } catch {
        // best effort: the process is ending
      }
    }
  };
  process.on('exit', stopAll);
  // A signal with no listener ends the process without 'exit' (a test run stopped with Ctrl-C or
  // kill): stop the servers, then let the signal do what it would have done.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      stopAll();
      process.removeListener(signal, onSignal);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

async function startOwnCluster(options: StartPostgresOptions): Promise<PostgresServer> {
  const tls = options.tls ?? true;
  const bin = postgresBinDir();
  const owner = clusterOwner();
  const directory = mkdtempSync(join(tmpdir(), 'rotators-pg-'));
  let certificates: TestCertificates | undefined;
  const removeFolders = () => {
    rmSync(directory, { recursive: true, force: true });
    if (certificates) rmSync(certificates.directory, { recursive: true, force: true });
  };
  const dataDir = join(directory, 'data');
  const logFile = join(directory, 'server.log');
  let port = 0;
  // Any failure from here on removes both folders: a failed start leaves nothing in the temp folder.
  try {
    chownSync(directory, owner.uid, owner.gid);
    certificates = createTestCertificates();

    // The server reads its certificate and key as its own OS user; the key must be 0600 and its own.
    const certFile = join(directory, 'server.crt');
    const keyFile = join(directory, 'server.key');
    copyFileSync(certificates.serverCertFile, certFile);
    copyFileSync(certificates.serverKeyFile, keyFile);
    chmodSync(keyFile, 0o600);
    for (const file of [certFile, keyFile]) chownSync(file, owner.uid, owner.gid);

    try {
      run(owner, join(bin, 'initdb'), [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '-E',
        'UTF8',
        '--locale=C',
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '--no-sync',
      ]);
    } catch (error) {
      throw new Error(`initdb failed: ${(error as { stderr?: Buffer }).stderr?.toString() ?? error}`);
    }
    // Exactly the rules the tests rely on: no trust over TCP, passwords checked with SCRAM.
    // 127.0.0.2 is also loopback: tests reach the server by an address its certificate does not name.
    writeFileSync(
      join(dataDir, 'pg_hba.conf'),
      [
        ...(options.hbaRules ?? []),
        'local all all trust',
        'host all all 127.0.0.1/32 scram-sha-256',
        'host all all 127.0.0.2/32 scram-sha-256',
        'host all all ::1/128 scram-sha-256',
        '',
      ].join('\n'),
    );

    for (let attempt = 1; ; attempt += 1) {
      port = await freePort();
      writeFileSync(
        join(dataDir, 'postgresql.auto.conf'),
        [
          `port = ${port}`,
          `listen_addresses = '127.0.0.1,127.0.0.2'`,
          `unix_socket_directories = '${directory}'`,
          `password_encryption = 'scram-sha-256'`,
          ...(tls ? [`ssl = on`, `ssl_cert_file = '${certFile}'`, `ssl_key_file = '${keyFile}'`] : [`ssl = off`]),
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
        // -t 20: three attempts fit in a vitest hook timeout (the packages use 120 s).
        run(owner, join(bin, 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-w', '-t', '20', 'start']);
        break;
      } catch (error) {
        // Another process may have taken the port between freePort() and the server's bind.
        if (attempt >= 3) {
          const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
          throw new Error(
            `PostgreSQL did not start: ${(error as { stderr?: Buffer }).stderr?.toString() ?? error}\n${log}`,
          );
        }
      }
    }
  } catch (error) {
    // pg_ctl may have left a server up after a timeout: stop it before removing its folder.
    if (existsSync(join(dataDir, 'postmaster.pid'))) {
      try {
        run(owner, join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', '-t', '20', 'stop']);
      } catch {
        // not running after all
      }
    }
    removeFolders();
    throw error;
  }
  const serverCertificates = certificates;

  stopOnExit(dataDir, () => {
    run(owner, join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', '-t', '20', 'stop']);
    removeFolders();
  });

  const pool = new pg.Pool({ host: directory, port, user: 'postgres', database: 'postgres', max: 2 });
  // pool.end() resolves before its clients' sockets close; the shutdown that follows then reaches an
  // idle client as FATAL 57P01, which an unheard pool 'error' event would turn into a crash.
  pool.on('error', () => undefined);
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    external: false,
    certificates: tls ? serverCertificates : undefined,
    caCert: tls ? serverCertificates.caCert : undefined,
    logFile,
    canReadLog: true,
    query: (sql, params) => pool.query(sql, params),
    readLog: () => readFileSync(logFile, 'utf8'),
    async stop() {
      if (stopped) return;
      stopped = true;
      running.delete(dataDir);
      await pool.end();
      try {
        run(owner, join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', '-t', '20', 'stop']);
      } finally {
        removeFolders();
      }
    },
  };
}

/**
 * True when `user` logs in over TCP with `password` (verified TLS when the CA is known); false when
 * the server says the password is wrong (28P01). Any other failure is thrown.
 */
export async function canLogin(
  server: Pick<PostgresServer, 'host' | 'port' | 'caCert'>,
  user: string,
  password: string,
): Promise<boolean> {
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user,
    password,
    database: 'postgres',
    ssl: server.caCert ? { ca: server.caCert, rejectUnauthorized: true } : false,
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '28P01') return false;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}
