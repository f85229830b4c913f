// The suite's own API client: node:https (or http) with the admin kubeconfig's server, CA and
// token, so it works on the harness API server and on the real kube-apiserver alike, with its own
// User-Agent (so fault rules aimed at the provisioner never hit it and the request log tells the
// two apart). Retries connection errors for a while: the API server restarts during scenarios.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { kubeTargetFromFile } from '../../lib/kube/kubeconfig.ts';
import type { KubeTarget } from '../../lib/kube/kubeconfig.ts';

export const SUITE_USER_AGENT = 'nfs-faults-suite';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** A list's answer: the items and the resourceVersion to watch from. */
export interface ListAnswer<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

export interface ClaimSpec {
  namespace: string;
  name: string;
  className: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Omit to leave out resources.requests.storage entirely. */
  size?: string | null;
}

export class KubeRest {
  readonly url: string;
  readonly #target: KubeTarget;
  readonly #token: string | undefined;
  // Keep-alive, bounded: bursts of 16 parallel calls reuse their connections.
  readonly #agent: HttpAgent | HttpsAgent;

  constructor(kubeconfigPath: string) {
    this.#target = kubeTargetFromFile(kubeconfigPath);
    const c = this.#target.credentials;
    if (c.kind !== 'token' && c.kind !== 'none') throw new Error(`${kubeconfigPath}: the suite's client takes a token kubeconfig, not ${c.kind}`);
    this.#token = c.kind === 'token' ? c.token : undefined;
    this.url = this.#target.server.toString().replace(/\/$/, '');
    const https = this.#target.server.protocol === 'https:';
    this.#agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: 32 }) : new HttpAgent({ keepAlive: true, maxSockets: 32 });
  }

  /** Closes the kept-alive connections (the world is stopping). */
  close(): void {
    this.#agent.destroy();
  }

  async call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiAnswer> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        return await this.#once(method, path, body === undefined ? undefined : JSON.stringify(body), contentType);
      } catch (err: unknown) {
        if (Date.now() > deadline) throw err;
        await sleep(100);
      }
    }
  }

  /** GETs a collection (whole: no limit asked); throws on anything but 200. */
  async list<T>(path: string): Promise<ListAnswer<T>> {
    const a = await this.must('GET', path);
    return a.body as ListAnswer<T>;
  }

  #once(method: string, path: string, payload: string | undefined, contentType: string): Promise<ApiAnswer> {
    const { server, tls } = this.#target;
    const target = new URL(path, server);
    const headers: Record<string, string> = { 'user-agent': SUITE_USER_AGENT, accept: 'application/json' };
    if (this.#token !== undefined) headers['authorization'] = `Bearer ${this.#token}`;
    if (payload !== undefined) {
      headers['content-type'] = contentType;
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const https = server.protocol === 'https:';
    const options = {
      method,
      headers,
      agent: this.#agent,
      timeout: 15_000,
      ...(https ? { ...(tls.ca ? { ca: tls.ca } : {}), rejectUnauthorized: tls.rejectUnauthorized } : {}),
    };
    return new Promise((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(target, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 15 s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like call, but any answer outside 2xx (and the statuses in `also`) throws. */
  async must(method: string, path: string, body?: unknown, also: readonly number[] = [], contentType?: string): Promise<ApiAnswer> {
    const a = await this.call(method, path, body, contentType);
    if ((a.status < 200 || a.status > 299) && !also.includes(a.status)) {
      throw new Error(`${method} ${path}: HTTP ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`);
    }
    return a;
  }

  createNamespace(name: string): Promise<ApiAnswer> {
    return this.must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, [409]);
  }

  createClass(name: string, provisioner: string, parameters: Record<string, string>, reclaimPolicy: 'Delete' | 'Retain' = 'Delete'): Promise<ApiAnswer> {
    return this.must('POST', '/apis/storage.k8s.io/v1/storageclasses', {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name },
      provisioner,
      parameters,
      reclaimPolicy,
      volumeBindingMode: 'Immediate',
    });
  }

  claimBody(c: ClaimSpec): unknown {
    const size = c.size === undefined ? '1Mi' : c.size;
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: c.name, namespace: c.namespace, ...(c.labels ? { labels: c.labels } : {}), ...(c.annotations ? { annotations: c.annotations } : {}) },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: c.className,
        ...(size === null ? {} : { resources: { requests: { storage: size } } }),
      },
    };
  }

  /** Creates the claim; the answer is returned as is (a 422 is the API's verdict, not an error here). */
  createClaim(c: ClaimSpec): Promise<ApiAnswer> {
    return this.call('POST', `/api/v1/namespaces/${encodeURIComponent(c.namespace)}/persistentvolumeclaims`, this.claimBody(c));
  }

  deleteClaim(namespace: string, name: string): Promise<ApiAnswer> {
    return this.must('DELETE', `/api/v1/namespaces/${encodeURIComponent(namespace)}/persistentvolumeclaims/${encodeURIComponent(name)}`, undefined, [404]);
  }

  patchClaim(namespace: string, name: string, patch: unknown): Promise<ApiAnswer> {
    return this.call('PATCH', `/api/v1/namespaces/${encodeURIComponent(namespace)}/persistentvolumeclaims/${encodeURIComponent(name)}`, patch, 'application/merge-patch+json');
  }
}

/** Runs fn over items with at most `limit` in flight. */
export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const item = items[i];
      if (item !== undefined) await fn(item, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
