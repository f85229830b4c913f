// Builds the API client from configuration: the kubeconfig file named by KUBECONFIG, or the pod's
// service account when there is none. Anything unusable becomes a ConfigError naming KUBECONFIG,
// so the process exits 2 with one line instead of failing on its first request.
import { ConfigError } from '../config.ts';
import type { Clock } from './clock.ts';
import { inClusterTarget, KubeconfigError, kubeTargetFromFile } from './kubeconfig.ts';
import type { KubeTarget } from './kubeconfig.ts';
import { RestClient } from './rest-client.ts';

export function userAgentFor(version: string): string {
  return `nfs-provisioner-ts/${version}`;
}

export interface KubeClientOptions {
  /** KUBECONFIG; absent = in-cluster. */
  readonly kubeconfigPath?: string;
  /** Where KUBERNETES_SERVICE_HOST / _PORT are read for in-cluster use (main passes process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The service-account directory (tests); default /var/run/secrets/kubernetes.io/serviceaccount. */
  readonly serviceAccountDir?: string;
  readonly userAgent: string;
  readonly qps: number;
  readonly burst: number;
  readonly clock?: Clock;
  /** Called once per finished request; code is the HTTP status or 'error' (no response). */
  readonly onResponse?: (verb: string, resource: string, code: string) => void;
}

export function loadKubeTarget(options: Pick<KubeClientOptions, 'kubeconfigPath' | 'env' | 'serviceAccountDir'>): KubeTarget {
  try {
    if (options.kubeconfigPath !== undefined) return kubeTargetFromFile(options.kubeconfigPath);
    return inClusterTarget(options.env ?? {}, options.serviceAccountDir);
  } catch (error: unknown) {
    if (!(error instanceof KubeconfigError)) throw error;
    const where = options.kubeconfigPath === undefined ? '' : `${options.kubeconfigPath}: `;
    throw new ConfigError('KUBECONFIG', `${where}${error.message}`);
  }
}

export function createKubeClient(options: KubeClientOptions): RestClient {
  return new RestClient({
    target: loadKubeTarget(options),
    userAgent: options.userAgent,
    qps: options.qps,
    burst: options.burst,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.onResponse === undefined ? {} : { onResponse: options.onResponse }),
  });
}
