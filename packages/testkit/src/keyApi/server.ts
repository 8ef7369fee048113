/**
 * A fake SaaS key API on 127.0.0.1 that behaves like the real ones: HTTPS with a throwaway CA (so
 * clients prove they verify TLS), keys with ids and labels, authentication by the key itself,
 * an active-key limit per account, and injectable faults. It speaks two dialects:
 *
 *   generic    GET /whoami, GET /keys, POST /keys {label}, DELETE /keys/{id}
 *   sendgrid   GET /v3/scopes, GET /v3/api_keys, POST /v3/api_keys {name}, DELETE /v3/api_keys/{id}
 *              (the shape of SendGrid's v3 API keys API)
 *
 * Key lists can come in pages (keyApi/pages.ts), and a fault can redirect to another server.
 *
 * A key is accepted in `Authorization: Bearer <key>` or `X-Api-Key: <key>`. The request log keeps
 * method, path, query, status and the id of the key used — never a key.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createTestCertificates, type TestCertificates } from '../tls.ts';
import { FaultPlan, type FaultRule } from './faults.ts';
import { cursorFor, type ListPages, pageOf, pageQuery } from './pages.ts';
import { type AccountOptions, ALL_SCOPES, KeyStore, type KeyRecord, type StoredKey } from './store.ts';

export interface KeyApiOptions {
  /** Serve HTTPS with a certificate from a throwaway CA (default), or plain HTTP. */
  tls?: boolean;
  /** Default active-key limit of new accounts. Default 3. */
  maxActiveKeys?: number;
  /**
   * Serve with these certificates instead of a new CA (e.g. a second server that clients of the
   * first would trust). They are left in place at stop(): whoever made them removes them.
   */
  certificates?: TestCertificates;
}

export interface KeyApiRequest {
  method: string;
  path: string;
  /** The query string without "?", when there was one (page size, page, cursor). */
  query?: string;
  status: number;
  /** Id of the key that authenticated the request, when one did. */
  keyId?: string;
  /** The header that carried that key. */
  authHeader?: 'authorization' | 'x-api-key';
  /** The injected fault's kind, when one was applied. */
  fault?: string;
}

export interface KeyApiServer {
  /** e.g. https://127.0.0.1:41234 */
  readonly baseUrl: string;
  /** The CA that signed the server certificate (HTTPS only), and one that did not. */
  readonly certificates?: TestCertificates;
  createAccount(options?: AccountOptions): { accountId: string; keyId: string; key: string };
  /** Change how an account's key lists are paged (undefined: one answer with every key). */
  setListPages(accountId: string, listPages: ListPages | undefined): void;
  /** Every key of an account, revoked ones included (never the secret values). */
  keys(accountId: string): KeyRecord[];
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  requests(): KeyApiRequest[];
  stop(): Promise<void>;
}

type Authenticated = StoredKey & { secret: string; header: 'authorization' | 'x-api-key' };
type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

