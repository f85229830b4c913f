// Runs the harness API server standalone until SIGINT/SIGTERM:
//   node harness/apiserver/main.ts [--port N] [--kubeconfig PATH] [--history-size N] [--seed N]
import { parseArgs } from 'node:util';
import { startApiServer } from './index.ts';
import type { ApiServerOptions } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    kubeconfig: { type: 'string' },
    'history-size': { type: 'string' },
    seed: { type: 'string' },
    'bookmark-interval-ms': { type: 'string' },
    help: { type: 'boolean' },
  },
});

if (values.help) {
  process.stdout.write('usage: node harness/apiserver/main.ts [--port N] [--kubeconfig PATH] [--history-size N] [--seed N] [--bookmark-interval-ms N]\n');
  process.exit(0);
}

const num = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name}: not a non-negative integer: ${v}\n`);
    process.exit(2);
  }
  return n;
};

const opts: ApiServerOptions = {};
const port = num('port', values.port);
if (port !== undefined) opts.port = port;
if (values.kubeconfig) opts.kubeconfigPath = values.kubeconfig;
const history = num('history-size', values['history-size']);
if (history !== undefined) opts.historySize = history;
const seed = num('seed', values.seed);
if (seed !== undefined) opts.seed = seed;
const bookmarks = num('bookmark-interval-ms', values['bookmark-interval-ms']);
if (bookmarks !== undefined) opts.bookmarkIntervalMs = bookmarks;

const server = await startApiServer(opts);
process.stdout.write(`${JSON.stringify({ msg: 'api server ready', url: server.url, kubeconfig: server.kubeconfigPath })}\n`);
const shutdown = (): void => {
  void server.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
