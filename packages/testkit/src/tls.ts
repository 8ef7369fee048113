/**
 * Throwaway certificates for the test kit's own servers, made with the machine's openssl: a CA,
 * a server certificate for 127.0.0.1/localhost signed by it, and an unrelated CA that must not
 * verify that server (for "ssl: true never falls back" tests).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  directory: string;
  caCertFile: string;
  caCert: string;
  serverCertFile: string;
  serverKeyFile: string;
  /** A CA that did not sign the server certificate. */
  otherCaCertFile: string;
  otherCaCert: string;
}

// Key material of throwaway CAs must not pile up in /tmp: every folder goes when the process ends.
const folders = new Set<string>();
process.once('exit', () => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function makeCa(dir: string, name: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
}

export function createTestCertificates(
  hostnames: string[] = ['localhost'],
  ips: string[] = ['127.0.0.1'],
): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'rotators-tls-'));
  folders.add(dir);
  makeCa(dir, 'test-ca');
  makeCa(dir, 'other-ca');
  openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=rotators-test-server',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
    ],
    dir,
  );
  const san = [...hostnames.map((h) => `DNS:${h}`), ...ips.map((ip) => `IP:${ip}`)].join(',');
  writeFileSync(
    join(dir, 'server.ext'),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\n` +
      'keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'test-ca.crt',
      '-CAkey',
      'test-ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      'server.ext',
      '-out',
      'server.crt',
    ],
    dir,
  );
  return {
    directory: dir,
    caCertFile: join(dir, 'test-ca.crt'),
    caCert: readFileSync(join(dir, 'test-ca.crt'), 'utf8'),
    serverCertFile: join(dir, 'server.crt'),
    serverKeyFile: join(dir, 'server.key'),
    otherCaCertFile: join(dir, 'other-ca.crt'),
    otherCaCert: readFileSync(join(dir, 'other-ca.crt'), 'utf8'),
  };
}
