/**
 * A PostgreSQL server as a man-in-the-middle would play it: it answers 'N' (no TLS) to every
 * SSLRequest and, to any client that carries on in plaintext, asks for the password in clear
 * (AuthenticationCleartextPassword), which node-postgres would answer. It records every byte it
 * receives, so a test can prove that a rotator sends it nothing but the SSLRequest: no startup
 * message, no password, no hash.
 */
import { createServer, type Socket } from 'node:net';

const SSL_REQUEST_CODE = 80877103;

export interface FakePostgresServer {
  host: string;
  port: number;
  /** Bytes received, one entry per connection, in order. */
  connections(): Buffer[];
  /** Passwords received in PasswordMessage ('p') packets. */
  passwords(): string[];
  stop(): Promise<void>;
}

export async function startFakePostgresWithoutTls(): Promise<FakePostgresServer> {
  const received: Buffer[] = [];
  const passwords: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const index = received.push(Buffer.alloc(0)) - 1;
    let pending = Buffer.alloc(0);
    let startedUp = false;
    socket.on('data', (chunk) => {
      received[index] = Buffer.concat([received[index]!, chunk]);
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (!startedUp) {
          if (pending.length < 8) return;
          const length = pending.readInt32BE(0);
          if (pending.length < length) return;
          const code = pending.readInt32BE(4);
          pending = pending.subarray(length);
          if (code === SSL_REQUEST_CODE) {
            socket.write('N');
            continue;
          }
          startedUp = true;
          // AuthenticationCleartextPassword: 'R', length 8, code 3.
          socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3]));
          continue;
        }
        if (pending.length < 5) return;
        const length = pending.readInt32BE(1);
        if (pending.length < 1 + length) return;
        const type = String.fromCharCode(pending[0]!);
        const body = pending.subarray(5, 1 + length);
        pending = pending.subarray(1 + length);
        if (type === 'p') {
          passwords.push(body.toString('utf8').replace(/\0$/, ''));
          // FATAL 28P01, so the client stops waiting.
          const fields = Buffer.from('SFATAL\0C28P01\0Mpassword authentication failed\0\0');
          const header = Buffer.alloc(5);
          header.write('E', 0);
          header.writeInt32BE(4 + fields.length, 1);
          socket.end(Buffer.concat([header, fields]));
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    host: '127.0.0.1',
    port: typeof address === 'object' && address ? address.port : 0,
    connections: () => [...received],
    passwords: () => [...passwords],
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
