// /healthz, /readyz and /metrics on node:http. Every answer comes from state kept in memory
// (probe results, informer sync flags, the registry), so a hung export or API server never makes
// these endpoints hang.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from 'winston';
import { errorMessage } from '../errors.ts';

export interface Check {
  readonly name: string;
  /** Undefined when fine; else the reason. */
  problem(): string | undefined;
  /**
   * A problem of an informational check is shown (`[!]name degraded: ...`) but does not fail the
   * endpoint: one export of several being down is worth naming, not worth a 503.
   */
  readonly informational?: boolean;
}

export interface HealthServerOptions {
  readonly registry: Registry;
  readonly liveness: readonly Check[];
  readonly readiness: readonly Check[];
  readonly logger: Logger;
}

export interface HealthServer {
  readonly server: Server;
  /** http://host:port actually bound. */
  readonly url: string;
  close(): Promise<void>;
}

function answerChecks(response: ServerResponse, checks: readonly Check[], verbose: boolean): void {
  const failures: string[] = [];
  const lines: string[] = [];
  let degraded = false;
  for (const check of checks) {
    let problem: string | undefined;
    try {
      problem = check.problem();
    } catch (error: unknown) {
      problem = errorMessage(error);
    }
    if (problem === undefined) lines.push(`[+]${check.name} ok`);
    else if (check.informational === true) {
      lines.push(`[!]${check.name} degraded: ${problem}`);
      degraded = true;
    } else {
      lines.push(`[-]${check.name} failed: ${problem}`);
      failures.push(check.name);
    }
  }
  const ok = failures.length === 0;
  response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  // A plain "ok" only when nothing is worth saying; otherwise every line, as with ?verbose.
  response.end(ok && !verbose && !degraded ? 'ok\n' : `${lines.join('\n')}\n${ok ? 'ok' : 'failed'}\n`);
}

export async function startHealthServer(options: HealthServerOptions, host: string, port: number): Promise<HealthServer> {
  const { registry, logger } = options;
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const verbose = url.searchParams.has('verbose');
    switch (url.pathname) {
      case '/healthz':
      case '/livez':
        answerChecks(response, options.liveness, verbose);
        return;
      case '/readyz':
        answerChecks(response, options.readiness, verbose);
        return;
      case '/metrics': {
        const body = await registry.metrics();
        response.writeHead(200, { 'content-type': registry.contentType });
        response.end(body);
        return;
      }
      default:
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error('http handler failed', { error: errorMessage(error) });
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
