import { request } from 'node:https';
import { rememberSecret } from '../logCapture.ts';
import type { KeyApiServer } from './server.ts';

/** HTTP status of GET `path` with `key` on the fake key API (200: the key works; 401: revoked or unknown). */
export function keyStatus(api: KeyApiServer, key: string, path = '/whoami'): Promise<number> {
  rememberSecret(key);
  return new Promise((resolve, reject) => {
    const req = request(
      `${api.baseUrl}${path}`,
      { method: 'GET', ca: api.certificates!.caCert, headers: { authorization: `Bearer ${key}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
