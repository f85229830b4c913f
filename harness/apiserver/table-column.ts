// One column of a server-side Table (table.ts) and the cells most kinds share.
import type { KubeObject } from './json.ts';
import { getPath, scalar } from './json.ts';

export interface Column {
  name: string;
  type?: string;
  priority?: number;
  cell: (o: KubeObject, now: Date) => string | number | boolean;
}

// apimachinery's duration.HumanDuration.
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 192) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  return `${Math.floor(h / 24 / 365)}y`;
}

// The printers' translateTimestampSince: "<unknown>" for the zero time.
export const since = (timestamp: string, now: Date): string => (timestamp ? humanDuration(now.getTime() - Date.parse(timestamp)) : '<unknown>');

// A scalar at a path, as text ('' when absent).
export const s = (o: unknown, ...path: string[]): string => scalar(getPath(o, path));

export const name: Column = { name: 'Name', cell: (o) => o.metadata.name ?? '' };
export const age: Column = { name: 'Age', cell: (o, now) => since(o.metadata.creationTimestamp ?? '', now) };
