// The bench's own API clients. Like the harness's controller clients (own User-Agent so the
// request log tells the bench's traffic apart), plus one thing: a single connection pool.
// client-node 2.0.1's KubeConfig.applySecurityAuthentication builds a new undici Agent for every
// request whenever the cluster has any TLS option (insecure-skip-tls-verify, a CA): each request
// opens its own connection, which stays open until undici's idle timeout. At bench rates that
// exhausts file descriptors (EMFILE after ~4000 claim+PV pairs), so the first Agent is kept and
// reused here.
import { CoreV1Api, KubeConfig, ServerConfiguration, StorageV1Api, Watch, createConfiguration, setHeaderMiddleware } from '@kubernetes/client-node';
import type { RequestContext } from '@kubernetes/client-node';

type Dispatcher = ReturnType<RequestContext['getDispatcher']>;

class PooledKubeConfig extends KubeConfig {
  readonly userAgent: string;
  private dispatcher: Dispatcher;

  constructor(userAgent: string) {
    super();
    this.userAgent = userAgent;
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    context.setHeaderParam('User-Agent', this.userAgent);
    const fresh = context.getDispatcher();
    if (fresh === undefined) return;
    if (this.dispatcher === undefined) this.dispatcher = fresh;
    else context.setDispatcher(this.dispatcher);
  }
}

export interface BenchClients {
  core: CoreV1Api;
  storage: StorageV1Api;
  watch: Watch;
}

export function makeBenchClients(kubeconfigPath: string, userAgent: string): BenchClients {
  const kubeConfig = new PooledKubeConfig(userAgent);
  kubeConfig.loadFromFile(kubeconfigPath);
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig ${kubeconfigPath} has no current cluster`);
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kubeConfig },
    middleware: [setHeaderMiddleware('User-Agent', userAgent)],
  });
  return { core: new CoreV1Api(configuration), storage: new StorageV1Api(configuration), watch: new Watch(kubeConfig) };
}
