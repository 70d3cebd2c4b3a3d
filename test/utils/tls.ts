import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A self-signed certificate for 127.0.0.1: the redis-servers serve it, and clients trust it as their CA. */
export interface TestCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  /** The certificate's PEM, for a client's `ca`. */
  readonly pem: string;
}

export const hasOpenssl = () => spawnSync('openssl', ['version']).status === 0;

export function makeCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'redis-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const made = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  return { certFile, keyFile, pem: readFileSync(certFile, 'utf8') };
}

/** redis-server options that serve TLS only, on `port`, with the certificate (clients need no certificate). */
export const tlsServerArgs = (cert: TestCertificate, port: number) => [
  '--port', '0', '--tls-port', String(port),
  '--tls-cert-file', cert.certFile, '--tls-key-file', cert.keyFile, '--tls-ca-cert-file', cert.certFile,
  '--tls-auth-clients', 'no',
];
