// Prometheus metrics of the provisioner, registered on a Registry that main.ts passes in (never
// the global one, so tests get their own). Names are prefixed nfs_provisioner_. The exports' own
// metrics (probe, fs calls, labelled `export`) are lib/nfs/export-metrics.ts.
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export type OperationResult = 'success' | 'failed' | 'refused';

export class ProvisionerMetrics {
  readonly registry: Registry;
  readonly provisions: Counter<'result'>;
  readonly provisionDuration: Histogram<'result'>;
  readonly deletes: Counter<'result'>;
  readonly deleteDuration: Histogram<'result'>;
  readonly retries: Counter<'kind'>;
  readonly queueDepth: Gauge;
  readonly leader: Gauge;
  readonly apiRequests: Counter<'verb' | 'resource' | 'code'>;
  readonly events: Counter<'reason' | 'outcome'>;
  readonly informerRestarts: Counter<'informer' | 'kind'>;
  /** One source per controller (one per provisioner name), summed. */
  readonly #queueDepths = new Map<string, () => number>();

  constructor(registry: Registry) {
    this.registry = registry;
    const registers = [registry];
    this.provisions = new Counter({ name: 'nfs_provisioner_provisions_total', help: 'Provision attempts by result', labelNames: ['result'], registers });
    this.provisionDuration = new Histogram({
      name: 'nfs_provisioner_provision_duration_seconds',
      help: 'Time of one provision attempt (backend + PV create), by result',
      labelNames: ['result'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.deletes = new Counter({ name: 'nfs_provisioner_deletes_total', help: 'Reclaim attempts by result', labelNames: ['result'], registers });
    this.deleteDuration = new Histogram({
      name: 'nfs_provisioner_delete_duration_seconds',
      help: 'Time of one reclaim attempt (backend + PV delete + finalizer), by result',
      labelNames: ['result'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.retries = new Counter({ name: 'nfs_provisioner_retries_total', help: 'Work items re-queued after a failure', labelNames: ['kind'], registers });
    const depth = (): number => [...this.#queueDepths.values()].reduce((sum, source) => sum + source(), 0);
    this.queueDepth = new Gauge({
      name: 'nfs_provisioner_queue_depth',
      help: 'Keys waiting in the work queue',
      registers,
      collect() {
        this.set(depth());
      },
    });
    this.leader = new Gauge({ name: 'nfs_provisioner_leader', help: '1 while this replica is the leader (or runs alone)', registers });
    this.apiRequests = new Counter({
      name: 'nfs_provisioner_kube_api_requests_total',
      help: 'Kubernetes API requests by verb, resource and HTTP code',
      labelNames: ['verb', 'resource', 'code'],
      registers,
    });
    this.events = new Counter({ name: 'nfs_provisioner_events_total', help: 'Events recorded, by reason and outcome', labelNames: ['reason', 'outcome'], registers });
    this.informerRestarts = new Counter({
      name: 'nfs_provisioner_informer_restarts_total',
      help: 'Informer lists and watch restarts, by informer and kind',
      labelNames: ['informer', 'kind'],
      registers,
    });
  }

  /** The queue depth of the controller named `source`; a later call for the same name replaces it. */
  setQueueDepthSource(fn: () => number, source = ''): void {
    this.#queueDepths.set(source, fn);
  }
}
