// The HTTP front: request info (verb, resource), request log, faults, then discovery or the
// resource handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.ts';
import type { Faults } from './faults.ts';
import { sendError, sendJson } from './http-util.ts';
import type { JsonObject, KubeObject } from './json.ts';
import { isObject } from './json.ts';
import { listObjects } from './list.ts';
import { checkAccept, mediaType, objectBody, patchBody, unsupportedMediaType } from './media.ts';
import type { Objects } from './objects.ts';
import { timestamp } from './objects.ts';
import { openApiV3Doc, openApiV3Index } from './openapi.ts';
import { PATCH_TYPES, applyPatch } from './patch/index.ts';
import { patchMetaFor } from './patch/patch-meta.ts';
import { serverSideApply } from './patch/server-side-apply.ts';
import type { MemoryRequestLog, RequestEntry } from './request-log.ts';
import { parseTarget } from './request-target.ts';
import type { ResourceTarget } from './request-target.ts';
import type { Registry } from './resources.ts';
import { answerReview } from './reviews.ts';
import type { ResourceType } from './resource-type.ts';
import { apiVersionOf } from './resource-type.ts';
import { ApiError, badRequest, conflict, methodNotAllowed, notFound } from './status-errors.ts';
import type { Store } from './store.ts';
import { toTable, wantsTable } from './table.ts';
import type { ActiveWatch, WatchOptions } from './watch.ts';
import { startWatch } from './watch.ts';

