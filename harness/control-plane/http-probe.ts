// Small HTTPS/HTTP calls the control-plane launcher makes itself (health probes, a token
// request), on node:https with the test CA: no client library needed before the cluster exists.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProbeResponse {
  status: number;
  body: string;
}

export interface CallOptions {
  method?: string;
  ca?: Buffer;
  token?: string;
  body?: unknown;
  /** Accept a certificate no CA vouches for (kube-controller-manager's self-signed one). */
  insecure?: boolean;
  timeoutMs?: number;
  /** Body media type; default application/json (PATCH: application/merge-patch+json). */
  contentType?: string;
  userAgent?: string;
}

export function call(url: string, opts: CallOptions = {}): Promise<ProbeResponse> {
  const target = new URL(url);
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token !== undefined) headers['authorization'] = `Bearer ${opts.token}`;
  if (opts.userAgent !== undefined) headers['user-agent'] = opts.userAgent;
  if (payload !== undefined) {
    headers['content-type'] = opts.contentType ?? (opts.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const options = {
      method: opts.method ?? 'GET',
      headers,
      timeout: opts.timeoutMs ?? 5000,
      ...(target.protocol === 'https:' ? { ...(opts.ca ? { ca: opts.ca } : {}), rejectUnauthorized: opts.insecure !== true } : {}),
    };
    const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within ${String(opts.timeoutMs ?? 5000)} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Polls url until it answers 200 or `alive()` turns false (the process died: fail fast with its
 * log instead of waiting out the deadline).
 */
export async function waitHealthy(what: string, url: string, opts: CallOptions & { deadlineMs: number; alive: () => boolean; logTail: () => string }): Promise<void> {
  const deadline = Date.now() + opts.deadlineMs;
  let last = 'no answer';
  for (;;) {
    if (!opts.alive()) throw new Error(`${what} exited during start:\n${opts.logTail()}`);
    try {
      const res = await call(url, { ...opts, timeoutMs: 2000 });
      if (res.status === 200) return;
      last = `${String(res.status)} ${res.body.slice(0, 500)}`;
    } catch (error: unknown) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`${what} not healthy after ${String(opts.deadlineMs)} ms (${url}: ${last}):\n${opts.logTail()}`);
    await sleep(100);
  }
}
