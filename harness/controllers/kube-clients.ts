// API clients for the control-plane stand-ins. They talk to the API server over HTTP like
// kube-controller-manager does, and send their own User-Agent so the request log can tell their
// traffic from the provisioner's (client-node's default middleware would overwrite a header set
// anywhere else, so the configuration is built here rather than with kc.makeApiClient). The bench
// uses them too. One connection pool: client-node 2.0.1 builds a new undici Agent for every request
// whenever the cluster has a TLS option (insecure-skip-tls-verify here), so each request would open
// its own connection; at bench rates that exhausts file descriptors. The first Agent is reused.
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  ServerConfiguration,
  StorageV1Api,
  Watch,
  createConfiguration,
  setHeaderMiddleware,
} from '@kubernetes/client-node';
import type { RequestContext } from '@kubernetes/client-node';

export const CONTROLLER_USER_AGENT = 'harness-controller-manager';

export interface ControllerClients {
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  storage: StorageV1Api;
  apps: AppsV1Api;
  watch: Watch;
  userAgent: string;
}

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

// Watch requests do not go through the API classes' middleware, only through
// applySecurityAuthentication, so the header is added there as well.
class UserAgentKubeConfig extends KubeConfig {
  readonly userAgent: string;
  #dispatcher: Dispatcher | undefined;
  constructor(userAgent: string) {
    super();
    this.userAgent = userAgent;
  }
  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    context.setHeaderParam('User-Agent', this.userAgent);
    const fresh = context.getDispatcher();
    if (fresh === undefined) return;
    if (this.#dispatcher === undefined) this.#dispatcher = fresh;
    else context.setDispatcher(this.#dispatcher);
  }
}

export function makeControllerClients(kubeconfigPath: string, userAgent = CONTROLLER_USER_AGENT): ControllerClients {
  const kubeConfig = new UserAgentKubeConfig(userAgent);
  kubeConfig.loadFromFile(kubeconfigPath);
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig ${kubeconfigPath} has no current cluster`);
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kubeConfig },
    middleware: [setHeaderMiddleware('User-Agent', userAgent)],
  });
  return {
    kubeConfig,
    core: new CoreV1Api(configuration),
    storage: new StorageV1Api(configuration),
    apps: new AppsV1Api(configuration),
    watch: new Watch(kubeConfig),
    userAgent,
  };
}
