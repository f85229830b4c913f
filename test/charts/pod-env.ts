// Runs the provisioner the way the chart's Deployment would run it, without a kubelet: the
// container's environment as the kubelet resolves it (values and the downward API), the export the
// pod mounts at /persistentvolumes standing in as a local directory, and the chart's ServiceAccount
// token. Anything the chart renders that this cannot reproduce is an error, not silently skipped.
import type { V1Deployment } from '@kubernetes/client-node';
import { startProvisioner } from '../../harness/provisioner-process.ts';
import type { ProvisionerProcess } from '../../harness/provisioner-process.ts';

/** The first container's environment in a pod of this Deployment named podName. */
export function containerEnv(d: V1Deployment, podName: string): Record<string, string> {
  const container = d.spec?.template.spec?.containers[0];
  if (container === undefined) throw new Error('the Deployment has no container');
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    if (e.value !== undefined) env[e.name] = e.value;
    else if (field === 'metadata.namespace') env[e.name] = d.metadata?.namespace ?? '';
    else if (field === 'metadata.name') env[e.name] = podName;
    else throw new Error(`env ${e.name}: only values and the pod's name and namespace are reproduced here`);
  }
  return env;
}

/** The nfs volume the container mounts at mountPath, as the kubelet would mount it. */
export function mountedNfs(d: V1Deployment, mountPath: string): { server: string; path: string } | undefined {
  const spec = d.spec?.template.spec;
  const mount = spec?.containers[0]?.volumeMounts?.find((m) => m.mountPath === mountPath);
  return spec?.volumes?.find((v) => v.name === mount?.name)?.nfs;
}

export interface ChartPodOptions {
  /** A kubeconfig with the token of the chart's ServiceAccount. */
  readonly kubeconfigPath: string;
  /** Stands in for the export mounted at /persistentvolumes. */
  readonly exportDir: string;
  readonly podName: string;
}

/** Starts the provisioner with the env a pod of d gets; it is ready when this resolves. */
export async function startChartPod(d: V1Deployment, opts: ChartPodOptions): Promise<ProvisionerProcess> {
  const env = containerEnv(d, opts.podName);
  const { PROVISIONER_NAME: provisionerName, NFS_SERVER: nfsServer, NFS_PATH: nfsPath, ...rest } = env;
  if (provisionerName === undefined || nfsServer === undefined || nfsPath === undefined) throw new Error('the chart set no PROVISIONER_NAME, NFS_SERVER or NFS_PATH');
  if (rest['NFS_EXPORTS_FILE'] !== undefined) throw new Error('NFS_EXPORTS_FILE: extra exports are not reproduced here');
  const nfs = mountedNfs(d, '/persistentvolumes');
  if (nfs?.server !== nfsServer || nfs.path !== nfsPath) throw new Error('the pod mounts another export at /persistentvolumes than the one its PVs name');
  const proc = await startProvisioner({
    kubeconfigPath: opts.kubeconfigPath,
    exportDir: opts.exportDir,
    provisionerName,
    nfsServer,
    nfsPath,
    podName: opts.podName,
    // The rest as rendered (ENABLE_LEADER_ELECTION, POD_NAMESPACE, LOG_LEVEL, ...); the mount path
    // and listen address stay the harness's (the pod's /persistentvolumes and :8080).
    env: rest,
  });
  try {
    await proc.waitReady(30_000);
  } catch (error: unknown) {
    await proc.stop('SIGKILL');
    throw error;
  }
  return proc;
}
