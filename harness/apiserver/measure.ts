// Throughput of the harness API server on this machine, printed as JSON:
//   node harness/apiserver/measure.ts [--creates N] [--concurrency C] [--watchers W]
// creates/s: C concurrent HTTP clients (keep-alive) creating ConfigMaps;
// events/s: W watchers each receiving every event of N creates (delivered = N * W).
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { startApiServer } from './index.ts';

const { values } = parseArgs({
  options: { creates: { type: 'string', default: '5000' }, concurrency: { type: 'string', default: '16' }, watchers: { type: 'string', default: '10' } },
});
const total = Number(values.creates);
const concurrency = Number(values.concurrency);
const watcherCount = Number(values.watchers);

const server = await startApiServer({ historySize: 1000 });
const url = new URL(server.url);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

function post(path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function createMany(ns: string, n: number): Promise<number> {
  await post('/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const code = await post(`/api/v1/namespaces/${ns}/configmaps`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, labels: { i: String(i % 10) } }, data: { k: 'v'.repeat(100) } }));
      if (code !== 201) throw new Error(`create answered ${code}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (performance.now() - started) / 1000;
}

// Watchers count the events they receive; the measurement ends when all have seen every event.
function watcher(ns: string, expected: number): { done: Promise<void>; close: () => void } {
  let seen = 0;
  let buffered = '';
  let resolveDone = (): void => undefined;
  const done = new Promise<void>((r) => (resolveDone = r));
  const req = request({ host: url.hostname, port: url.port, path: `/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${server.store.resourceVersion}` }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffered += chunk;
      let i: number;
      while ((i = buffered.indexOf('\n')) >= 0) {
        buffered = buffered.slice(i + 1);
        if (++seen === expected) resolveDone();
      }
    });
  });
  req.on('error', () => undefined);
  req.end();
  return { done, close: () => req.destroy() };
}

const createSeconds = await createMany('bench-create', total);
await post('/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench-watch' } }));
const watchers = Array.from({ length: watcherCount }, () => watcher('bench-watch', total));
await new Promise((r) => setTimeout(r, 200));
const fanStart = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      await post('/api/v1/namespaces/bench-watch/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `w-${i}` }, data: { k: 'v'.repeat(100) } }));
    }
  }),
);
await Promise.all(watchers.map((w) => w.done));
const fanSeconds = (performance.now() - fanStart) / 1000;
for (const w of watchers) w.close();

const listStart = performance.now();
const listRuns = 20;
for (let i = 0; i < listRuns; i++) {
  await fetch(`${server.url}/api/v1/namespaces/bench-create/configmaps?labelSelector=i%3D3`).then((r) => r.arrayBuffer());
}
const listMs = (performance.now() - listStart) / listRuns;

process.stdout.write(
  `${JSON.stringify(
    {
      node: process.version,
      creates: total,
      concurrency,
      createsPerSecond: Math.round(total / createSeconds),
      watchers: watcherCount,
      eventsDeliveredPerSecond: Math.round((total * watcherCount) / fanSeconds),
      createsPerSecondWhileWatched: Math.round(total / fanSeconds),
      filteredListOf5000Ms: Math.round(listMs * 10) / 10,
      requestsLogged: server.requests.count(),
    },
    null,
    2,
  )}\n`,
);
agent.destroy();
await server.stop();
