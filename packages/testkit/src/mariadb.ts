/**
 * A throwaway MariaDB server for tests, with password authentication and TLS: mariadb-install-db
 * into its own datadir, mariadbd on a free loopback port and its own socket, a certificate from
 * createTestCertificates. root logs in over that socket only (unix_socket); the tests use a
 * password-authenticated admin WITH GRANT OPTION, as a master secret would.
 *
 * `startMariaDb({ tls: false })` starts a server that offers no TLS at all (no certificate,
 * `--skip-ssl`): the one case where a secret without `ssl` may fall back to plaintext. Its
 * `certificates` and `caCert` are undefined; `otherCaCert` is still a CA to distrust. Only a local
 * server can be started so: with MYSQL_TEST_HOST set it throws, and such tests skip.
 *
 * When MYSQL_TEST_HOST is set, nothing is started: the same interface points at that server
 * (the GitHub Actions workflow runs the suite against a MySQL 8.4 service container this way).
 *   MYSQL_TEST_HOST, MYSQL_TEST_PORT (3306), MYSQL_TEST_ADMIN_USER, MYSQL_TEST_ADMIN_PASSWORD,
 *   MYSQL_TEST_CA_FILE (optional: the CA that signed the server's certificate)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from './freePort.ts';
import { rememberSecret } from './logCapture.ts';
import { createTestCertificates, type TestCertificates } from './tls.ts';

export interface MariaDbServer {
  host: string;
  port: number;
  /** Test certificates of a server this kit started; undefined for an external server. */
  certificates: TestCertificates | undefined;
  /** The CA that signed the server certificate, when known (always for a local server). */
  caCert: string | undefined;
  /** A CA that did not sign the server certificate (for "must not verify" tests). */
  otherCaCert: string;
  /** 'mariadb' or 'mysql', from SELECT VERSION(). */
  flavor: 'mariadb' | 'mysql';
  version: string;
  /** True when the server was named by MYSQL_TEST_* variables rather than started here. */
  external: boolean;
  /** The server's own folder (datadir, socket, error.log) for a local server; removed by stop(). */
  directory: string | undefined;
  adminUser: string;
  adminPassword: string;
  /** Run one statement as the admin (TLS, verified when the CA is known); values bound by mysql2. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export interface StartMariaDbOptions {
  /** false: a server without TLS (no certificate, --skip-ssl). Default true. Local servers only. */
  tls?: boolean;
}

export async function startMariaDb(options: StartMariaDbOptions = {}): Promise<MariaDbServer> {
  const tls = options.tls ?? true;
  if (process.env.MYSQL_TEST_HOST) {
    if (!tls)
      throw new Error(
        'startMariaDb({ tls: false }) needs a local server: ' +
          'MYSQL_TEST_HOST names one whose TLS the tests cannot turn off',
      );
    return useExternalServer();
  }
  return startLocalServer(tls);
}

async function useExternalServer(): Promise<MariaDbServer> {
  const env = process.env;
  const adminUser = env.MYSQL_TEST_ADMIN_USER ?? 'root';
  const adminPassword = env.MYSQL_TEST_ADMIN_PASSWORD ?? '';
  rememberSecret(adminPassword);
  const caCert = env.MYSQL_TEST_CA_FILE ? readFileSync(env.MYSQL_TEST_CA_FILE, 'utf8') : undefined;
  // Only the unrelated CA is needed from the generator; it never touches the server.
  const unrelated = createTestCertificates();
  const server = await connectAdmin({
    host: env.MYSQL_TEST_HOST!,
    port: Number(env.MYSQL_TEST_PORT ?? 3306),
    adminUser,
    adminPassword,
    caCert,
    certificates: undefined,
    otherCaCert: unrelated.otherCaCert,
    external: true,
    directory: undefined,
    stopServer: async () => rmSync(unrelated.directory, { recursive: true, force: true }),
  });
  return server;
}

