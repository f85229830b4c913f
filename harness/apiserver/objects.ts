// The write path with Kubernetes object semantics: create (generateName, defaults, admission,
// validation, AlreadyExists), update (preconditions, status subresource, generation, no-op
// detection, finalizers), delete (finalizers -> deletionTimestamp), namespace termination.
import { randomUUID } from 'node:crypto';
import type { AdmissionPlugin } from './admission/index.ts';
import type { KubeObject, ObjectMeta } from './json.ts';
import { isObject, jsonEqual } from './json.ts';
import { labelProblems } from './label-rules.ts';
import { generateName, nameProblems } from './names.ts';
import type { Registry } from './resources.ts';
import type { ResourceType } from './resource-type.ts';
import { apiVersionOf } from './resource-type.ts';
import { ApiError, alreadyExists, badRequest, conflict, invalid, notFound } from './status-errors.ts';
import type { StatusCause } from './status-errors.ts';
import type { Store } from './store.ts';

export interface ObjectsDeps {
  store: Store;
  registry: Registry;
  admission: readonly AdmissionPlugin[];
  now: () => Date;
  random: () => number;
  // Runs work after the current request (namespace cleanup), like the real server's controllers.
  defer: (fn: () => void) => void;
}

export interface WriteOptions {
  dryRun?: boolean;
}

export interface DeleteOptions extends WriteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
}

export const timestamp = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

// Top-level fields that are neither metadata nor status (spec, data, rules, provisioner...).
function contentOf(o: KubeObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (k !== 'metadata' && k !== 'status' && k !== 'apiVersion' && k !== 'kind') out[k] = v;
  return out;
}

export class Objects {
  private readonly d: ObjectsDeps;
  private readonly nsType: ResourceType;

  constructor(deps: ObjectsDeps) {
    this.d = deps;
    const ns = deps.registry.get('', 'v1', 'namespaces');
    if (!ns) throw new Error('registry has no namespaces');
    this.nsType = ns;
  }

  get(rt: ResourceType, namespace: string, name: string): KubeObject {
    const o = this.d.store.get(rt, namespace, name);
    if (!o) throw notFound(rt, name);
    return o;
  }

  private checkNamespaceWritable(rt: ResourceType, namespace: string): void {
    if (!rt.namespaced) return;
    const ns = this.d.store.get(this.nsType, '', namespace);
    if (!ns) throw notFound(this.nsType, namespace);
    if (ns.metadata.deletionTimestamp) {
      throw new ApiError(
        403,
        'Forbidden',
        `${rt.plural} "${''}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        { kind: rt.plural, group: rt.group, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] },
      );
    }
  }

  private checkKind(rt: ResourceType, body: KubeObject): void {
    const apiVersion = apiVersionOf(rt);
    if ((body.kind && body.kind !== rt.kind) || (body.apiVersion && body.apiVersion !== apiVersion)) {
      throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${apiVersion})`);
    }
  }

