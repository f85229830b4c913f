// The object store: per resource, per namespace maps of immutable objects; one resourceVersion
// counter across every kind (as etcd's revision); a history ring and listeners per resource.
import { HistoryRing } from './history-ring.ts';
import type { EventType, StoreEvent } from './history-ring.ts';
import type { KubeObject } from './json.ts';
import type { ResourceType } from './resource-type.ts';
import { resourceKey } from './resource-type.ts';
import { expired } from './status-errors.ts';

export type Listener = (ev: StoreEvent) => void;

class ResourceTable {
  readonly objects = new Map<string, Map<string, KubeObject>>();
  readonly history: HistoryRing;
  readonly listeners = new Set<Listener>();
  constructor(historySize: number) {
    this.history = new HistoryRing(historySize);
  }
}

const objectKey = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export class Store {
  private rv: number;
  private readonly tables = new Map<string, ResourceTable>();
  private readonly historySize: number;

  constructor(historySize: number, startRv = 1) {
    this.historySize = historySize;
    this.rv = startRv;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  private table(rt: ResourceType): ResourceTable {
    const key = resourceKey(rt.group, rt.plural);
    let t = this.tables.get(key);
    if (!t) {
      t = new ResourceTable(this.historySize);
      this.tables.set(key, t);
    }
    return t;
  }

  get(rt: ResourceType, namespace: string, name: string): KubeObject | undefined {
    return this.table(rt).objects.get(namespace)?.get(name);
  }

  // Current objects, sorted by namespace/name like etcd keys. namespace undefined = all.
  list(rt: ResourceType, namespace: string | undefined): KubeObject[] {
    const t = this.table(rt);
    const out: KubeObject[] = [];
    if (namespace !== undefined) {
      const m = t.objects.get(namespace);
      if (m) out.push(...m.values());
    } else {
      for (const m of t.objects.values()) out.push(...m.values());
    }
    return out.sort((a, b) => (objectKey(a) < objectKey(b) ? -1 : objectKey(a) > objectKey(b) ? 1 : 0));
  }

  count(rt: ResourceType, namespace: string): number {
    return this.table(rt).objects.get(namespace)?.size ?? 0;
  }

  // Objects as they were at resourceVersion `at` (for continue tokens and Exact lists).
  listAt(rt: ResourceType, namespace: string | undefined, at: number): KubeObject[] {
    const t = this.table(rt);
    if (at < t.history.compactedRv) {
      throw expired(`too old resource version: ${at} (${t.history.compactedRv})`);
    }
    const byKey = new Map(this.list(rt, namespace).map((o) => [objectKey(o), o]));
    const later = t.history.since(at).reverse();
    for (const ev of later) {
      if (namespace !== undefined && (ev.object.metadata.namespace ?? '') !== namespace) continue;
      const key = objectKey(ev.object);
      if (ev.type === 'ADDED') byKey.delete(key);
      else if (ev.prev) byKey.set(key, ev.prev);
    }
    return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o);
  }

  // Events after `after`; 410 Expired when the history no longer reaches back that far.
  eventsSince(rt: ResourceType, after: number): StoreEvent[] {
    const h = this.table(rt).history;
    if (after < h.compactedRv) throw expired(`too old resource version: ${after} (${h.compactedRv})`);
    return h.since(after);
  }

  // Writes `obj` (already carrying its new resourceVersion via nextRv) and notifies listeners.
  nextRv(): number {
    return ++this.rv;
  }

  commit(rt: ResourceType, type: EventType, obj: KubeObject, prev: KubeObject | undefined): StoreEvent {
    const t = this.table(rt);
    const ns = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    let m = t.objects.get(ns);
    if (!m) {
      m = new Map();
      t.objects.set(ns, m);
    }
    if (type === 'DELETED') {
      m.delete(name);
      if (m.size === 0) t.objects.delete(ns);
    } else m.set(name, obj);
    const ev: StoreEvent = { type, rv: Number(obj.metadata.resourceVersion), object: obj, prev };
    t.history.push(ev);
    for (const l of t.listeners) l(ev);
    return ev;
  }

  subscribe(rt: ResourceType, l: Listener): () => void {
    const t = this.table(rt);
    t.listeners.add(l);
    return () => t.listeners.delete(l);
  }
}
