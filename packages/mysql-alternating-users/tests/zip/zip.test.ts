/** The built zip as an artifact: unpacked alone, loaded by Node 22, rotating against MariaDB. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createSecret,
  ensureRotationFunction,
  localAwsEnv,
  readSecret,
  RotationFailedError,
  RotationService,
  secretsManagerClient,
  startMariaDb,
  startZipFunction,
  type MariaDbServer,
  ZipInvocationError,
  zipPath,
} from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountHosts, caFileFor, createUser, grantLines, logsIn, newPassword } from '../helpers/harness.ts';

type Secret = { username: string; password: string; versionId: string; [key: string]: unknown };

let db: MariaDbServer;
let fn: Awaited<ReturnType<typeof startZipFunction>>;
let defaultTrust: Awaited<ReturnType<typeof startZipFunction>>;
beforeAll(async () => {
  db = await startMariaDb();
  await db.query('CREATE DATABASE IF NOT EXISTS shop');
  const caFile = caFileFor(db);
  fn = await startZipFunction(zipPath('mysql-alternating-users'), {
    ...localAwsEnv(motoEndpoint()),
    ...(caFile ? { TLS_CA_BUNDLE_PATH: caFile } : {}),
  });
  // The zip's own trust store: Node's roots and the RDS bundle, which do not include the test CA.
  defaultTrust = await startZipFunction(zipPath('mysql-alternating-users'), localAwsEnv(motoEndpoint()));
});
afterAll(async () => {
  await fn?.stop();
  await defaultTrust?.stop();
  await db?.stop();
});

async function setUp(user: string, invoke: typeof fn.invoke, extra: Record<string, unknown> = {}) {
  const endpoint = motoEndpoint();
  const client = secretsManagerClient(endpoint);
  const service = new RotationService({ client, invoke, rotationLambdaArn: await ensureRotationFunction(endpoint) });
  const masterArn = await createSecret(
    client,
    { username: db.adminUser, password: db.adminPassword, host: db.host, port: db.port },
    'mysql-master',
  );
  const password = newPassword();
  await createUser(db, user, password, '%', ['GRANT SELECT, INSERT ON shop.* TO ?@?']);
  const secretId = await createSecret(
    client,
    {
      engine: db.flavor,
      host: db.host,
      port: db.port,
      username: user,
      password,
      masterarn: masterArn,
      ssl: !!db.caCert,
      ...extra,
    },
    'mysql-zip',
  );
  return { client, service, secretId };
}

describe('mysql-alternating-users.zip on Node 22', () => {
  it('runs from an empty folder on Node 22 and carries the RDS CA bundle', () => {
    expect(fn.nodeVersion).toMatch(/^v22\./);
    const chunks = readdirSync(join(fn.directory, 'chunks')).map((name) =>
      readFileSync(join(fn.directory, 'chunks', name), 'utf8'),
    );
    expect(chunks.some((code) => code.includes('Amazon RDS'))).toBe(true);
  });

  it('three rotations: app → app_clone → app → app_clone, AWSCURRENT and AWSPREVIOUS log in each time', async () => {
    const { client, service, secretId } = await setUp('zipapp', fn.invoke);
    for (const expected of ['zipapp_clone', 'zipapp', 'zipapp_clone']) {
      await service.rotate(secretId);
      const current = (await readSecret<Secret>(client, secretId, 'AWSCURRENT'))!;
      const previous = (await readSecret<Secret>(client, secretId, 'AWSPREVIOUS'))!;
      expect(current.username).toBe(expected);
      expect(await logsIn(db, current.username, current.password)).toBe(true);
      expect(await logsIn(db, previous.username, previous.password)).toBe(true);
    }
    expect(await grantLines(db, 'zipapp_clone')).toEqual(await grantLines(db, 'zipapp'));
    expect(fn.output()).toContain('"rotator":"mysql-alternating-users"');
  });

  it(
    'with ssl: true and only its default trust store, the ' + 'test server is refused, never reached in plaintext',
    async () => {
      const { service, secretId } = await setUp('zipdefault', defaultTrust.invoke, { ssl: true });
      const error = await service.rotate(secretId).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RotationFailedError);
      expect(
        (error as RotationFailedError).failures.every(
          (f) => (f as Error).name === 'TargetConnectionError' && /\[tls[ \]]/.test((f as Error).message),
        ),
      ).toBe(true);
      expect(defaultTrust.output()).not.toContain('"tls":false');
      expect(await accountHosts(db, 'zipdefault_clone')).toEqual([]);
    },
  );

  it('reports a typed error for a bad event, as the runtime would', async () => {
    const error = await fn.invoke({ Step: 'explode', SecretId: 'x', ClientRequestToken: 'y' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZipInvocationError);
    expect((error as Error).name).toBe('InvalidEventError');
  });
});