  private validate(rt: ResourceType, o: KubeObject, old: KubeObject | undefined): void {
    const name = o.metadata.name ?? '';
    const causes: StatusCause[] = [];
    if (!old) {
      for (const p of nameProblems(name, rt.nameRule)) {
        causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${name}": ${p}`, field: 'metadata.name' });
      }
    }
    if (rt.namespaced && !o.metadata.namespace) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'metadata.namespace' });
    if (old?.metadata.deletionTimestamp) {
      const before = new Set(old.metadata.finalizers ?? []);
      for (const f of o.metadata.finalizers ?? []) {
        if (!before.has(f)) causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: no new finalizers can be added if the object is being deleted', field: 'metadata.finalizers' });
      }
    }
    causes.push(...labelProblems(o.metadata.labels ?? {}));
    if (rt.validate) causes.push(...rt.validate(o, old));
    if (causes.length > 0) throw invalid(rt.kind, rt.group, name, causes);
  }

  private admit(rt: ResourceType, operation: 'CREATE' | 'UPDATE', object: KubeObject, old: KubeObject | undefined): void {
    for (const p of this.d.admission) p.admit({ operation, resource: rt, object, old, store: this.d.store, registry: this.d.registry });
  }

  create(rt: ResourceType, namespace: string, body: KubeObject, opts: WriteOptions = {}): KubeObject {
    if (!isObject(body) || !isObject(body.metadata ?? {})) throw badRequest('the body of the request was not a valid object');
    this.checkKind(rt, body);
    const meta: ObjectMeta = { ...(body.metadata ?? {}) };
    if (rt.namespaced) {
      if (meta.namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace;
    } else delete meta.namespace;
    this.checkNamespaceWritable(rt, namespace);
    if (!meta.name) {
      if (!meta.generateName) {
        throw invalid(rt.kind, rt.group, '', [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]);
      }
      meta.name = this.freeName(rt, namespace, meta.generateName);
    }
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    meta.uid = randomUUID();
    meta.creationTimestamp = timestamp(this.d.now());
    if (rt.generation) meta.generation = 1;
    else delete meta.generation;
    // The body is the caller's fresh copy (parsed from the request), so it is taken over, not cloned.
    const obj: KubeObject = { ...body, apiVersion: apiVersionOf(rt), kind: rt.kind, metadata: meta };
    if (rt.hasStatus && rt.kind !== 'Node') delete obj['status'];
    rt.defaults?.(obj);
    this.admit(rt, 'CREATE', obj, undefined);
    this.validate(rt, obj, undefined);
    if (this.d.store.get(rt, namespace, meta.name)) throw alreadyExists(rt, meta.name);
    if (opts.dryRun) return obj;
    obj.metadata.resourceVersion = String(this.d.store.nextRv());
    this.d.store.commit(rt, 'ADDED', obj, undefined);
    return obj;
  }

  private freeName(rt: ResourceType, namespace: string, prefix: string): string {
    for (let i = 0; i < 8; i++) {
      const name = generateName(prefix, this.d.random);
      if (!this.d.store.get(rt, namespace, name)) return name;
    }
    throw new ApiError(409, 'AlreadyExists', `${rt.plural} "${prefix}" already exists, the server was not able to generate a unique name for the object`);
  }

  // PUT semantics for the main resource (subresource undefined) or /status.
  update(rt: ResourceType, namespace: string, name: string, body: KubeObject, subresource: string | undefined, opts: WriteOptions = {}): KubeObject {
    if (!isObject(body) || !isObject(body.metadata ?? {})) throw badRequest('the body of the request was not a valid object');
    this.checkKind(rt, body);
    const old = this.d.store.get(rt, namespace, name);
    if (!old) throw notFound(rt, name);
    if (body.metadata?.name !== undefined && body.metadata.name !== name) {
      throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    const rv = body.metadata?.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion) throw conflict(rt, name);
    return this.replace(rt, old, body, subresource, opts);
  }

  // Writes `body` as the new state of `old` (shared by update and patch).
  replace(rt: ResourceType, old: KubeObject, body: KubeObject, subresource: string | undefined, opts: WriteOptions = {}): KubeObject {
    let next: KubeObject;
    const bodyMeta: ObjectMeta = isObject(body.metadata) ? body.metadata : {};
    if (subresource === 'status') {
      // Only status (and metadata) change through /status; the spec stays as stored.
      next = { ...structuredClone(old), metadata: structuredClone(bodyMeta) };
      if (body['status'] !== undefined) next['status'] = structuredClone(body['status']);
      else delete next['status'];
      if (rt.group === 'apps') next.metadata.labels = structuredClone(old.metadata.labels ?? {});
      if (next.metadata.labels && Object.keys(next.metadata.labels).length === 0 && !old.metadata.labels) delete next.metadata.labels;
    } else {
      next = { ...body, metadata: { ...bodyMeta } };
      if (rt.hasStatus) {
        if (old['status'] !== undefined) next['status'] = old['status'];
        else delete next['status'];
      }
    }
    next.apiVersion = apiVersionOf(rt);
    next.kind = rt.kind;
    const m = next.metadata;
    m.name = old.metadata.name ?? '';
    if (rt.namespaced) m.namespace = old.metadata.namespace ?? '';
    else delete m.namespace;
    m.uid = old.metadata.uid ?? '';
    m.creationTimestamp = old.metadata.creationTimestamp ?? '';
    if (old.metadata.deletionTimestamp) m.deletionTimestamp = old.metadata.deletionTimestamp;
    else delete m.deletionTimestamp;
    if (old.metadata.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
    else delete m.deletionGracePeriodSeconds;
    if (old.metadata.generation !== undefined) m.generation = old.metadata.generation;
    else delete m.generation;
    if (m.managedFields === undefined && old.metadata.managedFields) m.managedFields = old.metadata.managedFields;
    if (Array.isArray(m.finalizers) && m.finalizers.length === 0) delete m.finalizers;
    m.resourceVersion = old.metadata.resourceVersion ?? '';
    rt.defaults?.(next);
    this.admit(rt, 'UPDATE', next, old);
    this.validate(rt, next, old);
    if (jsonEqual(next, old)) return old;
    if (rt.generation && !jsonEqual(contentOf(next), contentOf(old))) m.generation = (old.metadata.generation ?? 0) + 1;
    if (opts.dryRun) return next;
    m.resourceVersion = String(this.d.store.nextRv());
    if (m.deletionTimestamp && (m.finalizers ?? []).length === 0) {
      this.d.store.commit(rt, 'DELETED', next, old);
      this.afterDelete(rt, next);
      return next;
    }
    this.d.store.commit(rt, 'MODIFIED', next, old);
    return next;
  }

  // Returns the object and whether it is gone (200) or only marked for deletion (202).
  delete(rt: ResourceType, namespace: string, name: string, opts: DeleteOptions = {}): { object: KubeObject; deleted: boolean } {
    const old = this.d.store.get(rt, namespace, name);
    if (!old) throw notFound(rt, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw conflict(rt, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid ?? ''}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(rt, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion ?? ''}`);
    }
    const isNamespace = rt === this.nsType;
    const pending = (old.metadata.finalizers ?? []).length > 0 || isNamespace;
    if (pending) {
      if (old.metadata.deletionTimestamp) return { object: old, deleted: false };
      const next: KubeObject = structuredClone(old);
      next.metadata.deletionTimestamp = timestamp(this.d.now());
      next.metadata.deletionGracePeriodSeconds = 0;
      if (isNamespace) next['status'] = { ...(isObject(next['status']) ? next['status'] : {}), phase: 'Terminating' };
      if (opts.dryRun) return { object: next, deleted: false };
      next.metadata.resourceVersion = String(this.d.store.nextRv());
      this.d.store.commit(rt, 'MODIFIED', next, old);
      if (isNamespace) this.d.defer(() => this.terminateNamespace(name));
      return { object: next, deleted: false };
    }
    if (opts.dryRun) return { object: old, deleted: true };
    const gone: KubeObject = { ...old, metadata: { ...old.metadata, resourceVersion: String(this.d.store.nextRv()) } };
    this.d.store.commit(rt, 'DELETED', gone, old);
    this.afterDelete(rt, gone);
    return { object: gone, deleted: true };
  }

  private afterDelete(rt: ResourceType, o: KubeObject): void {
    if (!rt.namespaced || !o.metadata.namespace) return;
    const ns = this.d.store.get(this.nsType, '', o.metadata.namespace);
    if (ns?.metadata.deletionTimestamp) {
      const name = o.metadata.namespace;
      this.d.defer(() => this.finalizeNamespace(name));
    }
  }

  // The namespace controller: delete everything in the namespace, then the namespace itself
  // once nothing is left (objects with finalizers keep it Terminating).
  private terminateNamespace(name: string): void {
    for (const rt of this.d.registry.all) {
      if (!rt.namespaced) continue;
      for (const o of this.d.store.list(rt, name)) {
        if (o.metadata.deletionTimestamp) continue;
        this.delete(rt, name, o.metadata.name ?? '');
      }
    }
    this.finalizeNamespace(name);
  }

  private finalizeNamespace(name: string): void {
    const ns = this.d.store.get(this.nsType, '', name);
    if (!ns?.metadata.deletionTimestamp) return;
    for (const rt of this.d.registry.all) if (rt.namespaced && this.d.store.count(rt, name) > 0) return;
    const gone: KubeObject = structuredClone(ns);
    gone.metadata.resourceVersion = String(this.d.store.nextRv());
    const spec = gone['spec'];
    if (isObject(spec)) spec['finalizers'] = [];
    this.d.store.commit(this.nsType, 'DELETED', gone, ns);
  }
}