async function startLocalServer(tls: boolean): Promise<MariaDbServer> {
  const directory = mkdtempSync(join(tmpdir(), 'rotators-mariadb-'));
  const datadir = join(directory, 'data');
  const socket = join(directory, 'mariadb.sock');
  const certificates = createTestCertificates(['localhost'], ['127.0.0.1']);
  const removeFiles = () => {
    rmSync(directory, { recursive: true, force: true });
    rmSync(certificates.directory, { recursive: true, force: true });
  };
  try {
    // --no-defaults: the machine's /etc/mysql/my.cnf (user = mysql, its own datadir) must not apply.
    execFileSync(
      'mariadb-install-db',
      [
        '--no-defaults',
        `--datadir=${datadir}`,
        '--user=root',
        '--auth-root-authentication-method=socket',
        '--skip-test-db',
      ],
      { stdio: 'pipe' },
    );
  } catch (error) {
    removeFiles();
    throw error;
  }

  const port = await freePort();
  const child = spawn(
    'mariadbd',
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      '--user=root',
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${socket}`,
      `--pid-file=${join(directory, 'mariadbd.pid')}`,
      `--log-error=${join(directory, 'error.log')}`,
      '--skip-log-bin',
      // Accounts match by IP only, so '127.0.0.1' and '%' behave the same on every machine.
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=32M',
      '--performance-schema=OFF',
      // --skip-ssl also for servers (MariaDB 11.4+) that would make a certificate of their own.
      ...(tls
        ? [
            `--ssl-ca=${certificates.caCertFile}`,
            `--ssl-cert=${certificates.serverCertFile}`,
            `--ssl-key=${certificates.serverKeyFile}`,
          ]
        : ['--skip-ssl']),
    ],
    { stdio: 'ignore' },
  );
  const stopServer = async () => {
    await stopChild(child);
    removeFiles();
  };
  try {
    await waitForSocket(socket, child, join(directory, 'error.log'));
    const adminUser = 'rotators_admin';
    // Random, plus characters that need escaping, so every consumer is tested with them.
    const adminPassword = `${randomBytes(18).toString('base64url')}'"\\`;
    rememberSecret(adminPassword);
    // Over root's socket, through stdin, so the password is on no command line; values escaped by
    // mysql2 (the server runs with its default sql_mode, where backslash escapes apply).
    const admin = `${mysql.escape(adminUser)}@'%'`;
    execFileSync('mariadb', ['--no-defaults', `--socket=${socket}`, '-u', 'root'], {
      input:
        `CREATE USER ${admin} IDENTIFIED BY ${mysql.escape(adminPassword)}; ` +
        `GRANT ALL PRIVILEGES ON *.* TO ${admin} WITH GRANT OPTION;`,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return await connectAdmin({
      host: '127.0.0.1',
      port,
      adminUser,
      adminPassword,
      caCert: tls ? certificates.caCert : undefined,
      certificates: tls ? certificates : undefined,
      otherCaCert: certificates.otherCaCert,
      external: false,
      directory,
      stopServer,
    });
  } catch (error) {
    await stopServer();
    throw error;
  }
}

interface AdminOptions {
  host: string;
  port: number;
  adminUser: string;
  adminPassword: string;
  caCert: string | undefined;
  certificates: TestCertificates | undefined;
  otherCaCert: string;
  external: boolean;
  directory: string | undefined;
  stopServer: () => Promise<void>;
}

async function connectAdmin(options: AdminOptions): Promise<MariaDbServer> {
  const pool = mysql.createPool({
    host: options.host,
    port: options.port,
    user: options.adminUser,
    password: options.adminPassword,
    connectionLimit: 2,
    ssl: options.caCert ? { ca: options.caCert, rejectUnauthorized: true, verifyIdentity: true } : undefined,
  });
  let version: string;
  try {
    const [rows] = await pool.query('SELECT VERSION() AS version');
    version = String((rows as { version: string }[])[0]!.version);
  } catch (error) {
    await pool.end().catch(() => undefined);
    await options.stopServer();
    throw error;
  }
  return {
    host: options.host,
    port: options.port,
    certificates: options.certificates,
    caCert: options.caCert,
    otherCaCert: options.otherCaCert,
    flavor: /mariadb/i.test(version) ? 'mariadb' : 'mysql',
    version,
    external: options.external,
    directory: options.directory,
    adminUser: options.adminUser,
    adminPassword: options.adminPassword,
    async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
      const [rows] = await pool.query(sql, params);
      return rows as T[];
    },
    async stop() {
      await pool.end().catch(() => undefined);
      await options.stopServer();
    },
  };
}

async function waitForSocket(socket: string, child: ChildProcess, errorLog: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mariadbd exited with code ${child.exitCode}: ${tail(errorLog)}`);
    if (existsSync(socket)) {
      try {
        execFileSync('mariadb', ['--no-defaults', `--socket=${socket}`, '-u', 'root', '-e', 'SELECT 1'], {
          stdio: 'pipe',
        });
        return;
      } catch {
        // accepting soon
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`mariadbd did not start within 60 s: ${tail(errorLog)}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '(no error log)';
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}
