/**
 * The MariaDB fixture itself: TLS with the test CA, a password-authenticated admin, root over its
 * socket only, a clean stop.
 */
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MariaDbServer, startMariaDb } from '../../src/mariadb.ts';

const EXTERNAL = !!process.env.MYSQL_TEST_HOST;
const LOCAL_ONLY = '(only for a server the kit starts)';

let db: MariaDbServer;
let stopped = false;
beforeAll(async () => {
  db = await startMariaDb();
});
afterAll(async () => {
  if (!stopped) await db?.stop();
});

const connectAs = (user: string, password: string, ca?: string) =>
  mysql.createConnection({
    host: db.host,
    port: db.port,
    user,
    password,
    ssl: ca ? { ca, rejectUnauthorized: true, verifyIdentity: true } : undefined,
  });

describe('startMariaDb', () => {
  it.skipIf(EXTERNAL && !process.env.MYSQL_TEST_CA_FILE)(
    'the admin’s session runs over TLS verified by the test CA (needs MYSQL_TEST_CA_FILE for an external server)',
    async () => {
      const status = await db.query<{ Value: string }>("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
      expect(status[0]?.Value).toMatch(/\w/);
    },
  );

  it.skipIf(EXTERNAL)(
    `the admin's password holds a quote, a double quote and a backslash, and logs in as generated ${LOCAL_ONLY}`,
    async () => {
      expect(db.adminPassword).toMatch(/'"\\$/);
      const connection = await connectAs(db.adminUser, db.adminPassword, db.caCert);
      const [rows] = await connection.query('SELECT CURRENT_USER() AS user');
      await connection.end();
      expect((rows as { user: string }[])[0]!.user).toBe(`${db.adminUser}@%`);
    },
  );

  it('the admin logs in with its password only, and holds GRANT OPTION', async () => {
    const grants = (await db.query<Record<string, string>>('SHOW GRANTS FOR CURRENT_USER()'))
      .map((r) => Object.values(r)[0])
      .join('\n');
    expect(grants).toContain('WITH GRANT OPTION');
    await expect(connectAs(db.adminUser, `${db.adminPassword}-wrong`, db.caCert)).rejects.toMatchObject({
      code: 'ER_ACCESS_DENIED_ERROR',
    });
  });

  it.skipIf(EXTERNAL)(`its certificate does not verify with an unrelated CA ${LOCAL_ONLY}`, async () => {
    await expect(connectAs(db.adminUser, db.adminPassword, db.otherCaCert)).rejects.toMatchObject({
      code: 'HANDSHAKE_SSL_ERROR',
    });
  });

  it.skipIf(EXTERNAL)(`root cannot log in over TCP ${LOCAL_ONLY}`, async () => {
    await expect(connectAs('root', '', db.caCert)).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
  });

  it.skipIf(EXTERNAL)(`stop() ends the server and removes its folder ${LOCAL_ONLY}`, async () => {
    const directory = db.directory!;
    expect(existsSync(directory)).toBe(true);
    await db.stop();
    stopped = true;
    expect(existsSync(directory)).toBe(false);
    const refused = await new Promise<string>((resolve) => {
      const socket = createConnection(db.port, db.host);
      socket.on('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});

describe.skipIf(EXTERNAL)(`startMariaDb({ tls: false }) ${LOCAL_ONLY}`, () => {
  it('offers no TLS at all (mysql2: HANDSHAKE_NO_SSL_SUPPORT), and the admin logs in without it', async () => {
    const plain = await startMariaDb({ tls: false });
    try {
      expect(plain.certificates).toBeUndefined();
      expect(plain.caCert).toBeUndefined();
      const status = await plain.query<{ Value: string }>("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
      expect(status[0]?.Value).toBe('');
      const tls = mysql.createConnection({
        host: plain.host,
        port: plain.port,
        user: plain.adminUser,
        password: plain.adminPassword,
        ssl: { rejectUnauthorized: false },
      });
      await expect(tls).rejects.toMatchObject({ code: 'HANDSHAKE_NO_SSL_SUPPORT' });
    } finally {
      await plain.stop();
    }
  });
});
