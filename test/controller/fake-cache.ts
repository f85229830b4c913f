// An in-memory informer cache whose changes the test drives, and a fake PatchApi that applies
// merge patches to it the way the API server and the watch would (resourceVersion bumped, a
// stale metadata.resourceVersion refused with 409).
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { WatchedCache } from '../../lib/controller/controller.ts';
import type { MergePatch, PatchApi } from '../../lib/controller/patch-api.ts';
import { StatusError } from '../../lib/kube/api-errors.ts';
import type { InformerHandlers } from '../../lib/kube/informer.ts';

type Named = { metadata?: { name?: string; namespace?: string; resourceVersion?: string } };

export class FakeCache<T extends Named> implements WatchedCache<T> {
  readonly items = new Map<string, T>();
  readonly handlers: InformerHandlers<T>[] = [];
  static key(o: Named): string {
    const ns = o.metadata?.namespace;
    return ns === undefined ? (o.metadata?.name ?? '') : `${ns}/${o.metadata?.name ?? ''}`;
  }
  get(key: string): T | undefined {
    return this.items.get(key);
  }
  list(): T[] {
    return [...this.items.values()];
  }
  addHandlers(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
  }
  hasSynced(): boolean {
    return true;
  }
  waitForSync(): Promise<void> {
    return Promise.resolve();
  }
  set(object: T): void {
    const key = FakeCache.key(object);
    const old = this.items.get(key);
    this.items.set(key, object);
    for (const h of this.handlers) {
      if (old === undefined) h.add?.(object);
      else h.update?.(old, object);
    }
  }
  remove(object: T): void {
    this.items.delete(FakeCache.key(object));
    for (const h of this.handlers) h.delete?.(object);
  }
}

/** RFC 7386 merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return structuredClone(patch);
  const base: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete base[key];
    else base[key] = mergePatch(base[key], value);
  }
  return base;
}

let rv = 100;

export class FakePatchApi implements PatchApi {
  readonly calls: string[] = [];
  readonly patches: { what: string; patch: MergePatch }[] = [];
  /** Errors the next calls reject with (then the call is not applied). */
  readonly failures: Error[] = [];
  readonly claims: FakeCache<V1PersistentVolumeClaim>;
  readonly volumes: FakeCache<V1PersistentVolume>;
  constructor(claims: FakeCache<V1PersistentVolumeClaim>, volumes: FakeCache<V1PersistentVolume>) {
    this.claims = claims;
    this.volumes = volumes;
  }
  patchVolume(name: string, patch: MergePatch): Promise<V1PersistentVolume> {
    this.calls.push(`patch pv ${name}`);
    this.patches.push({ what: `pv ${name}`, patch });
    const failure = this.failures.shift();
    if (failure !== undefined) return Promise.reject(failure);
    const current = this.volumes.get(name);
    if (current === undefined) return Promise.reject(new StatusError(404, 'not found'));
    const next = mergePatch(current, patch) as V1PersistentVolume;
    next.metadata = { ...next.metadata, resourceVersion: String(++rv) };
    this.volumes.set(next);
    return Promise.resolve(next);
  }
  patchClaimStatus(namespace: string, name: string, patch: MergePatch): Promise<V1PersistentVolumeClaim> {
    this.calls.push(`patch claim status ${namespace}/${name}`);
    this.patches.push({ what: `claim ${namespace}/${name}`, patch });
    const failure = this.failures.shift();
    if (failure !== undefined) return Promise.reject(failure);
    const current = this.claims.get(`${namespace}/${name}`);
    if (current === undefined) return Promise.reject(new StatusError(404, 'not found'));
    const wanted = (patch['metadata'] as { resourceVersion?: string } | undefined)?.resourceVersion;
    if (wanted !== undefined && wanted !== current.metadata?.resourceVersion) return Promise.reject(new StatusError(409, 'the object has been modified'));
    const next = mergePatch(current, { status: patch['status'] }) as V1PersistentVolumeClaim;
    next.metadata = { ...next.metadata, resourceVersion: String(++rv) };
    this.claims.set(next);
    return Promise.resolve(next);
  }
}
