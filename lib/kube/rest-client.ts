// The API client: JSON over HTTP(S) with one keep-alive connection pool, and one gate that every
// request passes, REST calls and watches alike:
// - User-Agent `nfs-provisioner-ts/<version>`, the Authorization header (credentials.ts) and the
//   impersonation headers of the kubeconfig user;
// - the client-side token bucket (KUBE_API_QPS / KUBE_API_BURST), events in a low-priority lane;
// - an AbortSignal per call, so a lost lease or a shutdown aborts what is in flight;
// - a timeout (socket idle time) per call, so a half-open connection cannot stall a worker;
// - a callback per REST response (verb, resource, code) for metrics.
// Objects stay plain JSON: nothing is converted to client-node's model classes (its generated
// API costs ~40 MiB of resident memory and a serializer pass per object); the types come from
// client-node as types only.
//
// A request that fails with ECONNRESET/EPIPE on a reused keep-alive connection before any answer
// is sent once more on a fresh one: the server closed the idle connection as we wrote to it (the
// retry pattern Node's http documentation gives), so the request was never read.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { StatusError } from './api-errors.ts';
import type { Clock } from './clock.ts';
import { abortReason, systemClock } from './clock.ts';
import type { AuthorizationSource } from './credentials.ts';
import { authorizationSource } from './credentials.ts';
import type { KubeTarget } from './kubeconfig.ts';
import { requestInfo } from './request-info.ts';
import { TokenBucket } from './token-bucket.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface RestRequest {
  readonly method: Method;
  /** Absolute API path, e.g. /api/v1/persistentvolumes. */
  readonly path: string;
  readonly query?: Query;
  readonly body?: unknown;
  /** Default application/json; patches name their type (application/json-patch+json, ...). */
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  /** Waits behind every normal request at the rate limit (events). */
  readonly lowPriority?: boolean;
}

export interface RestClientOptions {
  readonly target: KubeTarget;
  readonly userAgent: string;
  readonly qps: number;
  readonly burst: number;
  readonly clock?: Clock;
  /** Called once per finished REST request; code is the HTTP status or 'error' (no response). */
  readonly onResponse?: (verb: string, resource: string, code: string) => void;
  /** Socket idle time after which a REST request fails (default 60 s). */
  readonly requestTimeoutMs?: number;
  /** Connections at once (default 64; watches hold one each). */
  readonly maxSockets?: number;
}

/** A watch event as the API server sends it: the type and the object (or a Status for ERROR). */
export type WatchHandler = (type: string, object: unknown) => void;

export class RequestTimeoutError extends Error {
  override name = 'TimeoutError';
}

const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
// Idle pooled connections are closed before a typical server-side idle timeout would close them.
const FREE_SOCKET_TIMEOUT_MS = 25_000;

function isStaleConnection(error: unknown, request: ClientRequest): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return request.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE');
}

