/**
 * Recording, fault-injecting wires a rotator is built with: the `connect` function of the
 * PostgreSQL and MySQL rotators and the `createHttp` factory of the api-key rotator. Each wraps the
 * real driver; every connection attempt, statement and request goes through the recorder.
 */
import { connectWithPg, type PostgresSession } from '@rotators/core/postgres';
import mysql from 'mysql2/promise';
import type pg from 'pg';
import type { KeyApiServer } from '../keyApi.ts';
import { connectionReset, connectTimeout, mysqlQueryTimeout, pgQueryTimeout } from './faults.ts';
import type { CallRecorder, ChannelFaults } from './recorder.ts';

/** Statements that only read or set up the session; anything else counts as a write. */
const READ = new RegExp(
  // A literal split in two strings (backslashes doubled) to keep lines within 120 characters.
  '^\\s*(SELECT|SHOW|WITH|VALUES|EXPLAIN|BEGIN|START\\s+TRANSACTION|ROLLBACK|COMMIT|RESET|' +
    'SET\\s+(SESSION|LOCAL|ROLE|NAMES)\\b)',
  'i',
);
const BEGIN = /^\s*(BEGIN|START\s+TRANSACTION)\b/i;
const END = /^\s*(COMMIT|ROLLBACK)\b/i;

export function isSqlWrite(sql: string): boolean {
  return !READ.test(sql);
}

/** Per session: a write changes what the target accepts only once committed. */
class TransactionState {
  private open = false;
  options(sql: string): { write: boolean; stateChange: boolean } {
    const commit = /^\s*COMMIT\b/i.test(sql);
    // A COMMIT makes the transaction's writes take effect: a write point of its own.
    const write = isSqlWrite(sql) || commit;
    const stateChange = commit || (write && !this.open);
    if (BEGIN.test(sql)) this.open = true;
    else if (END.test(sql)) this.open = false;
    return { write, stateChange };
  }
}

const loginLabel = (recorder: CallRecorder, user: unknown) =>
  `connect as ${recorder.describe(`<${String(user)}>`).replace(/^<<(.*)>>$/, '<$1>')}`;

/** The `connect` option of the PostgreSQL rotators: node-postgres, through the recorder. */
export function pgConnectWire(recorder: () => CallRecorder) {
  return async (config: pg.ClientConfig): Promise<PostgresSession> => {
    const rec = recorder();
    // The rotators' own production connect, so the proof runs what Lambda runs.
    const open = () => connectWithPg(config);
    const close = (client: PostgresSession) => client.end().catch(() => undefined);
    const client = await rec.through('sql', loginLabel(rec, config.user), { write: false, stateChange: false }, open, {
      error: async () => {
        throw connectionReset();
      },
      timeout: async (perform) => {
        const opened = await perform().catch(() => undefined);
        if (opened) await close(opened);
        throw connectTimeout();
      },
      discard: close,
    });
    const state = new TransactionState();
    return {
      query: (sql, params) =>
        rec.through('sql', rec.describe(sql), state.options(sql), () => client.query(sql, params), {
          error: async () => {
            await close(client);
            throw connectionReset();
          },
          timeout: async (perform) => {
            await perform().catch(() => undefined);
            await close(client);
            throw pgQueryTimeout();
          },
          discard: () => close(client),
        }),
      end: () => close(client),
    };
  };
}

/** The `connect` option of the MySQL rotators: mysql2, through the recorder. */
export function mysqlConnectWire(recorder: () => CallRecorder) {
  return async (options: mysql.ConnectionOptions): Promise<mysql.Connection> => {
    const rec = recorder();
    const drop = (connection: mysql.Connection) => connection.destroy();
    const connection = await rec.through(
      'sql',
      loginLabel(rec, options.user),
      { write: false, stateChange: false },
      () => mysql.createConnection(options),
      {
        error: async () => {
          throw connectionReset();
        },
        timeout: async (perform) => {
          const opened = await perform().catch(() => undefined);
          if (opened) drop(opened);
          throw connectTimeout();
        },
        discard: drop,
      },
    );
    const state = new TransactionState();
    const original = connection.query.bind(connection) as (options: unknown, values?: unknown) => Promise<unknown>;
    (connection as unknown as { query: typeof original }).query = (queryOptions: unknown, values?: unknown) => {
      const sql = typeof queryOptions === 'string' ? queryOptions : String((queryOptions as { sql: string }).sql);
      const faults: ChannelFaults<unknown> = {
        error: async () => {
          drop(connection);
          throw connectionReset();
        },
        timeout: async (perform) => {
          await perform().catch(() => undefined);
          drop(connection);
          throw mysqlQueryTimeout();
        },
        discard: () => drop(connection),
      };
      return rec.through('sql', rec.describe(sql), state.options(sql), () => original(queryOptions, values), faults);
    };
    return connection;
  };
}

/** What the api-key rotator's HTTP factory returns (its KeyApiHttp). */
interface Http {
  call(request: { method: string; path: string; [key: string]: unknown }): Promise<unknown>;
}
type HttpFactory = (options: { baseUrl: string; [key: string]: unknown }) => Http;

/**
 * The `createHttp` option of the api-key rotator. Faults are the key API's own, set for exactly
 * this request just before it is sent (so they reach the real client and its retry policy):
 * error = 503 without acting on each of `attempts` tries, timeout = carried out, then the
 * connection dropped (`lost-reply`). Each wire has its own key API server, so no other request
 * can take the fault.
 */
export function httpWire(
  recorder: () => CallRecorder,
  realFactory: HttpFactory,
  api: KeyApiServer,
  attempts: number,
): HttpFactory {
  return (options) => {
    const http = realFactory(options);
    const prefix = new URL(options.baseUrl).pathname.replace(/\/+$/, '');
    return {
      call: (request) => {
        const rec = recorder();
        const method = request.method.toUpperCase();
        const route = `${method} ${prefix}${request.path}`;
        const label = `${method} ${request.path
          .split('/')
          .map((s) => (/\d/.test(s) ? '{id}' : s))
          .join('/')}`;
        const write = method !== 'GET' && method !== 'HEAD';
        const withFault = async (fault: Parameters<KeyApiServer['injectFault']>[0]['fault'], times: number) => {
          api.injectFault({ route, fault, times });
          try {
            return await http.call(request);
          } finally {
            api.clearFaults();
          }
        };
        return rec.through('http', label, { write, stateChange: write }, () => http.call(request), {
          error: () => withFault({ kind: 'status', status: 503 }, attempts),
          timeout: () => withFault({ kind: 'lost-reply', replaceWith: 'reset' }, 1),
        });
      },
    };
  };
}
