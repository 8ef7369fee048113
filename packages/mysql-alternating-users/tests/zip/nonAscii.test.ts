/**
 * Issue #13: the zip carries only the character-set code mysql2 needs for utf8mb4 (the bundler
 * drops iconv-lite's other code pages). A user name and a password outside ASCII must still
 * round-trip through the built zip: the zip logs in with the non-ASCII AWSCURRENT password, reads
 * and copies the grants of a non-ASCII user, and both users log in after the rotation.
 */
import {
  createSecret,
  ensureRotationFunction,
  localAwsEnv,
  type MariaDbServer,
  readSecret,
  rememberSecret,
  RotationService,
  secretsManagerClient,
  startMariaDb,
  startZipFunction,
  zipPath,
} from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caFileFor, createUser, grantLines, logsIn } from '../helpers/harness.ts';

type Secret = { username: string; password: string };

let db: MariaDbServer;
let fn: Awaited<ReturnType<typeof startZipFunction>>;
beforeAll(async () => {
  db = await startMariaDb();
  await db.query('CREATE DATABASE IF NOT EXISTS shop');
  const caFile = caFileFor(db);
  fn = await startZipFunction(zipPath('mysql-alternating-users'), {
    ...localAwsEnv(motoEndpoint()),
    ...(caFile ? { TLS_CA_BUNDLE_PATH: caFile } : {}),
  });
});
afterAll(async () => {
  await fn?.stop();
  await db?.stop();
});

describe('mysql-alternating-users.zip: a name and a password outside ASCII', () => {
  it('rotates müller_straße (password with ü, ß, € and 漢字): both users log in, grants copied', async () => {
    const user = 'müller_straße';
    const password = `Pässwörd-€-漢字-${Date.now()}`;
    rememberSecret(password);
    await createUser(db, user, password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
    expect(await logsIn(db, user, password)).toBe(true);

    const endpoint = motoEndpoint();
    const client = secretsManagerClient(endpoint);
    const service = new RotationService({
      client,
      invoke: fn.invoke,
      rotationLambdaArn: await ensureRotationFunction(endpoint),
    });
    const masterArn = await createSecret(
      client,
      { username: db.adminUser, password: db.adminPassword, host: db.host, port: db.port },
      'mysql-master',
    );
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
      },
      'mysql-nonascii',
    );

    await service.rotate(secretId);
    const current = (await readSecret<Secret>(client, secretId, 'AWSCURRENT'))!;
    const previous = (await readSecret<Secret>(client, secretId, 'AWSPREVIOUS'))!;
    expect(current.username).toBe(`${user}_clone`);
    expect(previous).toMatchObject({ username: user, password });
    expect(await logsIn(db, current.username, current.password)).toBe(true);
    expect(await logsIn(db, user, password)).toBe(true);
    expect(await grantLines(db, current.username)).toEqual(await grantLines(db, user));

    // And back: the base user gets a new password, set by the zip logged in as the clone.
    await service.rotate(secretId);
    const again = (await readSecret<Secret>(client, secretId, 'AWSCURRENT'))!;
    expect(again.username).toBe(user);
    expect(await logsIn(db, user, again.password)).toBe(true);
  });
});