async function readBody(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The error for a non-2xx answer: its Status message and code, the Status kept as `body`. */
function statusError(code: number, text: string, what: string): StatusError {
  let status: unknown;
  try {
    status = text === '' ? undefined : JSON.parse(text);
  } catch {
    status = undefined;
  }
  const message = typeof (status as { message?: unknown } | undefined)?.message === 'string' ? (status as { message: string }).message : text.slice(0, 300);
  const reason = (status as { reason?: unknown } | undefined)?.reason;
  return new StatusError(code, message === '' ? `${what}: HTTP ${code}` : message, {
    ...(typeof reason === 'string' ? { reason } : {}),
    ...(status === undefined ? {} : { body: status }),
  });
}

export class RestClient {
  readonly limiter: TokenBucket;
  readonly userAgent: string;
  readonly #target: KubeTarget;
  readonly #agent: HttpAgent;
  readonly #send: typeof httpRequest;
  readonly #authorization: AuthorizationSource;
  readonly #onResponse: RestClientOptions['onResponse'];
  readonly #requestTimeoutMs: number;

  constructor(options: RestClientOptions) {
    const clock = options.clock ?? systemClock;
    this.limiter = new TokenBucket(options.qps, options.burst, clock);
    this.userAgent = options.userAgent;
    this.#target = options.target;
    this.#authorization = authorizationSource(options.target.credentials, clock);
    this.#onResponse = options.onResponse;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const pool = { keepAlive: true, keepAliveMsecs: 30_000, maxSockets: options.maxSockets ?? 64, maxFreeSockets: 16, scheduling: 'lifo' as const, timeout: FREE_SOCKET_TIMEOUT_MS };
    if (options.target.server.protocol === 'https:') {
      const tls = options.target.tls;
      this.#agent = new HttpsAgent({
        ...pool,
        rejectUnauthorized: tls.rejectUnauthorized,
        ...(tls.ca === undefined ? {} : { ca: tls.ca }),
        ...(tls.cert === undefined ? {} : { cert: tls.cert }),
        ...(tls.key === undefined ? {} : { key: tls.key }),
        ...(tls.servername === undefined ? {} : { servername: tls.servername }),
      });
      this.#send = httpsRequest;
    } else {
      this.#agent = new HttpAgent(pool);
      this.#send = httpRequest;
    }
  }

  /** The API server's base URL (for logs). */
  get server(): string {
    return this.#target.server.href;
  }

  /** Sends one request and returns the parsed JSON answer; non-2xx rejects with a StatusError. */
  async request<T>(r: RestRequest): Promise<T> {
    const url = this.#url(r.path, r.query);
    const info = requestInfo(r.method, url.href);
    const body = r.body === undefined ? undefined : JSON.stringify(r.body);
    await this.limiter.take(r.signal, r.lowPriority === true);
    const headers = await this.#headers(body, r.contentType);
    let response: IncomingMessage;
    let text: string;
    try {
      response = await this.#open(r.method, url, headers, body, r.signal, this.#requestTimeoutMs);
      text = await readBody(response);
    } catch (error: unknown) {
      this.#onResponse?.(info.verb, info.resource, 'error');
      throw r.signal?.aborted === true ? abortReason(r.signal) : error;
    }
    const code = response.statusCode ?? 0;
    this.#onResponse?.(info.verb, info.resource, String(code));
    if (code < 200 || code > 299) throw statusError(code, text, `${r.method} ${r.path}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /**
   * One watch: calls onEvent per event line until the server ends the stream (resolves) or the
   * connection breaks, the signal aborts, or nothing arrives for idleTimeoutMs (rejects).
   */
  async watch(path: string, query: Query, onEvent: WatchHandler, signal: AbortSignal, idleTimeoutMs: number): Promise<void> {
    const url = this.#url(path, { ...query, watch: true });
    await this.limiter.take(signal);
    const response = await this.#open('GET', url, await this.#headers(undefined), undefined, signal, idleTimeoutMs);
    const code = response.statusCode ?? 0;
    if (code !== 200) throw statusError(code, await readBody(response), `watch ${path}`);
    response.setEncoding('utf8');
    const deliver = (line: string): void => {
      if (line === '' || signal.aborted) return;
      const event = JSON.parse(line) as { type?: unknown; object?: unknown };
      onEvent(typeof event.type === 'string' ? event.type : '', event.object);
    };
    let pending = '';
    try {
      for await (const chunk of response) {
        pending += chunk as string;
        let newline = pending.indexOf('\n');
        while (newline >= 0) {
          deliver(pending.slice(0, newline).trim());
          pending = pending.slice(newline + 1);
          newline = pending.indexOf('\n');
        }
      }
      deliver(pending.trim());
    } catch (error: unknown) {
      response.destroy();
      throw signal.aborted ? abortReason(signal) : error;
    }
    if (signal.aborted) throw abortReason(signal);
    if (!response.complete) throw new Error(`watch ${path}: the connection closed mid-stream`);
  }

  /** Closes the pooled connections. */
  close(): void {
    this.#agent.destroy();
  }

  #url(path: string, query: Query | undefined): URL {
    const url = new URL(this.#target.server.href);
    url.pathname = `${url.pathname.replace(/\/$/u, '')}${path}`;
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  async #headers(body: string | undefined, contentType = 'application/json'): Promise<OutgoingHttpHeaders> {
    const authorization = await this.#authorization();
    return {
      Accept: 'application/json',
      'User-Agent': this.userAgent,
      ...this.#target.impersonation,
      ...(authorization === undefined ? {} : { Authorization: authorization }),
      ...(body === undefined ? {} : { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) }),
    };
  }

  /** Sends the request; resolves with the response once its headers arrived. */
  #open(method: Method, url: URL, headers: OutgoingHttpHeaders, body: string | undefined, signal: AbortSignal | undefined, timeoutMs: number, retried = false): Promise<IncomingMessage> {
    return new Promise<IncomingMessage>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(abortReason(signal));
        return;
      }
      // The signal is handled here, not given to http.request: Node would destroy the request's
      // socket on abort even after the response completed, when the socket is back in the pool
      // (an uncaught socket error, or another request's connection cut).
      const request = this.#send(url, { method, headers, agent: this.#agent });
      let answered: IncomingMessage | undefined;
      const fail = (error: Error): void => {
        // On the response too, so a reader of its body (a watch) sees this error, not a reset.
        if (answered?.complete !== true) answered?.destroy(error);
        request.destroy(error);
      };
      const onAbort = (): void => {
        if (answered?.complete !== true) fail(abortReason(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => signal?.removeEventListener('abort', onAbort);
      request.once('close', done);
      request.setTimeout(timeoutMs, () => fail(new RequestTimeoutError(`${method} ${url.pathname}: no data for ${timeoutMs} ms`)));
      request.once('response', (response) => {
        answered = response;
        response.once('end', done);
        resolve(response);
      });
      // `on`, not `once`: a second error (socket reset after a timeout) must not go unhandled.
      request.on('error', (error: Error) => {
        if (answered !== undefined) return; // the response's reader sees it
        done();
        if (signal?.aborted === true) reject(abortReason(signal));
        else if (!retried && isStaleConnection(error, request)) resolve(this.#open(method, url, headers, body, signal, timeoutMs, true));
        else reject(error);
      });
      request.end(body);
    });
  }
}
