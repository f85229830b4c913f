// Throw-away credentials for one control plane: a CA, kube-apiserver's serving certificate for
// 127.0.0.1, the service-account signing key pair, and static bearer tokens for the admin and
// for kube-controller-manager. Certificates come from the openssl command (Debian's; .ci/run
// installs it): Node can parse X.509 but not issue it.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ControlPlanePki {
  dir: string;
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  /** kube-apiserver --token-auth-file. */
  tokenFile: string;
  adminToken: string;
  controllerManagerToken: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The names a client may use for the API server; 10.0.0.1 is the `kubernetes` Service's IP. */
const SERVING_SANS = ['IP:127.0.0.1', 'DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'IP:10.0.0.1'];

export function makePki(dir: string): ControlPlanePki {
  openssl(dir, ['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '7', '-subj', '/CN=nfs-provisioner-ts-test-ca']);
  writeFileSync(join(dir, 'serving.ext'), `subjectAltName=${SERVING_SANS.join(',')}\nextendedKeyUsage=serverAuth\n`);
  openssl(dir, ['req', ...EC, '-keyout', 'serving.key', '-out', 'serving.csr', '-subj', '/CN=kube-apiserver']);
  openssl(dir, ['x509', '-req', '-in', 'serving.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'serving.crt', '-days', '7', '-extfile', 'serving.ext']);

  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));

  const adminToken = randomBytes(24).toString('hex');
  const controllerManagerToken = randomBytes(24).toString('hex');
  // token,user,uid,"group,...": the admin is in system:masters (all allowed, as kubeadm's admin);
  // kube-controller-manager gets the user name the bootstrap RBAC policy binds its role to.
  writeFileSync(
    join(dir, 'tokens.csv'),
    `${adminToken},admin,admin,"system:masters"\n${controllerManagerToken},system:kube-controller-manager,system:kube-controller-manager\n`,
    { mode: 0o600 },
  );
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: join(dir, 'serving.crt'),
    servingKey: join(dir, 'serving.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
    tokenFile: join(dir, 'tokens.csv'),
    adminToken,
    controllerManagerToken,
  };
}
