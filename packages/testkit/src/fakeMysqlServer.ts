/**
 * A fake MySQL server on loopback that plays the man-in-the-middle of a TLS downgrade: its
 * greeting (HandshakeV10) does NOT offer TLS (no CLIENT_SSL capability), and if a client answers
 * anyway it asks for the password in clear (AuthSwitchRequest to mysql_clear_password). Every byte
 * it receives is recorded per connection, so a test can assert that no handshake response, no
 * scramble and no password ever arrived.
 *
 * `acceptLogins: true` answers every handshake response (and the clear password after the switch)
 * with OK, `SELECT CURRENT_USER()` with the user's own account at '%', and every other command with
 * OK, so a client that was allowed plaintext gets "logged in": used
 * to show that a plaintext app login does not drag the master's login into plaintext.
 *
 * Not a MySQL implementation: only the packets a client sends up to authentication are understood.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { freePort } from './freePort.ts';

export interface FakeMysqlConnection {
  /** Everything the client sent, in order. Empty when it closed right after the greeting. */
  received: Buffer;
  /** The 20-byte nonce the greeting carried (a scramble of any version would be derived from it). */
  nonce: Buffer;
  /** User name in the client's handshake response, if one arrived. */
  handshakeUser?: string;
  closed: boolean;
}

export interface FakeMysqlServer {
  host: string;
  port: number;
  connections: FakeMysqlConnection[];
  stop(): Promise<void>;
}

// Capability flags: LONG_PASSWORD, FOUND_ROWS, LONG_FLAG, CONNECT_WITH_DB, PROTOCOL_41, TRANSACTIONS,
// SECURE_CONNECTION, MULTI_RESULTS, PLUGIN_AUTH. Deliberately without SSL (0x0800).
const CLIENT_SSL = 0x0800;
const CAPABILITIES = 0x0001 | 0x0002 | 0x0004 | 0x0008 | 0x0200 | 0x2000 | 0x8000 | 0x20000 | 0x80000;

function packet(sequence: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUIntLE(payload.length, 0, 3);
  header[3] = sequence;
  return Buffer.concat([header, payload]);
}

function greeting(connectionId: number, nonce: Buffer): Buffer {
  if ((CAPABILITIES & CLIENT_SSL) !== 0) throw new Error('the fake server must not offer TLS');
  const fixed = Buffer.alloc(4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10);
  let offset = 0;
  fixed.writeUInt32LE(connectionId, offset);
  offset += 4;
  nonce.copy(fixed, offset, 0, 8);
  offset += 8;
  fixed[offset++] = 0; // filler
  fixed.writeUInt16LE(CAPABILITIES & 0xffff, offset);
  offset += 2;
  fixed[offset++] = 45; // utf8mb4_general_ci
  fixed.writeUInt16LE(0x0002, offset); // SERVER_STATUS_AUTOCOMMIT
  offset += 2;
  fixed.writeUInt16LE((CAPABILITIES >>> 16) & 0xffff, offset);
  offset += 2;
  fixed[offset++] = 21; // length of the auth plugin data
  return Buffer.concat([
    Buffer.from([10]), // protocol version
    Buffer.from('8.0.99-fake-no-tls\0', 'latin1'),
    fixed,
    nonce.subarray(8, 20),
    Buffer.from([0]),
    Buffer.from('mysql_native_password\0', 'latin1'),
  ]);
}

const ok = (sequence: number) => packet(sequence, Buffer.from([0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00]));

const lenencString = (text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
};

/** A one-column, one-row text result set (with EOF packets: the greeting has no DEPRECATE_EOF). */
function resultSet(column: string, value: string): Buffer {
  const eof = (sequence: number) => packet(sequence, Buffer.from([0xfe, 0x00, 0x00, 0x02, 0x00]));
  const definition = Buffer.concat([
    ...['def', '', '', '', column, ''].map(lenencString),
    Buffer.from([0x0c, 45, 0, 0, 1, 0, 0, 0xfd, 0, 0, 0, 0, 0]),
  ]);
  return Buffer.concat([
    packet(1, Buffer.from([1])),
    packet(2, definition),
    eof(3),
    packet(4, lenencString(value)),
    eof(5),
  ]);
}

/** The user name of a HandshakeResponse41: after 4+4+1+23 bytes, NUL-terminated. */
function userOf(payload: Buffer): string | undefined {
  if (payload.length < 33) return undefined;
  const end = payload.indexOf(0, 32);
  return payload.subarray(32, end < 0 ? undefined : end).toString('utf8');
}

export async function startFakeMysqlServer(options: { acceptLogins?: boolean } = {}): Promise<FakeMysqlServer> {
  const connections: FakeMysqlConnection[] = [];
  const sockets = new Set<Socket>();
  let nextId = 1;
  const server = createServer((socket) => {
    sockets.add(socket);
    const nonce = Buffer.from(randomBytes(20).map((b) => (b % 94) + 33)); // printable, no NUL, as servers send
    const record: FakeMysqlConnection = { received: Buffer.alloc(0), nonce, closed: false };
    connections.push(record);
    let buffered = Buffer.alloc(0);
    let stage: 'handshake' | 'clearPassword' | 'commands' = 'handshake';
    socket.on('data', (chunk) => {
      record.received = Buffer.concat([record.received, chunk]);
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4) {
        const length = buffered.readUIntLE(0, 3);
        if (buffered.length < 4 + length) break;
        const sequence = buffered[3]!;
        const payload = buffered.subarray(4, 4 + length);
        buffered = buffered.subarray(4 + length);
        if (stage === 'handshake') {
          record.handshakeUser = userOf(payload);
          if (options.acceptLogins) {
            socket.write(ok(sequence + 1));
            stage = 'commands';
          } else {
            // What a downgrading attacker wants: the password itself.
            socket.write(
              packet(
                sequence + 1,
                Buffer.concat([Buffer.from([0xfe]), Buffer.from('mysql_clear_password\0', 'latin1')]),
              ),
            );
            stage = 'clearPassword';
          }
        } else if (stage === 'clearPassword') {
          socket.end();
        } else if (payload[0] === 0x01) {
          socket.end(); // COM_QUIT
        } else if (
          payload[0] === 0x03 &&
          /^SELECT CURRENT_USER\(\) AS (\w+)/i.test(payload.subarray(1).toString('utf8'))
        ) {
          // Which account the "logged-in" user matched: its own name at '%'.
          const column = /^SELECT CURRENT_USER\(\) AS (\w+)/i.exec(payload.subarray(1).toString('utf8'))![1]!;
          socket.write(resultSet(column, `${record.handshakeUser ?? ''}@%`));
        } else {
          socket.write(ok(1));
        }
      }
    });
    socket.on('close', () => {
      record.closed = true;
      sockets.delete(socket);
    });
    socket.on('error', () => undefined);
    socket.write(packet(0, greeting(nextId++, nonce)));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port,
    connections,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
