// The real Kubernetes control plane for a test, the bench or the sandbox: etcd on 127.0.0.1 with
// a temporary data directory (no fsync), kube-apiserver on a free 127.0.0.1 port with generated
// certificates, service-account keys, RBAC authorization, its default admission plugins and an
// audit log (the request log tests count with), and kube-controller-manager running the
// controllers the provisioning flows need. Built by `npm run control-plane:build`.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../nfs/free-port.ts';
import { AUDIT_POLICY, AuditRequestLog } from './audit-log.ts';
import type { RequestLog } from '../apiserver/request-log.ts';
import { binaryPath, requireBinaries } from './binaries.ts';
import { startDaemon } from './daemon.ts';
import type { Daemon } from './daemon.ts';
import { call, waitHealthy } from './http-probe.ts';
import { makePki } from './pki.ts';

/** kube-controller-manager's controllers for PV binding, expansion, protection, StatefulSets, namespaces, GC and service accounts. */
export const CONTROLLERS = [
  'persistentvolume-binder-controller',
  'persistentvolume-expander-controller',
  'persistentvolumeclaim-protection-controller',
  'persistentvolume-protection-controller',
  'statefulset-controller',
  'namespace-controller',
  'garbage-collector-controller',
  'serviceaccount-token-controller',
  'serviceaccount-controller',
  'root-ca-certificate-publisher-controller',
];

export interface ControlPlaneOptions {
  /** Directory for data, certificates, kubeconfigs and logs; default a new temporary one, removed on stop. */
  dir?: string;
  /** Write the admin kubeconfig here (default <dir>/admin.kubeconfig). */
  kubeconfigPath?: string;
  /** kube-apiserver's port on 127.0.0.1 (default a free one). */
  apiServerPort?: number;
  /** kube-controller-manager's PV binder resync (default 2 s; the real default is 15 s). */
  binderSyncPeriod?: string;
  /** Audit every request into the request log (default true). */
  audit?: boolean;
  /** Start kube-controller-manager (default true). */
  controllerManager?: boolean;
  /** kube-controller-manager's client rate limit (default 200 qps, burst 400; its own default 20/30). */
  controllerManagerQps?: number;
  startTimeoutMs?: number;
}

