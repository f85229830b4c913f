// A tiny HTTP client for the API server tests: JSON requests and watch streams read line by line.
import type { ApiServer } from '../../../harness/apiserver/index.ts';

export interface Reply {
  status: number;
  body: Record<string, unknown> & { metadata?: Record<string, unknown>; items?: Record<string, unknown>[] };
  headers: Headers;
}

export interface Client {
  req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  watch(path: string): WatchStream;
}

export interface WatchEvent {
  type: string;
  object: Record<string, unknown> & { metadata?: Record<string, unknown> };
}

export interface WatchStream {
  // Resolves with the next `n` events (or fewer if the stream ends first).
  next(n?: number, timeoutMs?: number): Promise<WatchEvent[]>;
  ended: Promise<void>;
  close(): void;
}

export function client(server: Pick<ApiServer, 'url'>, userAgent = 'apiserver-test'): Client {
  return {
    async req(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { 'User-Agent': userAgent, Accept: 'application/json', ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['Content-Type'] ??= 'application/json';
      }
      const res = await fetch(server.url + path, init);
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Reply['body']) : {}, headers: res.headers };
    },
    watch(path) {
      const controller = new AbortController();
      const queue: WatchEvent[] = [];
      const waiters: (() => void)[] = [];
      let done = false;
      const wake = (): void => {
        for (const w of waiters.splice(0)) w();
      };
      const ended = (async () => {
        try {
          const res = await fetch(server.url + path, { headers: { 'User-Agent': userAgent }, signal: controller.signal });
          if (!res.body) return;
          const decoder = new TextDecoder();
          let buf = '';
          for await (const chunk of res.body) {
            buf += decoder.decode(chunk as Uint8Array, { stream: true });
            let i: number;
            while ((i = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, i).trim();
              buf = buf.slice(i + 1);
              if (line) queue.push(JSON.parse(line) as WatchEvent);
            }
            wake();
          }
        } catch {
          // aborted or dropped
        } finally {
          done = true;
          wake();
        }
      })();
      return {
        ended,
        close: () => controller.abort(),
        async next(n = 1, timeoutMs = 5000) {
          const deadline = Date.now() + timeoutMs;
          while (queue.length < n && !done && Date.now() < deadline) {
            await new Promise<void>((r) => {
              const timer = setTimeout(r, Math.max(1, deadline - Date.now()));
              waiters.push(() => {
                clearTimeout(timer);
                r();
              });
            });
          }
          return queue.splice(0, n);
        },
      };
    },
  };
}

export const pvc = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, ...((extra['metadata']) ?? {}) },
  spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Mi' } }, ...((extra['spec']) ?? {}) },
});

export const configMap = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});