export async function startKeyApi(options: KeyApiOptions = {}): Promise<KeyApiServer> {
  const store = new KeyStore(options.maxActiveKeys ?? 3);
  const faults = new FaultPlan();
  const log: KeyApiRequest[] = [];
  const ownCertificates = options.tls !== false && !options.certificates;
  const certificates = options.tls === false ? undefined : (options.certificates ?? createTestCertificates());
  let origin = '';

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const entry: KeyApiRequest = { method, path, ...(url.search ? { query: url.search.slice(1) } : {}), status: 0 };
    log.push(entry);
    const body = await readBody(req);

    const fault = faults.take(method, path);
    if (fault) entry.fault = fault.kind;
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs));
    if (res.destroyed || req.socket.destroyed) return;

    let reply: Reply;
    if (fault?.kind === 'status') {
      reply = { status: fault.status, body: { error: `injected ${fault.status}` } };
      if (fault.retryAfterSeconds !== undefined) reply.headers = { 'Retry-After': String(fault.retryAfterSeconds) };
    } else if (fault?.kind === 'redirect') {
      reply = { status: fault.status ?? 302, headers: { Location: fault.location } };
    } else {
      const caller = authenticate(req, store);
      if (caller) Object.assign(entry, { keyId: caller.id, authHeader: caller.header });
      reply = caller
        ? route(store, caller, { method, path, query: url.searchParams, origin }, body)
        : { status: 401, body: { error: 'invalid or revoked API key' } };
    }
    if (fault?.kind === 'lost-reply') {
      // The route ran (its effect stays); only the answer is lost.
      if (fault.replaceWith === 'reset') {
        req.socket.destroy();
        return;
      }
      reply = {
        status: fault.replaceWith,
        body: { error: `injected ${fault.replaceWith} after the request was carried out` },
      };
    }
    entry.status = reply.status;
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
  const server: Server = certificates
    ? createHttpsServer(
        { cert: readFileSync(certificates.serverCertFile), key: readFileSync(certificates.serverKeyFile) },
        listener,
      )
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `${certificates ? 'https' : 'http'}://127.0.0.1:${port}`;

  return {
    baseUrl: origin,
    certificates,
    createAccount: (accountOptions) => store.createAccount(accountOptions),
    setListPages: (accountId, listPages) => store.setListPages(accountId, listPages),
    keys: (accountId) => store.inspect(accountId),
    injectFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    requests: () => log.map((r) => ({ ...r })),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          if (certificates && ownCertificates) rmSync(certificates.directory, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

function authenticate(req: IncomingMessage, store: KeyStore): Authenticated | undefined {
  const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  const header = req.headers['x-api-key'];
  const presented = bearer ?? (typeof header === 'string' ? header : undefined);
  const key = presented ? store.authenticate(presented) : undefined;
  return key ? { ...key, header: bearer ? 'authorization' : 'x-api-key' } : undefined;
}

interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  /** This server's https://127.0.0.1:port, for absolute next-page links. */
  origin: string;
}

function route(store: KeyStore, caller: Authenticated, { method, path, query, origin }: Request, body: unknown): Reply {
  const account = caller.accountId;
  const label = (field: string) =>
    body && typeof body === 'object' ? (body as Record<string, unknown>)[field] : undefined;
  const limitReached: Reply = { status: 409, body: { error: 'active key limit reached' } };
  const idOf = (prefix: string) =>
    path.startsWith(prefix) && path.length > prefix.length && !path.slice(prefix.length).includes('/')
      ? decodeURIComponent(path.slice(prefix.length))
      : undefined;

  // generic dialect
  if (method === 'GET' && path === '/whoami') return { status: 200, body: { accountId: account, keyId: caller.id } };
  if (method === 'GET' && path === '/keys') {
    const reveal = store.reveals(account);
    const items = store.active(account).map((k) => ({
      id: k.id,
      label: k.label,
      created: k.created.toISOString(),
      ...(reveal ? { key: k.secret } : {}),
    }));
    return genericList(items, query, store.listPages(account), origin);
  }
  if (method === 'POST' && path === '/keys') {
    const wanted = label('label');
    if (typeof wanted !== 'string' || wanted === '') return { status: 400, body: { error: 'label is required' } };
    const key = store.create(account, wanted);
    return key
      ? { status: 201, body: { id: key.id, key: key.secret, label: key.label, created: key.created.toISOString() } }
      : limitReached;
  }
  const genericId = idOf('/keys/');
  if (method === 'DELETE' && genericId)
    return store.revoke(account, genericId) ? { status: 204 } : { status: 404, body: { error: 'no such key' } };

  // sendgrid dialect
  if (method === 'GET' && path === '/v3/scopes') return { status: 200, body: { scopes: caller.scopes } };
  if (method === 'GET' && path === '/v3/api_keys') {
    const items = store.active(account).map((k) => ({ api_key_id: k.id, name: k.label }));
    const pages = store.listPages(account);
    if (!pages) return { status: 200, body: { result: items } };
    const page = pageOf(items, query, pages);
    const next =
      page.next === undefined ? {} : { next: `${origin}/v3/api_keys?limit=${page.limit}&offset=${page.next}` };
    return {
      status: 200,
      body: { result: page.items, _metadata: { self: `${origin}/v3/api_keys?${query}`, ...next } },
    };
  }
  if (method === 'POST' && path === '/v3/api_keys') {
    const wanted = label('name');
    if (typeof wanted !== 'string' || wanted === '')
      return { status: 400, body: { errors: [{ field: 'name', message: 'required' }] } };
    // As SendGrid: no scopes = full access; a key cannot grant scopes it does not hold.
    const asked = label('scopes');
    const scopes = Array.isArray(asked) ? asked.filter((s): s is string => typeof s === 'string') : [...ALL_SCOPES];
    if (scopes.some((s) => !caller.scopes.includes(s)))
      return {
        status: 403,
        body: { errors: [{ field: 'scopes', message: 'cannot grant scopes the key does not hold' }] },
      };
    const key = store.create(account, wanted, scopes);
    return key
      ? { status: 201, body: { api_key: key.secret, api_key_id: key.id, name: key.label, scopes: key.scopes } }
      : limitReached;
  }
  const sendgridId = idOf('/v3/api_keys/');
  if (method === 'DELETE' && sendgridId)
    return store.revoke(account, sendgridId)
      ? { status: 204 }
      : { status: 404, body: { errors: [{ message: 'not found' }] } };

  return { status: 404, body: { error: 'no such route' } };
}

/** GET /keys of the generic dialect: one array, or a page in the account's style (keyApi/pages.ts). */
function genericList(items: unknown[], query: URLSearchParams, pages: ListPages | undefined, origin: string): Reply {
  if (!pages) return { status: 200, body: items };
  const page = pageOf(items, query, pages);
  if (pages.style === 'link') {
    const headers: Record<string, string> =
      page.next === undefined ? {} : { Link: `<${origin}/keys?${pageQuery(page.next, page.limit)}>; rel="next"` };
    return { status: 200, body: page.items, headers };
  }
  if (pages.style === 'url') {
    return {
      status: 200,
      body: {
        data: page.items,
        links: { next: page.next === undefined ? null : `/keys?${pageQuery(page.next, page.limit)}` },
      },
    };
  }
  return {
    status: 200,
    body: { data: page.items, next_cursor: page.next === undefined ? null : cursorFor(page.next) },
  };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}
