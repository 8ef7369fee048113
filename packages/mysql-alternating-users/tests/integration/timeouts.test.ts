/**
 * Every statement has a time limit (mysql2's per-query `timeout`, 3 x CONNECT_TIMEOUT_SECONDS), so
 * a network that stops answering in the middle of a step fails that step with a typed error
 * instead of running into the Lambda's timeout — and the connection is dropped rather than closed
 * politely (mysql2 would queue the QUIT behind the statement that never answers).
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { TargetOperationError } from '@rotators/core';
import { createSecret, freePort, startMariaDb, type MariaDbServer } from '@rotators/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, harness, newPassword, snapshot } from '../helpers/harness.ts';

let db: MariaDbServer;
const servers: Server[] = [];
const sockets: Socket[] = [];
beforeAll(async () => {
  db = await startMariaDb();
  await db.query('CREATE DATABASE IF NOT EXISTS shop');
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise((r) => server.close(r))));
  await db?.stop();
});

/** A TCP forwarder to the server that can be told to stop forwarding anything, as a dead network would. */
async function freezableForwarder(): Promise<{ port: number; freeze(): void }> {
  let frozen = false;
  const port = await freePort();
  const server = createServer((client) => {
    const upstream = tcpConnect(db.port, db.host);
    sockets.push(client, upstream);
    client.on('data', (chunk) => void (frozen || upstream.write(chunk)));
    upstream.on('data', (chunk) => void (frozen || client.write(chunk)));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    port,
    freeze: () => {
      frozen = true;
    },
  };
}

describe('statement timeouts', () => {
  it('every statement of a rotation carries the timeout, 3 x CONNECT_TIMEOUT_SECONDS', async () => {
    const h = await harness(db, { CONNECT_TIMEOUT_SECONDS: '2' });
    const password = newPassword();
    await createUser(db, 'to_all', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
    const secretId = await h.secretFor('to_all', password);
    await h.service.rotate(secretId);
    expect(h.statements.length).toBeGreaterThan(10);
    expect(h.statements.filter((s) => s.timeout !== 6000)).toEqual([]);
    // The server gives up on a metadata lock first (2 x), so its own error code is what we report.
    expect(h.statements.filter((s) => s.sql === 'SET SESSION lock_wait_timeout = ?').length).toBeGreaterThan(0);
  });

  it(
    'the network stops answering in the middle of setSecret: a ' +
      'TargetOperationError naming the statement, nothing written',
    async () => {
      const h = await harness(db, { CONNECT_TIMEOUT_SECONDS: '1' });
      const forwarder = await freezableForwarder();
      const password = newPassword();
      await createUser(db, 'to_hang', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      const masterArn = await createSecret(
        h.client,
        { username: db.adminUser, password: db.adminPassword, host: db.host, port: forwarder.port },
        'mysql-master',
      );
      const secretId = await h.secretFor('to_hang', password, { port: forwarder.port, masterarn: masterArn });
      const before = await snapshot(db, ['to_hang', 'to_hang_clone']);
      const token = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', token);
      // The master's check of its own rights (the last read before any write) never gets an answer.
      h.beforeEachStatement((sql) => {
        if (sql === 'SHOW GRANTS FOR CURRENT_USER()') forwarder.freeze();
      });
      const error = await h.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetOperationError);
      expect((error as Error).message).toContain(
        "reading the master user's own grants failed: PROTOCOL_SEQUENCE_TIMEOUT",
      );
      expect((error as Error).message).toContain(secretId);
      expect(h.statements.at(-1)).toMatchObject({ sql: 'SHOW GRANTS FOR CURRENT_USER()', timeout: 3000 });
      expect(await snapshot(db, ['to_hang', 'to_hang_clone'])).toBe(before);
    },
  );
});
