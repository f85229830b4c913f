// The process: config -> logger -> exports (each checked) -> kube client -> informers, a probe per
// export, HTTP endpoints -> leader election -> one controller per provisioner name, all sharing the
// informers and the NFS backend, which routes each claim and PV to its export. Exit codes: 0 after
// SIGTERM/SIGINT (workers stopped, Lease released, within 5 s), 1 on an unexpected error, 2 on bad
// configuration (one line on stderr naming the variable or path, never a stack trace).
import { readFileSync } from 'node:fs';
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ConfigError, loadConfig } from './config.ts';
import type { Config } from './config.ts';
import { ClaimResizer } from './controller/claim-resizer.ts';
import { ProvisioningController } from './controller/controller.ts';
import { EventRecorder } from './controller/event-recorder.ts';
import { ProvisionerMetrics } from './controller/metrics.ts';
import { UsageMonitor } from './controller/usage-monitor.ts';
import { VolumeMetrics } from './controller/volume-metrics.ts';
import { errorMessage } from './errors.ts';
import { EventLoopMonitor } from './http/event-loop-monitor.ts';
import { startHealthServer } from './http/server.ts';
import type { HealthServer } from './http/server.ts';
import { withoutManagedFields } from './kube/cache-transform.ts';
import { createKubeClient, userAgentFor } from './kube/client.ts';
import type { RestClient } from './kube/rest-client.ts';
import { systemClock } from './kube/clock.ts';
import { controllerApi } from './kube/controller-api.ts';
import { Informer } from './kube/informer.ts';
import type { ListWatchSource } from './kube/informer.ts';
import { LeaderElector } from './kube/leader-elector.ts';
import { leaseApi } from './kube/lease-api.ts';
import { patchApi } from './kube/patch-api.ts';
import { claimSource, storageClassSource, volumeSource } from './kube/list-watch.ts';
import { openExports } from './exports-setup.ts';
import { createLogger } from './logger.ts';
import type { Logger } from './logger.ts';
import { ExportHealth, ExportMetrics, exportReadinessChecks, NfsProvisioner } from './nfs/index.ts';
import type { NfsExport } from './nfs/index.ts';
import { claimReference } from './controller/object-reference.ts';

const SHUTDOWN_LIMIT_MS = 4500;
const PROBE_INTERVAL_MS = 5000;
const MAX_EVENT_LOOP_LAG_MS = 10_000;

