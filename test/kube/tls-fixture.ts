// A throw-away CA with a server certificate for 127.0.0.1 and a client certificate, made with the
// openssl command (Debian's openssl; .ci/run installs it), for the TLS tests of the API client.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsFixture {
  readonly caCert: Buffer;
  readonly serverCert: Buffer;
  readonly serverKey: Buffer;
  readonly clientCert: Buffer;
  readonly clientKey: Buffer;
  /** The directory holding ca.crt, client.crt, client.key (for kubeconfig file references). */
  readonly dir: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function makeTlsFixture(dir: string): TlsFixture {
  openssl(dir, ['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=test-ca']);
  const sign = (name: string, subject: string, extensions: string): void => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
  };
  sign('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\n');
  sign('client', '/CN=system:serviceaccount:nfs:provisioner', 'extendedKeyUsage=clientAuth\n');
  const read = (file: string): Buffer => readFileSync(join(dir, file));
  return {
    caCert: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    dir,
  };
}
