// Faults in front of the real API server: a plain-HTTP proxy on 127.0.0.1 that forwards every
// request (headers, bearer token and body untouched, watches streamed) to kube-apiserver, and
// applies the harness's fault rules on the way (errors, latency, hanging requests, dropped
// watches), so a test can make a provisioner's list hang or its watches end on the real control
// plane too. Only clients pointed at the proxy are affected; the API server itself is not.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { requestInfo } from '../../lib/kube/request-info.ts';
import { Faults } from '../apiserver/faults.ts';
import type { FaultInjector } from '../apiserver/faults.ts';

export interface FaultProxy {
  url: string;
  faults: FaultInjector;
  stop(): Promise<void>;
}

function statusBody(code: number, message: string): string {
  const reason = code === 429 ? 'TooManyRequests' : code === 409 ? 'Conflict' : code === 503 ? 'ServiceUnavailable' : code === 504 ? 'Timeout' : 'InternalError';
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

export async function startFaultProxy(upstream: string, ca: Buffer, random: () => number = Math.random): Promise<FaultProxy> {
  const target = new URL(upstream);
  /** Open watch responses: ended (or their sockets destroyed) when watches are dropped. */
  const watches = new Set<{ res: ServerResponse; upstream: IncomingMessage }>();
  const dropAll = (abrupt: boolean): number => {
    const n = watches.size;
    for (const w of watches) {
      if (abrupt) w.res.destroy();
      else w.res.end();
      w.upstream.destroy();
    }
    watches.clear();
    return n;
  };
  const faults = new Faults(random, dropAll);

  const forward = (req: IncomingMessage, res: ServerResponse, isWatch: boolean): void => {
    const headers = { ...req.headers, host: target.host };
    const out = httpsRequest({ hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers, ca }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      if (isWatch) {
        const entry = { res, upstream: up };
        watches.add(entry);
        res.once('close', () => watches.delete(entry));
      }
      up.pipe(res);
      res.once('close', () => up.destroy());
    });
    out.on('error', (error) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(statusBody(500, `fault proxy: upstream failed: ${error.message}`));
      } else res.destroy();
    });
    req.pipe(out);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const info = requestInfo(req.method ?? 'GET', req.url ?? '/');
    const decision = faults.decide({ verb: info.verb, resource: info.resource, userAgent: req.headers['user-agent'] ?? '' });
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.hang) {
      let gone = false;
      res.once('close', () => {
        gone = true;
      });
      await decision.hang;
      if (gone) return;
    }
    if (decision.code !== undefined) {
      res.writeHead(decision.code, {
        'content-type': 'application/json',
        ...(decision.retryAfterSeconds !== undefined ? { 'retry-after': String(decision.retryAfterSeconds) } : {}),
      });
      res.end(statusBody(decision.code, `injected fault: ${String(decision.code)}`));
      return;
    }
    forward(req, res, info.verb === 'watch');
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fault proxy: no port');
  return {
    url: `http://127.0.0.1:${String(address.port)}`,
    faults,
    async stop() {
      faults.clear();
      dropAll(true);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
