// A fixed-size ring of the latest watch events of one resource: watches resume from it and
// paginated lists rebuild their snapshot from it. Anything older is "compacted" (410 Gone).
import type { KubeObject } from './json.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  rv: number;
  object: KubeObject;
  // State before this event (MODIFIED, DELETED); undefined for ADDED.
  prev: KubeObject | undefined;
  // Serialized object, computed once and shared by every watcher.
  json?: string;
}

export class HistoryRing {
  private readonly buf: (StoreEvent | undefined)[];
  private start = 0;
  private len = 0;
  // The resourceVersion of the newest event dropped from the ring (0: nothing dropped yet).
  compactedRv = 0;

  constructor(capacity: number) {
    this.buf = new Array<StoreEvent | undefined>(Math.max(1, capacity));
  }

  push(ev: StoreEvent): void {
    const cap = this.buf.length;
    if (this.len === cap) {
      const dropped = this.buf[this.start];
      if (dropped) this.compactedRv = dropped.rv;
      this.buf[this.start] = ev;
      this.start = (this.start + 1) % cap;
    } else {
      this.buf[(this.start + this.len) % cap] = ev;
      this.len++;
    }
  }

  // Events with rv > after, oldest first. The caller checks `after >= compactedRv` first.
  since(after: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    const cap = this.buf.length;
    // Walk backwards until older events; the ring is ordered by rv.
    for (let i = this.len - 1; i >= 0; i--) {
      const ev = this.buf[(this.start + i) % cap];
      if (!ev || ev.rv <= after) break;
      out.push(ev);
    }
    return out.reverse();
  }
}