export interface ControlPlane {
  url: string;
  /** Admin (system:masters) kubeconfig. */
  kubeconfigPath: string;
  caFile: string;
  dir: string;
  requests: RequestLog;
  daemons: Daemon[];
  /** ms from the first spawn until the API server was ready, and until the controller manager was. */
  startup: { apiServerMs: number; controllerManagerMs: number };
  /** A kubeconfig holding a real token (TokenRequest API) of namespace/name's ServiceAccount. */
  serviceAccountKubeconfig(namespace: string, name: string, path?: string): Promise<string>;
  /** A call with the admin token (for set-up the client library is not needed for). */
  adminCall: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

interface KubeconfigUser {
  token: string;
}

function kubeconfig(server: string, caFile: string, user: string, credentials: KubeconfigUser): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'control-plane', cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: user, user: credentials }],
    contexts: [{ name: user, context: { cluster: 'control-plane', user } }],
    'current-context': user,
  });
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  requireBinaries(['etcd', 'kube-apiserver', 'kube-controller-manager']);
  const ownsDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'control-plane-'));
  mkdirSync(dir, { recursive: true });
  const deadlineMs = opts.startTimeoutMs ?? 60_000;
  const daemons: Daemon[] = [];
  const stopAll = async (): Promise<void> => {
    for (const d of [...daemons].reverse()) await d.stop();
  };
  try {
    const started = Date.now();
    const pki = makePki(dir);
    const ca = readFileSync(pki.caCert);
    const [etcdPort, peerPort, freeApiPort, kcmPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const apiPort = opts.apiServerPort ?? freeApiPort;
    const etcdUrl = `http://127.0.0.1:${String(etcdPort)}`;

    const etcd = startDaemon('etcd', binaryPath('etcd'), [
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-url=${etcdUrl}`,
      `--listen-peer-url=http://127.0.0.1:${String(peerPort)}`,
      '--unsafe-no-fsync',
    ], join(dir, 'etcd.log'));
    daemons.push(etcd);
    await waitHealthy('etcd', `${etcdUrl}/health`, { deadlineMs, alive: () => etcd.running(), logTail: () => etcd.tail() });

    const audit = opts.audit ?? true;
    const auditLog = join(dir, 'audit.log');
    writeFileSync(join(dir, 'audit-policy.yaml'), AUDIT_POLICY);
    const url = `https://127.0.0.1:${String(apiPort)}`;
    const apiserver = startDaemon('kube-apiserver', binaryPath('kube-apiserver'), [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${String(apiPort)}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      `--token-auth-file=${pki.tokenFile}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      // Service IPs are allocated from here; nothing is ever sent to them (no nodes, no proxy).
      '--service-cluster-ip-range=10.0.0.0/24',
      // The `kubernetes` Endpoints would point at 127.0.0.1, which validation refuses.
      '--endpoint-reconciler-type=none',
      '--profiling=false',
      `--cert-dir=${join(dir, 'apiserver-certs')}`,
      ...(audit ? [`--audit-policy-file=${join(dir, 'audit-policy.yaml')}`, `--audit-log-path=${auditLog}`, '--audit-log-format=json', '--audit-log-mode=blocking', '--audit-log-maxsize=0'] : []),
    ], join(dir, 'kube-apiserver.log'));
    daemons.push(apiserver);
    await waitHealthy('kube-apiserver', `${url}/readyz`, { ca, token: pki.adminToken, deadlineMs, alive: () => apiserver.running(), logTail: () => apiserver.tail() });
    const apiServerMs = Date.now() - started;

    const kubeconfigPath = opts.kubeconfigPath ?? join(dir, 'admin.kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfig(url, pki.caCert, 'admin', { token: pki.adminToken }), { mode: 0o600 });

    let controllerManagerMs = 0;
    if (opts.controllerManager ?? true) {
      const kcmKubeconfig = join(dir, 'kube-controller-manager.kubeconfig');
      writeFileSync(kcmKubeconfig, kubeconfig(url, pki.caCert, 'system:kube-controller-manager', { token: pki.controllerManagerToken }), { mode: 0o600 });
      const qps = opts.controllerManagerQps ?? 200;
      const kcm = startDaemon('kube-controller-manager', binaryPath('kube-controller-manager'), [
        `--kubeconfig=${kcmKubeconfig}`,
        `--controllers=${CONTROLLERS.join(',')}`,
        '--leader-elect=false',
        // Each controller as its own ServiceAccount with its bootstrap role, as kubeadm runs it
        // (system:kube-controller-manager itself may do little more than mint their tokens).
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${String(kcmPort)}`,
        `--cert-dir=${join(dir, 'kcm-certs')}`,
        `--pvclaimbinder-sync-period=${opts.binderSyncPeriod ?? '2s'}`,
        `--kube-api-qps=${String(qps)}`,
        `--kube-api-burst=${String(qps * 2)}`,
      ], join(dir, 'kube-controller-manager.log'));
      daemons.push(kcm);
      await waitHealthy('kube-controller-manager', `https://127.0.0.1:${String(kcmPort)}/healthz`, { insecure: true, deadlineMs, alive: () => kcm.running(), logTail: () => kcm.tail() });
      controllerManagerMs = Date.now() - started;
    }

    const adminCall = (method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> =>
      call(`${url}${path}`, { method, ca, token: pki.adminToken, ...(body !== undefined ? { body } : {}) });

    let stopping: Promise<void> | undefined;
    return {
      url,
      kubeconfigPath,
      caFile: pki.caCert,
      dir,
      requests: new AuditRequestLog(auditLog),
      daemons,
      startup: { apiServerMs, controllerManagerMs },
      adminCall,
      async serviceAccountKubeconfig(namespace, name, path) {
        const res = await adminCall('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}/token`, {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { expirationSeconds: 86_400 },
        });
        if (res.status !== 201) throw new Error(`TokenRequest for ${namespace}/${name}: ${String(res.status)} ${res.body}`);
        const token = (JSON.parse(res.body) as { status?: { token?: string } }).status?.token;
        if (token === undefined) throw new Error(`TokenRequest for ${namespace}/${name}: no token in ${res.body}`);
        const file = path ?? join(dir, `sa-${namespace}-${name}.kubeconfig`);
        writeFileSync(file, kubeconfig(url, pki.caCert, `system:serviceaccount:${namespace}:${name}`, { token }), { mode: 0o600 });
        return file;
      },
      stop() {
        stopping ??= (async () => {
          await stopAll();
          if (ownsDir) rmSync(dir, { recursive: true, force: true });
        })();
        return stopping;
      },
    };
  } catch (error: unknown) {
    await stopAll();
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
