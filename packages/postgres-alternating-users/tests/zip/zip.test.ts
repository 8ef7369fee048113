/** The built zip as an artifact: unpacked alone, loaded by Node 22, three rotations against the real cluster. */
import {
  localAwsEnv,
  type PostgresServer,
  readSecret,
  RotationService,
  ensureRotationFunction,
  secretsManagerClient,
  startPostgres,
  startZipFunction,
  zipPath,
} from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertServerLogHasNoPasswords,
  baseEnv,
  canLogin,
  createLoginRole,
  createMaster,
  createSecrets,
  EXTERNAL_SERVER,
  id,
  type Master,
  NEEDS_OWN_CLUSTER,
  roleName,
  runAs,
  testPassword,
} from '../helpers/postgres.ts';

describe('postgres-alternating-users.zip on Node 22', () => {
  let server: PostgresServer;
  let master: Master;
  let fn: Awaited<ReturnType<typeof startZipFunction>>;

  beforeAll(async () => {
    server = await startPostgres();
    master = await createMaster(server);
    const env = baseEnv(server, { ADOPT_OWNERSHIP: 'true' }) as Record<string, string>;
    fn = await startZipFunction(zipPath('postgres-alternating-users'), { ...localAwsEnv(motoEndpoint()), ...env });
  });
  afterAll(async () => {
    await fn?.stop();
    await server?.stop();
  });

  it('runs on Node 22 from an empty folder', () => {
    expect(fn.nodeVersion).toMatch(/^v22\./);
  });

  it(
    'rotates three times: users alternate, both log in acting as the owner role, the table the base user owned ' +
      "survives and is the owner role's",
    async () => {
      const base = roleName('zip_app');
      const password = testPassword();
      await createLoginRole(server, base, password);
      await server.query(`GRANT CREATE ON SCHEMA public TO ${id(base)}`);
      await runAs(
        server,
        base,
        password,
        `CREATE TABLE ${id(`${base}_t`)} (id int); INSERT INTO ${id(`${base}_t`)} VALUES (1)`,
      );
      const client = secretsManagerClient(motoEndpoint());
      const { secretId } = await createSecrets(server, client, master, { username: base, password }, { note: 'kept' });
      const service = new RotationService({
        client,
        invoke: fn.invoke,
        rotationLambdaArn: await ensureRotationFunction(motoEndpoint()),
        maxAttempts: 1,
      });
      for (const [rotation, expected] of [`${base}_clone`, base, `${base}_clone`].entries()) {
        await service.rotate(secretId);
        const current = (await readSecret<{ username: string; password: string }>(client, secretId, 'AWSCURRENT'))!;
        const previous = (await readSecret<{ username: string; password: string }>(client, secretId, 'AWSPREVIOUS'))!;
        expect(current).toMatchObject({ username: expected, note: 'kept' });
        expect(await canLogin(server, previous.username, previous.password)).toBe(true);
        await runAs(server, current.username, current.password, `INSERT INTO ${id(`${base}_t`)} VALUES (2)`);
        const { rows } = await runAs(
          server,
          current.username,
          current.password,
          `SELECT current_user AS c, ` +
            `(SELECT relowner::regrole::text FROM pg_class WHERE relname = '${base}_t') AS t, ` +
            `(SELECT count(*)::int FROM ${id(`${base}_t`)}) AS n`,
        );
        expect(rows[0]).toEqual({ c: `${base}_owner`, t: `${base}_owner`, n: rotation + 2 });
      }
      expect(fn.output()).toContain('"rotator":"postgres-alternating-users"');
    },
  );

  it.skipIf(EXTERNAL_SERVER)(
    `the server log holds no password, and does hold the password statements ${NEEDS_OWN_CLUSTER}`,
    () => {
      const changes = fn
        .output()
        .split('\n')
        .filter((line) => line.includes('setting the password of')).length;
      expect(changes).toBe(3);
      assertServerLogHasNoPasswords(server, changes);
    },
  );
});