function packageVersion(): string {
  try {
    const parsed: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const version = (parsed as { version?: unknown }).version;
    return typeof version === 'string' ? version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function failConfig(error: unknown): never {
  const message = error instanceof ConfigError ? error.message : errorMessage(error);
  process.stderr.write(`nfs-provisioner-ts: invalid configuration: ${message}\n`);
  process.exit(2);
}

async function run(config: Config, logger: Logger, version: string): Promise<void> {
  const clock = systemClock;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = new ProvisionerMetrics(registry);
  const exportMetrics = new ExportMetrics(registry);
  let exports: NfsExport[];
  try {
    exports = await openExports(config, exportMetrics, logger);
  } catch (error: unknown) {
    if (error instanceof ConfigError) failConfig(error);
    throw error;
  }
  const volumeMetrics = new VolumeMetrics(registry);

  let client: RestClient;
  try {
    client = createKubeClient({
      ...(config.kubeconfig === undefined ? {} : { kubeconfigPath: config.kubeconfig }),
      env: process.env,
      userAgent: userAgentFor(version),
      qps: config.kubeApiQps,
      burst: config.kubeApiBurst,
      clock,
      onResponse: (verb, resource, code) => metrics.apiRequests.labels(verb, resource, code).inc(),
    });
  } catch (error: unknown) {
    failConfig(error);
  }
  // Events carry the provisioner name of the class they are about, as with one install per name.
  const recorders = new Map(
    config.provisionerNames.map((name) => [
      name,
      new EventRecorder({
        api: controllerApi(client),
        clock,
        logger,
        component: name,
        instance: config.leaderElection.identity,
        onEvent: (reason, outcome) => metrics.events.labels(reason, outcome).inc(),
      }),
    ]),
  );
  const provisioner = new NfsProvisioner({
    exports,
    provisionerNames: config.provisionerNames,
    logger,
    onWarning: (request, reason, message) => {
      void recorders.get(request.storageClass.provisioner)?.record(claimReference(request.claim), 'Warning', reason, message);
    },
    onOperation: (exportName, operation, result, ms) => exportMetrics.recordOperation(exportName, operation, result, ms),
  });

  const informer = <T extends V1PersistentVolumeClaim | V1PersistentVolume | V1StorageClass>(name: string, source: ListWatchSource<T>): Informer<T> =>
    new Informer<T>({
      name,
      source,
      clock,
      logger,
      resyncPeriodMs: config.resyncPeriodMs,
      transform: withoutManagedFields,
      onRestart: (kind) => metrics.informerRestarts.labels(name, kind).inc(),
    });
  const claims = informer('persistentvolumeclaims', claimSource(client));
  const volumes = informer('persistentvolumes', volumeSource(client));
  const classes = informer('storageclasses', storageClassSource(client));
  const informers = [claims, volumes, classes];

  // One controller per provisioner name: each selects the claims and PVs of its name, as one Go
  // install per name did, and all share the informers, the backend and the export slots. Each has
  // its own resizer (the external-resizer's part for the claims of its classes).
  const patches = patchApi(client);
  const controllers = [...recorders].map(([name, events]) => {
    const named = config.provisionerNames.length > 1 ? logger.child({ provisioner: name }) : logger;
    const resizer = new ClaimResizer({
      provisionerName: name,
      api: patches,
      events,
      claims,
      volumes,
      clock,
      logger: named,
      onResult: (result) => volumeMetrics.resizes.labels(result).inc(),
    });
    return new ProvisioningController({
      provisionerName: name,
      provisioner,
      api: controllerApi(client),
      events,
      claims,
      volumes,
      classes,
      workers: config.workers,
      clock,
      logger: named,
      metrics,
      baseDelayMs: config.retryBaseDelayMs,
      maxDelayMs: config.retryMaxDelayMs,
      shutdownGraceMs: 2000,
      resizer,
    });
  });

  const healths = exports.map(
    (exported, index) =>
      new ExportHealth({
        export: exported,
        clock,
        logger,
        timeoutMs: config.exports[index]?.fsTimeoutMs ?? config.fsTimeoutMs,
        intervalMs: PROBE_INTERVAL_MS,
        onProbe: (ok, ms) => exportMetrics.recordProbe(exported.name, ok, ms),
        onChange: (state) => {
          exportMetrics.setState(exported.name, state);
          // Claims and reclaims that failed while it was down go again now, not after their backoff.
          if (state === 'ok') for (const c of controllers) c.retryFailed();
        },
      }),
  );
  const loop = new EventLoopMonitor(clock);
  // One walker for every provisioner name, on the leader beside the controllers: each PV is walked
  // on its own export's fs, and waits while that export's probe fails.
  const healthOf = new Map(healths.map((h) => [h.export.name, h]));
  const firstRecorder = [...recorders.values()][0];
  const usage =
    config.usageIntervalMs > 0 && firstRecorder !== undefined
      ? new UsageMonitor({
          provisionerName: config.provisionerNames,
          volumes,
          meter: provisioner.usageMeter({ healthy: (exportName) => healthOf.get(exportName)?.condition().state === 'ok' }),
          api: patches,
          events: firstRecorder,
          eventsFor: (name) => recorders.get(name),
          clock,
          logger,
          intervalMs: config.usageIntervalMs,
          metrics: volumeMetrics,
        })
      : undefined;
  const lead = (signal: AbortSignal): Promise<void> => Promise.all([...controllers.map((c) => c.run(signal)), usage?.run(signal)]).then(() => undefined);

  let http: HealthServer;
  try {
    http = await startHealthServer(
      {
        registry,
        logger,
        liveness: [
          {
            name: 'event-loop',
            problem: () => (loop.lagMs() > MAX_EVENT_LOOP_LAG_MS ? `event loop lag ${loop.lagMs()} ms` : undefined),
          },
        ],
        readiness: [
          {
            name: 'informers',
            problem: () => {
              const pending = informers.filter((i) => !i.hasSynced()).map((i) => i.name);
              return pending.length === 0 ? undefined : `not synced: ${pending.join(', ')}`;
            },
          },
          ...exportReadinessChecks(healths),
        ],
      },
      config.httpListen.host,
      config.httpListen.port,
    );
  } catch (error: unknown) {
    failConfig(new ConfigError('HTTP_LISTEN', `cannot listen on ${config.httpListen.host}:${config.httpListen.port}: ${errorMessage(error)}`));
  }

  loop.start();
  for (const h of healths) h.start();
  for (const i of informers) i.start();
  logger.info('started', {
    version,
    http: http.url,
    leaderElection: config.leaderElection.enabled,
    identity: config.leaderElection.identity,
    workers: config.workers,
    provisionerNames: config.provisionerNames,
    exports: exports.map((e) => `${e.name}=${e.server}:${e.path} at ${e.mountPath}`),
  });

  const stop = new AbortController();
  let running: Promise<void>;
  if (config.leaderElection.enabled) {
    const le = config.leaderElection;
    let controllerRun: Promise<void> = Promise.resolve();
    const elector = new LeaderElector({
      api: leaseApi(client, le.namespace, le.name),
      name: le.name,
      namespace: le.namespace,
      identity: le.identity,
      leaseDurationMs: le.leaseDurationMs,
      renewDeadlineMs: le.renewDeadlineMs,
      retryPeriodMs: le.retryPeriodMs,
      clock,
      logger,
      onStartedLeading: (signal) => {
        metrics.leader.set(1);
        controllerRun = lead(signal);
      },
      onStoppedLeading: async () => {
        metrics.leader.set(0);
        await controllerRun;
      },
      onNewLeader: (identity) => logger.info('leader observed', { leader: identity }),
    });
    running = elector.run(stop.signal);
  } else {
    metrics.leader.set(1);
    running = lead(stop.signal);
  }

  let shuttingDown = false;
  const shutdown = (signalName: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info('shutting down', { signal: signalName });
    setTimeout(() => {
      logger.warn('shutdown did not finish in time; exiting');
      process.exit(0);
    }, SHUTDOWN_LIMIT_MS).unref();
    stop.abort(new Error(`received ${signalName}`));
    void (async () => {
      await running;
      logger.debug('workers stopped');
      for (const h of healths) h.stop();
      loop.stop();
      await Promise.all(informers.map((i) => i.stop()));
      logger.debug('informers stopped');
      await http.close();
      logger.info('stopped');
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

function main(): void {
  const version = packageVersion();
  let config: Config;
  try {
    config = loadConfig(process.env, process.argv.slice(2));
  } catch (error: unknown) {
    failConfig(error);
  }
  const logger = createLogger({ level: config.logLevel, defaultMeta: { provisioner: config.provisionerName } });
  const fatal = (kind: string) => (error: unknown): void => {
    logger.error(`${kind}; exiting`, { error: errorMessage(error), stack: error instanceof Error ? error.stack : undefined });
    process.exit(1);
  };
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled rejection'));
  run(config, logger, version)
    .catch((error: unknown) => {
      if (error instanceof ConfigError) failConfig(error);
      fatal('start-up failed')(error);
    });
}

main();
