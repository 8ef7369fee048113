/**
 * A counting HTTP proxy in front of moto. The zip's SECRETS_MANAGER_ENDPOINT points here; every
 * request is forwarded unchanged and recorded as one call: the API from the X-Amz-Target header
 * (`secretsmanager.GetSecretValue` → GetSecretValue) and the arguments that tell two reads apart
 * (SecretId, VersionId, VersionStage). Nothing else of the body is kept: PutSecretValue carries
 * the secret value.
 */
import { createServer, request, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretsManagerCall {
  /** e.g. "GetSecretValue"; for a request that is not a Secrets Manager call, "(other) METHOD /path". */
  api: string;
  secretId?: string;
  versionId?: string;
  versionStage?: string;
}

export interface CountingProxy {
  endpoint: string;
  /** Every call so far, in the order the proxy received them. */
  readonly calls: readonly SecretsManagerCall[];
  stop(): Promise<void>;
}

const TARGET_PREFIX = 'secretsmanager.';

/** The Secrets Manager API an X-Amz-Target header names, or undefined when it names none. */
export function apiFromTarget(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value?.startsWith(TARGET_PREFIX)) return undefined;
  const api = value.slice(TARGET_PREFIX.length);
  return /^[A-Za-z]+$/.test(api) ? api : undefined;
}

/** One call as recorded: the API and the arguments that identify what it read or changed. */
export function callFromRequest(
  method: string,
  path: string,
  target: string | string[] | undefined,
  body: string,
): SecretsManagerCall {
  const api = apiFromTarget(target);
  if (!api) return { api: `(other) ${method} ${path}` };
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(body);
    if (value && typeof value === 'object') parsed = value as Record<string, unknown>;
  } catch {
    // Not JSON: the call still counts, without arguments.
  }
  const text = (key: string) => (typeof parsed[key] === 'string' ? (parsed[key] as string) : undefined);
  return { api, secretId: text('SecretId'), versionId: text('VersionId'), versionStage: text('VersionStage') };
}

/** Calls per API, in order of first appearance. */
export function countByApi(calls: readonly SecretsManagerCall[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call.api, (counts.get(call.api) ?? 0) + 1);
  return counts;
}

export interface RepeatedRead {
  call: SecretsManagerCall;
  times: number;
}

/** DescribeSecret or GetSecretValue calls made more than once with the same arguments. */
export function repeatedReads(calls: readonly SecretsManagerCall[]): RepeatedRead[] {
  const seen = new Map<string, RepeatedRead>();
  for (const call of calls) {
    if (call.api !== 'DescribeSecret' && call.api !== 'GetSecretValue') continue;
    const key = JSON.stringify([call.api, call.secretId, call.versionId, call.versionStage]);
    const entry = seen.get(key);
    if (entry) entry.times += 1;
    else seen.set(key, { call, times: 1 });
  }
  return [...seen.values()].filter((entry) => entry.times > 1);
}

export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const calls: SecretsManagerCall[] = [];

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const outgoing = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    outgoing.on('error', (error) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`bench proxy: moto did not answer: ${error.message}`);
    });
    outgoing.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      calls.push(
        callFromRequest(
          req.method ?? 'GET',
          (req.url ?? '/').split('?')[0]!,
          req.headers['x-amz-target'],
          body.toString('utf8'),
        ),
      );
      forward(req, res, body);
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      agent.destroy();
    },
  };
}
