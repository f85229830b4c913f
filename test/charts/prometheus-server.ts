// A real Prometheus server (Debian's 2.42) for a test: 127.0.0.1 on a free port, a temporary TSDB,
// one job scraping the given targets every second with the labels a ServiceMonitor of the chart's
// metrics Service gives its targets (honor_labels, as the chart's ServiceMonitor sets it), and the
// HTTP API calls the dashboard test needs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { startDaemon } from '../../harness/control-plane/daemon.ts';
import { freePort } from '../../harness/nfs/free-port.ts';
import { PROMETHEUS } from './prometheus-tools.ts';

export interface ScrapeTarget {
  /** host:port of /metrics. */
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface Sample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PrometheusServer {
  readonly url: string;
  /** An instant query at now: its vector (a scalar as one sample without labels). */
  query(expr: string): Promise<Sample[]>;
  /** /api/v1/label/<label>/values for series matching the selector. */
  labelValues(label: string, selector: string): Promise<string[]>;
  /** Prometheus's own parser: resolves with the query reformatted, rejects on a syntax error. */
  formatQuery(expr: string): Promise<string>;
  stop(): Promise<void>;
}

interface ApiAnswer {
  status: string;
  error?: string;
  data?: unknown;
}

async function api(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as ApiAnswer;
  if (body.status !== 'success') throw new Error(`${url}: ${body.error ?? res.statusText}`);
  return body.data;
}

export async function startPrometheus(opts: { dir: string; job: string; targets: readonly ScrapeTarget[] }): Promise<PrometheusServer> {
  const port = await freePort();
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    scrape_configs: [
      {
        job_name: opts.job,
        honor_labels: true,
        static_configs: opts.targets.map((target) => ({ targets: [target.address], labels: { ...target.labels } })),
      },
    ],
  };
  const configFile = join(opts.dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(config));
  const daemon = startDaemon('prometheus', PROMETHEUS, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(opts.dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${String(port)}`,
    '--storage.tsdb.retention.time=1h',
  ], join(opts.dir, 'prometheus.log'));
  const url = `http://127.0.0.1:${String(port)}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (ready) break;
    if (!daemon.running() || Date.now() > deadline) {
      await daemon.stop();
      throw new Error(`prometheus did not become ready:\n${daemon.tail()}`);
    }
    await sleep(100);
  }
  return {
    url,
    async query(expr) {
      const data = (await api(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`)) as { resultType: string; result: unknown };
      if (data.resultType === 'scalar') return [{ metric: {}, value: Number((data.result as [number, string])[1]) }];
      if (data.resultType !== 'vector') throw new Error(`${expr}: a ${data.resultType}, not an instant vector`);
      return (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    async labelValues(label, selector) {
      return (await api(`${url}/api/v1/label/${encodeURIComponent(label)}/values?match[]=${encodeURIComponent(selector)}`)) as string[];
    },
    async formatQuery(expr) {
      return (await api(`${url}/api/v1/format_query?query=${encodeURIComponent(expr)}`)) as string;
    },
    stop: () => daemon.stop(),
  };
}
