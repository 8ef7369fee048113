/**
 * Whoever can write the secret must not choose where the function sends its key (issue #11 §3):
 * a second HTTPS server on loopback, trusted by the function's CA bundle and reachable, must
 * receive nothing — neither when a secret's baseUrl names it nor when the allowed API redirects there.
 */
import { type KeyApiServer, startKeyApi } from '@rotators/testkit';
import { ConfusedDeputyError } from '@rotators/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoKeyIn, setUp } from '../helpers/harness.ts';

let api: KeyApiServer;
/** Same CA as `api`, so TLS alone would not stop a request to it: only the allowed hosts do. */
let elsewhere: KeyApiServer;
beforeAll(async () => {
  api = await startKeyApi();
  elsewhere = await startKeyApi({ certificates: api.certificates });
});
afterAll(async () => {
  await elsewhere?.stop();
  await api?.stop();
});

describe('requests only to the allowed hosts', () => {
  it(
    'a secret whose baseUrl names a host:port outside API_ALLOWED_HOSTS: ConfusedDeputyError ' +
      'naming baseUrl before any request, in every attempt; nothing written',
    async () => {
      const fx = await setUp(api, { secret: { baseUrl: `${elsewhere.baseUrl}/v1` }, maxAttempts: 2 });
      const failed = await fx.service.rotate(fx.secretId).catch((e: { token: string; failures: unknown[] }) => e);
      expect(failed.failures).toHaveLength(2);
      for (const error of failed.failures) {
        expect(error).toBeInstanceOf(ConfusedDeputyError);
        expect(error).toMatchObject({ field: 'baseUrl', step: 'createSecret' });
        const host = new URL(elsewhere.baseUrl).host;
        expect((error as Error).message).toContain(
          `AWSCURRENT names baseUrl ${elsewhere.baseUrl}/v1, whose host ${host} ` +
            `is not allowed by API_ALLOWED_HOSTS (${new URL(api.baseUrl).host})`,
        );
        expect((error as Error).message).toContain(fx.secretId);
        expectNoKeyIn(error, [fx.account.key]);
      }
      // The configuration test (RotateImmediately=false) is refused the same way.
      await fx.service.cleanUpPending(fx.secretId, failed.token);
      await expect(fx.service.testOnly(fx.secretId)).rejects.toMatchObject({
        name: 'ConfusedDeputyError',
        field: 'baseUrl',
      });
      expect(elsewhere.requests()).toEqual([]);
      expect(fx.probe.count('PutSecretValueCommand')).toBe(0);
      expect(fx.probe.count('UpdateSecretVersionStageCommand')).toBe(0);
    },
  );

  it(
    'a redirect from the allowed API to another server is not followed: a redirect ' +
      'error, the other server gets nothing, the key stays where it was sent',
    async () => {
      const fx = await setUp(api, { maxAttempts: 1 });
      api.injectFault({
        route: 'GET /keys',
        fault: { kind: 'redirect', status: 307, location: `${elsewhere.baseUrl}/keys` },
        times: Infinity,
      });
      try {
        const failed = await fx.service.rotate(fx.secretId).catch((e: { failures: unknown[] }) => e);
        const error = failed.failures[0];
        expect(error).toMatchObject({
          name: 'KeyApiError',
          kind: 'redirect',
          status: 307,
          method: 'GET',
          path: '/keys',
        });
        expect((error as Error).message).toContain('redirects are not followed');
        expectNoKeyIn(error, [fx.account.key]);
      } finally {
        api.clearFaults();
      }
      expect(elsewhere.requests()).toEqual([]);
      expect(fx.probe.count('PutSecretValueCommand')).toBe(0);
    },
  );
});
