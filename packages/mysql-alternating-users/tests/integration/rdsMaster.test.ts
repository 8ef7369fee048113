/**
 * RDS-managed master secrets (RDS_MANAGED_MASTER=true) against moto's RDS: moto creates the
 * `rds!cluster-…` secret (username and password only) for a cluster made with
 * ManageMasterUserPassword, as RDS does. The secret's host must be an endpoint of that cluster
 * according to the RDS API; another host is refused before any connection, nothing written.
 *
 * The positive path: the database is the kit's MariaDB on 127.0.0.1, so the test routes the
 * cluster's endpoint name to it (the harness's `route`: the socket goes to loopback, the connection
 * keeps the name) and re-issues the server's certificate, from the same test CA, for that name
 * (MariaDB's FLUSH SSL) — TLS is verified against the endpoint name as it would be on AWS.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateDBClusterCommand, CreateDBInstanceCommand, type DBCluster, RDSClient } from '@aws-sdk/client-rds';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError, ConfusedDeputyError, SecretValueError } from '@rotators/core';
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  readSecret,
  rememberSecret,
  startMariaDb,
  type MariaDbServer,
} from '@rotators/testkit';
import { motoEndpoint } from '@rotators/testkit/vitest/localAws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlAlternatingUsersRotator } from '../../src/rotator.ts';
import { sameSecretArn } from '@rotators/core/db';
import { isRdsManagedSecret } from '../../src/rdsMaster.ts';
import { createUser, grantLines, harness, logsIn, newPassword, snapshot } from '../helpers/harness.ts';

type Secret = { username: string; password: string; versionId: string; [key: string]: unknown };

// A server the kit starts: its certificate is re-issued for the cluster's endpoint names.
const LOCAL = !process.env.MYSQL_TEST_HOST;

let db: MariaDbServer;
let rds: RDSClient;
let cluster: DBCluster;
let instanceEndpoint: string;
beforeAll(async () => {
  rds = new RDSClient({ endpoint: motoEndpoint(), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const id = `rotators-${randomBytes(4).toString('hex')}`;
  cluster = (
    await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: id,
        Engine: 'aurora-mysql',
        MasterUsername: 'admin',
        ManageMasterUserPassword: true,
      }),
    )
  ).DBCluster!;
  const instance = (
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: `${id}-1`,
        DBClusterIdentifier: id,
        Engine: 'aurora-mysql',
        DBInstanceClass: 'db.r6g.large',
      }),
    )
  ).DBInstance!;
  instanceEndpoint = instance.Endpoint!.Address!;
  db = await startMariaDb();
  await db.query('CREATE DATABASE IF NOT EXISTS shop');
});
afterAll(async () => db?.stop());

const masterArn = () => cluster.MasterUserSecret!.SecretArn!;
const clusterPort = () => cluster.Port ?? 3306;

describe('RDS-managed master secrets, moto', () => {
  it('moto made what RDS makes: an rds! secret holding only username and password, named by the cluster', async () => {
    expect(isRdsManagedSecret(masterArn())).toBe(true);
    expect(cluster.Endpoint).toMatch(/\.cluster-/);
    expect(cluster.ReaderEndpoint).toMatch(/\.cluster-ro-/);
    const h = await harness(db);
    const value = JSON.parse(
      (await h.client.send(new GetSecretValueCommand({ SecretId: masterArn(), VersionStage: 'AWSCURRENT' })))
        .SecretString!,
    );
    rememberSecret(value.password);
    expect(Object.keys(value).sort()).toEqual(['password', 'username']);
  });

  it(
    'a secret whose host is not an endpoint of the master’s cluster: ' +
      'ConfusedDeputyError on "host" before any connection, nothing written',
    async () => {
      const h = await harness(db, { RDS_MANAGED_MASTER: 'true' }, { rds });
      const password = newPassword();
      await createUser(db, 'rds_evil', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      // The writer points the secret at a host of their own (here the kit's server: a valid certificate, reachable).
      const secretId = await h.secretFor('rds_evil', password, { masterarn: masterArn() });
      const before = await snapshot(db, ['rds_evil', 'rds_evil_clone']);
      const token = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', token);
      h.connects.length = 0;
      h.probe.reset();
      for (const step of ['setSecret', 'testSecret'] as const) {
        const error = await h.service.runStep(secretId, step, token).catch((e: unknown) => e);
        expect(error, step).toBeInstanceOf(ConfusedDeputyError);
        expect((error as ConfusedDeputyError).field).toBe('host');
        expect((error as Error).message).toContain(`is not an endpoint of ${cluster.DBClusterArn}`);
        expect((error as Error).message).toContain(cluster.Endpoint);
        expect((error as Error).message).toContain(instanceEndpoint);
        expect((error as Error).message).toContain(secretId);
      }
      expect(h.connects).toEqual([]);
      // The master secret was never read, let alone sent anywhere.
      expect(
        h.probe.inputs.filter((c) => c.command === 'GetSecretValueCommand').map((c) => c.input.SecretId),
      ).not.toContain(masterArn());
      expect(h.probe.count('PutSecretValueCommand') + h.probe.count('UpdateSecretVersionStageCommand')).toBe(0);
      expect(await snapshot(db, ['rds_evil', 'rds_evil_clone'])).toBe(before);
    },
  );

  it(
    'an rds! secret that no DB in the region owns: ' + 'ConfusedDeputyError on "masterarn", before any connection',
    async () => {
      const h = await harness(db, { RDS_MANAGED_MASTER: 'true' }, { rds });
      const orphan = (
        await h.client.send(
          new CreateSecretCommand({
            Name: `rds!cluster-${randomBytes(8).toString('hex')}`,
            SecretString: JSON.stringify({ username: 'admin', password: newPassword() }),
          }),
        )
      ).ARN!;
      const password = newPassword();
      await createUser(db, 'rds_orphan', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('rds_orphan', password, {
        host: cluster.Endpoint,
        port: clusterPort(),
        masterarn: orphan,
      });
      const token = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', token);
      h.connects.length = 0;
      const error = await h.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfusedDeputyError);
      expect((error as ConfusedDeputyError).field).toBe('masterarn');
      expect(h.connects).toEqual([]);
    },
  );

  it(
    'without RDS_MANAGED_MASTER an rds! master secret (no host) is ' +
      'refused naming "host" and the setting, the master never connects',
    async () => {
      const h = await harness(db, {}, { rds });
      const password = newPassword();
      await createUser(db, 'rds_off', password, '%', ['GRANT SELECT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('rds_off', password, { masterarn: masterArn() });
      const token = await h.service.start(secretId);
      await h.service.runStep(secretId, 'createSecret', token);
      const error = await h.service.runStep(secretId, 'setSecret', token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SecretValueError);
      expect((error as SecretValueError).fields).toEqual(['host']);
      expect((error as Error).message).toContain('RDS_MANAGED_MASTER=true');
      expect(h.connects.map((c) => c.user)).not.toContain('admin');
    },
  );

  it.skipIf(!LOCAL)(
    'the cluster’s writer endpoint: a whole rotation, the master logging in there over TLS verified for that name',
    async () => {
      const endpoints = [cluster.Endpoint!, cluster.ReaderEndpoint!, instanceEndpoint];
      reissueCertificate(db, endpoints);
      await db.query('FLUSH SSL');
      // The MariaDB user behind moto's rds! secret.
      const master = JSON.parse(
        (
          await (
            await harness(db)
          ).client.send(new GetSecretValueCommand({ SecretId: masterArn(), VersionStage: 'AWSCURRENT' }))
        ).SecretString!,
      );
      rememberSecret(master.password);
      await db.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [master.username, '%', master.password]);
      await db.query('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [master.username, '%']);

      const route = (host: string, port: number) =>
        endpoints.includes(host) && port === clusterPort() ? { host: db.host, port: db.port } : undefined;
      const h = await harness(db, { RDS_MANAGED_MASTER: 'true' }, { rds, route });
      const password = newPassword();
      await createUser(db, 'rds_app', password, '%', ['GRANT SELECT, INSERT ON shop.* TO ?@?']);
      const secretId = await h.secretFor('rds_app', password, {
        engine: 'aurora-mysql',
        host: cluster.Endpoint,
        port: clusterPort(),
        masterarn: masterArn(),
      });
      await h.service.rotate(secretId);
      await h.service.rotate(secretId);
      const current = (await readSecret<Secret>(h.client, secretId, 'AWSCURRENT'))!;
      expect(current.username).toBe('rds_app');
      expect(await logsIn(db, current.username, current.password)).toBe(true);
      expect(await grantLines(db, 'rds_app_clone')).toEqual(await grantLines(db, 'rds_app'));
      const masterLogins = h.connects.filter((c) => c.user === master.username);
      expect(masterLogins.length).toBeGreaterThan(0);
      for (const c of masterLogins)
        expect(c).toMatchObject({ host: cluster.Endpoint, tls: true, ok: true, routedTo: `${db.host}:${db.port}` });
    },
  );
});

describe('RDS-managed master secrets, units', () => {
  it('recognises rds! names, and a masterarn without the 6-character suffix', () => {
    expect(isRdsManagedSecret('arn:aws:secretsmanager:eu-west-1:1:secret:rds!cluster-abc-AbCdEf')).toBe(true);
    expect(isRdsManagedSecret('arn:aws:secretsmanager:eu-west-1:1:secret:mydb/master-AbCdEf')).toBe(false);
    expect(
      sameSecretArn(
        'arn:aws:secretsmanager:eu-west-1:1:secret:rds!db-x-AbCdEf',
        'arn:aws:secretsmanager:eu-west-1:1:secret:rds!db-x',
      ),
    ).toBe(true);
    expect(
      sameSecretArn(
        'arn:aws:secretsmanager:eu-west-1:1:secret:rds!db-x-y-AbCdEf',
        'arn:aws:secretsmanager:eu-west-1:1:secret:rds!db-x',
      ),
    ).toBe(false);
  });

  it('RDS_MANAGED_MASTER: "true"/"false" or unset, anything else refused at cold start naming the variable', () => {
    expect(() => createMysqlAlternatingUsersRotator({ env: { RDS_MANAGED_MASTER: 'yes please' } })).toThrow(
      ConfigurationError,
    );
    expect(() => createMysqlAlternatingUsersRotator({ env: { RDS_MANAGED_MASTER: 'TRUE' } })).not.toThrow();
  });
});

/** A new server certificate from the kit's test CA, naming the loopback names and `names`. */
function reissueCertificate(server: MariaDbServer, names: string[]): void {
  const certificates = server.certificates!;
  const dir = certificates.directory;
  const san = ['DNS:localhost', 'IP:127.0.0.1', ...names.map((n) => `DNS:${n}`)].join(',');
  writeFileSync(
    join(dir, 'rds.ext'),
    `subjectAltName=${san}\n` +
      'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(['req', '-new', '-key', certificates.serverKeyFile, '-subj', '/CN=rotators-test-server', '-out', 'rds.csr']);
  openssl([
    'x509',
    '-req',
    '-in',
    'rds.csr',
    '-CA',
    'test-ca.crt',
    '-CAkey',
    'test-ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'rds.ext',
    '-out',
    certificates.serverCertFile,
  ]);
}
