// The API client: kubeconfig from KUBECONFIG or the in-cluster service account, and one gate that
// every request passes, the generated REST calls and the watches alike:
// - User-Agent `nfs-provisioner-ts/<version>` (so the API server, and the harness, can tell our
//   requests apart). client-node's makeApiClient adds its own User-Agent middleware, so we build the
//   Configuration ourselves and set the header in KubeConfig.applySecurityAuthentication, which both
//   the generated request factories and Watch call on every request, and again in the HTTP library
//   right before fetch (after any middleware).
// - a client-side token bucket (KUBE_API_QPS / KUBE_API_BURST), awaited before the request is sent.
// - an AbortSignal taken from the async context (runWithSignal), so a lost lease aborts in-flight calls.
// - a callback per response (verb, resource, code) for metrics.
// - one connection pool: client-node 2.0.1 builds a new undici Agent on every request whenever the
//   cluster has a TLS option (always, in a cluster: the service account CA), so every request would
//   open its own TLS connection and leave it idle until undici's timeout. The first Agent is kept
//   and reused, and replaced after DISPATCHER_MAX_AGE_MS so rotated client certificates are picked up.
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync } from 'node:fs';
import {
  CoordinationV1Api,
  CoreV1Api,
  createConfiguration,
  IsomorphicFetchHttpLibrary,
  KubeConfig,
  Observable,
  ServerConfiguration,
  StorageV1Api,
  Watch,
} from '@kubernetes/client-node';
import type { HttpLibrary, RequestContext, ResponseContext } from '@kubernetes/client-node';
import { ConfigError } from '../config.ts';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import { requestInfo } from './request-info.ts';
import { TokenBucket } from './token-bucket.ts';

export const SERVICE_ACCOUNT_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function userAgentFor(version: string): string {
  return `nfs-provisioner-ts/${version}`;
}

export interface KubeClientOptions {
  /** KUBECONFIG; absent = in-cluster. */
  readonly kubeconfigPath?: string;
  readonly userAgent: string;
  readonly qps: number;
  readonly burst: number;
  readonly clock?: Clock;
  /** Called once per finished request; code is the HTTP status or 'error' (no response). */
  readonly onResponse?: (verb: string, resource: string, code: string) => void;
}

export interface KubeClients {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly storage: StorageV1Api;
  readonly coordination: CoordinationV1Api;
  readonly watch: Watch;
  readonly limiter: TokenBucket;
  readonly userAgent: string;
  /** Runs fn so that the API requests it makes are aborted when signal aborts. */
  runWithSignal<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T>;
  /** Runs fn so that its API requests wait behind all others at the rate limit (events). */
  runLowPriority<T>(fn: () => Promise<T>): Promise<T>;
}

/** Per-call request options carried through the generated client by async context. */
interface RequestScope {
  readonly signal?: AbortSignal;
  readonly lowPriority?: boolean;
}

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

const DISPATCHER_MAX_AGE_MS = 10 * 60_000;

/** A KubeConfig whose authentication step also waits for the rate limit and sets User-Agent. */
class GatedKubeConfig extends KubeConfig {
  readonly #limiter: TokenBucket;
  readonly #userAgent: string;
  readonly #signals: AsyncLocalStorage<RequestScope>;
  #dispatcher: { readonly value: Dispatcher; readonly since: number } | undefined;

  constructor(limiter: TokenBucket, userAgent: string, signals: AsyncLocalStorage<RequestScope>) {
    super();
    this.#limiter = limiter;
    this.#userAgent = userAgent;
    this.#signals = signals;
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    const scope = this.#signals.getStore();
    const signal = scope?.signal;
    await this.#limiter.take(signal, scope?.lowPriority === true);
    await super.applySecurityAuthentication(context);
    context.setHeaderParam('User-Agent', this.#userAgent);
    if (signal !== undefined) context.setSignal(signal);
    this.#reuseDispatcher(context);
  }

  #reuseDispatcher(context: RequestContext): void {
    const fresh = context.getDispatcher();
    if (fresh === undefined) return;
    const now = performance.now();
    const kept = this.#dispatcher;
    if (kept !== undefined && now - kept.since < DISPATCHER_MAX_AGE_MS) {
      context.setDispatcher(kept.value);
      return;
    }
    this.#dispatcher = { value: fresh, since: now };
    // The old pool finishes its in-flight requests, then closes its connections.
    if (kept !== undefined) void kept.value.close().catch(() => undefined);
  }
}

/** The generated clients' HTTP library: User-Agent last, then fetch, then the metrics callback. */
class InstrumentedHttpLibrary implements HttpLibrary {
  readonly #inner = new IsomorphicFetchHttpLibrary();
  readonly #userAgent: string;
  readonly #onResponse: KubeClientOptions['onResponse'];

  constructor(userAgent: string, onResponse: KubeClientOptions['onResponse']) {
    this.#userAgent = userAgent;
    this.#onResponse = onResponse;
  }

  send(request: RequestContext): Observable<ResponseContext> {
    request.setHeaderParam('User-Agent', this.#userAgent);
    const info = requestInfo(request.getHttpMethod(), request.getUrl());
    const result = this.#inner.send(request).toPromise().then(
      (response) => {
        this.#onResponse?.(info.verb, info.resource, String(response.httpStatusCode));
        return response;
      },
      (error: unknown) => {
        this.#onResponse?.(info.verb, info.resource, 'error');
        throw error;
      },
    );
    return new Observable(result);
  }
}

export function loadKubeConfig(kubeConfig: KubeConfig, kubeconfigPath: string | undefined): void {
  if (kubeconfigPath !== undefined) {
    try {
      kubeConfig.loadFromFile(kubeconfigPath);
    } catch (error: unknown) {
      throw new ConfigError('KUBECONFIG', `cannot load ${kubeconfigPath}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (kubeConfig.getCurrentCluster() === null) throw new ConfigError('KUBECONFIG', `${kubeconfigPath} has no current context with a cluster`);
    return;
  }
  if (!existsSync(SERVICE_ACCOUNT_TOKEN_PATH)) {
    throw new ConfigError('KUBECONFIG', `not set, and not running in a cluster (no service account token at ${SERVICE_ACCOUNT_TOKEN_PATH})`);
  }
  kubeConfig.loadFromCluster();
}

export function createKubeClients(options: KubeClientOptions): KubeClients {
  const limiter = new TokenBucket(options.qps, options.burst, options.clock ?? systemClock);
  const signals = new AsyncLocalStorage<RequestScope>();
  const kubeConfig = new GatedKubeConfig(limiter, options.userAgent, signals);
  loadKubeConfig(kubeConfig, options.kubeconfigPath);
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) throw new ConfigError('KUBECONFIG', 'no current cluster');
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration<Record<string, string>>(cluster.server, {}),
    authMethods: { default: kubeConfig },
    httpApi: new InstrumentedHttpLibrary(options.userAgent, options.onResponse),
    middleware: [],
  });
  return {
    kubeConfig,
    core: new CoreV1Api(configuration),
    storage: new StorageV1Api(configuration),
    coordination: new CoordinationV1Api(configuration),
    watch: new Watch(kubeConfig),
    limiter,
    userAgent: options.userAgent,
    runWithSignal: (signal, fn) => signals.run({ ...signals.getStore(), signal }, fn),
    runLowPriority: (fn) => signals.run({ ...signals.getStore(), lowPriority: true }, fn),
  };
}