export interface RouterDeps {
  registry: Registry;
  store: Store;
  objects: Objects;
  log: MemoryRequestLog;
  faults: Faults;
  watchOptions: WatchOptions;
  now: () => Date;
  serverAddress: () => string;
  // Open watches, so faults and restart can end them.
  watches: Map<ActiveWatch, ServerResponse>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function verbOf(method: string, t: ResourceTarget, q: URLSearchParams): string {
  switch (method) {
    case 'GET':
      if (t.legacyWatch || q.get('watch') === 'true' || q.get('watch') === '1') return 'watch';
      return t.name === undefined ? 'list' : 'get';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return t.name === undefined ? 'deletecollection' : 'delete';
    default:
      return method.toLowerCase();
  }
}

const FAULT_REASONS: Record<number, string> = {
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function makeRouter(d: RouterDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const isNamespaced = (g: string, v: string, p: string): boolean => d.registry.get(g, v, p)?.namespaced ?? false;

  return (req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    const target = parseTarget(url.pathname, isNamespaced);
    const entry: RequestEntry = {
      verb: target.type === 'resource' ? verbOf(method, target, q) : method.toLowerCase(),
      method,
      path: url.pathname,
      userAgent: req.headers['user-agent'] ?? '',
      code: 0,
      durationMs: -1,
      time: Date.now(),
    };
    if (target.type === 'resource') {
      entry.apiGroup = target.group;
      entry.resource = target.plural;
      if (target.subresource) entry.subresource = target.subresource;
      if (target.namespace !== undefined) entry.namespace = target.namespace;
      if (target.name !== undefined) entry.name = target.name;
    }
    let logged = false;
    const record = (): void => {
      if (logged) return;
      logged = true;
      entry.code = res.statusCode;
      d.log.record(entry);
    };
    res.on('close', () => {
      entry.durationMs = performance.now() - started;
      if (!logged) {
        if (!res.headersSent) res.statusCode = 499;
        record();
      }
    });
    res.on('finish', record);

    const run = async (): Promise<void> => {
      const decision = d.faults.decide({ verb: entry.verb, ...(entry.resource ? { resource: entry.resource } : {}), userAgent: entry.userAgent });
      if (decision.latencyMs > 0) await sleep(decision.latencyMs);
      if (decision.hang) {
        const closed = new Promise<void>((r) => res.on('close', () => r()));
        await Promise.race([decision.hang, closed]);
        if (res.destroyed) return;
      }
      if (decision.code !== undefined) {
        const err = new ApiError(decision.code, FAULT_REASONS[decision.code] ?? 'InternalError', `injected fault: ${decision.code}`, {
          ...(decision.retryAfterSeconds !== undefined ? { retryAfterSeconds: decision.retryAfterSeconds } : {}),
        });
        sendError(res, err);
        return;
      }
      if (target.type === 'other') return serveOther(target.segments, req, res);
      const rt = d.registry.get(target.group, target.version, target.plural);
      if (!rt) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      checkAccept(req.headers.accept);
      if (!rt.verbs.includes(entry.verb)) throw methodNotAllowed();
      if (entry.verb === 'watch') {
        if (target.name !== undefined) q.set('fieldSelector', [q.get('fieldSelector'), `metadata.name=${target.name}`].filter(Boolean).join(','));
        serveWatch(rt, target, q, req, res, record);
        return;
      }
      await serveResource(rt, target, entry.verb, q, req, res);
    };
    run().catch((err: unknown) => sendError(res, err));
  };

  function serveOther(segments: string[], req: IncomingMessage, res: ServerResponse): void {
    const path = segments.join('/');
    if (path === 'version') return sendJson(res, 200, versionInfo());
    if (path === 'healthz' || path === 'readyz' || path === 'livez') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (path === 'api') return sendJson(res, 200, apiVersions(d.serverAddress()));
    if (path === 'apis') return sendJson(res, 200, apiGroupList(d.registry));
    if (segments[0] === 'api' && segments.length === 2) {
      const list = apiResourceList(d.registry, '', segments[1] ?? '');
      if (list) return sendJson(res, 200, list);
    }
    if (segments[0] === 'apis' && segments.length === 2) {
      const g = apiGroup(d.registry, segments[1] ?? '');
      if (g) return sendJson(res, 200, g);
    }
    if (segments[0] === 'apis' && segments.length === 3) {
      const list = apiResourceList(d.registry, segments[1] ?? '', segments[2] ?? '');
      if (list) return sendJson(res, 200, list);
    }
    if (path === 'openapi/v3') return sendJson(res, 200, openApiV3Index(d.registry));
    if (segments[0] === 'openapi' && segments[1] === 'v3') {
      const rest = segments.slice(2);
      const doc = rest[0] === 'api' ? openApiV3Doc(d.registry, '', rest[1] ?? '') : rest[0] === 'apis' ? openApiV3Doc(d.registry, rest[1] ?? '', rest[2] ?? '') : undefined;
      if (doc) return sendJson(res, 200, doc);
    }
    void req;
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }

  function serveWatch(rt: ResourceType, t: ResourceTarget, q: URLSearchParams, req: IncomingMessage, res: ServerResponse, record: () => void): void {
    // The client may have gone while an injected latency ran: its 'close' events have fired
    // already, so a watch started now would never be stopped (its subscription and timers leak).
    if (res.destroyed) return;
    let ended = false;
    const holder: { watch?: ActiveWatch } = {};
    // Headers go out with the first event or right after a successful start, so a bad request
    // (selector, resourceVersion) can still be answered with a Status and its code.
    const open = (): void => {
      if (res.headersSent) return;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
      res.flushHeaders();
      res.socket?.setNoDelay(true);
      record();
    };
    const watch = startWatch(
      d.store,
      rt,
      t.namespace,
      {
        labelSelector: q.get('labelSelector'),
        fieldSelector: q.get('fieldSelector'),
        resourceVersion: q.get('resourceVersion'),
        resourceVersionMatch: q.get('resourceVersionMatch'),
        allowWatchBookmarks: q.get('allowWatchBookmarks'),
        timeoutSeconds: q.get('timeoutSeconds'),
        sendInitialEvents: q.get('sendInitialEvents'),
      },
      {
        write: (chunk) => {
          open();
          if (!ended && !res.destroyed) res.write(chunk);
        },
        end: () => {
          if (ended) return;
          ended = true;
          if (holder.watch) d.watches.delete(holder.watch);
          open();
          if (!res.destroyed) res.end();
        },
      },
      d.watchOptions,
    );
    if (ended) return;
    open();
    holder.watch = watch;
    d.watches.set(watch, res);
    req.on('close', () => watch.stop());
    res.on('close', () => watch.stop());
  }

  function respond(res: ServerResponse, req: IncomingMessage, q: URLSearchParams, rt: ResourceType, code: number, body: unknown): void {
    if (wantsTable(req.headers.accept)) return sendJson(res, code, toTable(rt, body, d.now(), q.get('includeObject')));
    sendJson(res, code, body);
  }

  async function serveResource(rt: ResourceType, t: ResourceTarget, verb: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ns = rt.namespaced ? t.namespace : '';
    const dryRun = q.getAll('dryRun').includes('All');
    if (t.subresource !== undefined && (t.subresource !== 'status' || !rt.hasStatus)) {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (t.subresource && !['get', 'update', 'patch'].includes(verb)) throw methodNotAllowed();
    if (ns === undefined && verb !== 'list' && verb !== 'deletecollection') {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    const name = t.name ?? '';
    switch (verb) {
      case 'get':
        return respond(res, req, q, rt, 200, d.objects.get(rt, ns ?? '', name));
      case 'list':
        return respond(res, req, q, rt, 200, listObjects(d.store, rt, ns, listQuery(q)));
      case 'create': {
        const body = await objectBody(req, { apiVersion: apiVersionOf(rt), kind: rt.kind });
        if (rt.review) return sendJson(res, 201, answerReview(rt, rt.review, body));
        if (!isObject(body)) throw badRequest('the body of the request was not a valid object');
        const created = d.objects.create(rt, ns ?? '', body as unknown as KubeObject, { dryRun });
        return sendJson(res, 201, created);
      }
      case 'update': {
        const body = await objectBody(req, { apiVersion: apiVersionOf(rt), kind: rt.kind });
        if (!isObject(body)) throw badRequest('the body of the request was not a valid object');
        return sendJson(res, 200, d.objects.update(rt, ns ?? '', name, body as unknown as KubeObject, t.subresource, { dryRun }));
      }
      case 'patch':
        return servePatch(rt, ns ?? '', name, t.subresource, q, req, res, dryRun);
      case 'delete': {
        const body = await objectBody(req, { apiVersion: apiVersionOf(rt), kind: 'DeleteOptions' });
        const opts = isObject(body) ? body : {};
        const pre = isObject(opts['preconditions']) ? opts['preconditions'] : {};
        const bodyDryRun = Array.isArray(opts['dryRun']) && opts['dryRun'].includes('All');
        const { object, deleted } = d.objects.delete(rt, ns ?? '', name, {
          dryRun: dryRun || bodyDryRun,
          preconditions: {
            ...(typeof pre['uid'] === 'string' ? { uid: pre['uid'] } : {}),
            ...(typeof pre['resourceVersion'] === 'string' ? { resourceVersion: pre['resourceVersion'] } : {}),
          },
        });
        return sendJson(res, deleted ? 200 : 202, object);
      }
      case 'deletecollection': {
        const list = listObjects(d.store, rt, ns, listQuery(q));
        const items = list.items.map((i) => {
          const m = (i as { metadata: { namespace?: string; name?: string } }).metadata;
          return d.objects.delete(rt, m.namespace ?? '', m.name ?? '', { dryRun }).object;
        });
        return sendJson(res, 200, { ...list, items });
      }
      default:
        throw methodNotAllowed();
    }
  }

  async function servePatch(
    rt: ResourceType,
    ns: string,
    name: string,
    subresource: string | undefined,
    q: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
    dryRun: boolean,
  ): Promise<void> {
    const contentType = mediaType(req.headers['content-type']);
    const isApply = contentType === 'application/apply-patch+yaml' || contentType === 'application/apply-patch+json';
    // The patch type is checked before the body is read, as the real server does.
    if (!isApply && !(PATCH_TYPES as readonly string[]).includes(contentType)) throw unsupportedMediaType(PATCH_TYPES);
    const patch = await patchBody(req, isApply);
    if (patch === undefined) throw badRequest('the body of the request was empty');
    const current = d.store.get(rt, ns, name);
    if (isApply) {
      if (!isObject(patch)) throw badRequest('the applied configuration must be an object');
      const manager = q.get('fieldManager');
      if (!manager) throw badRequest('PATCH, application/apply-patch+yaml requests must have a fieldManager');
      const applied = { ...patch, metadata: { ...(isObject(patch['metadata']) ? patch['metadata'] : {}), name } } as JsonObject;
      if (rt.namespaced) (applied['metadata'] as JsonObject)['namespace'] = ns;
      const merged = serverSideApply({ live: current, applied, manager, meta: patchMetaFor(rt.kind), time: timestamp(d.now()), apiVersion: apiVersionOf(rt) });
      if (!current) return sendJson(res, 201, d.objects.create(rt, ns, merged, { dryRun }));
      return sendJson(res, 200, d.objects.replace(rt, current, merged, subresource, { dryRun }));
    }
    if (!current) throw notFound(rt, name);
    const patched = applyPatch(contentType, current, patch);
    const rv = patched.metadata.resourceVersion;
    if (rv !== undefined && rv !== current.metadata.resourceVersion) throw conflict(rt, name);
    if (patched.metadata.name !== undefined && patched.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(patched.metadata.name)}) does not match the name on the URL (${name})`);
    }
    return sendJson(res, 200, d.objects.replace(rt, current, patched, subresource, { dryRun }));
  }
}

function listQuery(q: URLSearchParams): Parameters<typeof listObjects>[3] {
  return {
    labelSelector: q.get('labelSelector'),
    fieldSelector: q.get('fieldSelector'),
    limit: q.get('limit'),
    continue: q.get('continue'),
    resourceVersion: q.get('resourceVersion'),
    resourceVersionMatch: q.get('resourceVersionMatch'),
  };
}
