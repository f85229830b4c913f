// The Event columns of the real server's printer (printEvent), for both Event APIs: the real
// server converts events.k8s.io/v1 Events to its internal (core-shaped) Event before printing,
// so regarding/note/deprecated* show under the core names.
import type { KubeObject } from './json.ts';
import { isObject } from './json.ts';
import type { Column } from './table-column.ts';
import { s, since } from './table-column.ts';

interface EventView {
  kind: string;
  name: string;
  fieldPath: string;
  type: string;
  reason: string;
  message: string;
  component: string;
  host: string;
  reportingController: string;
  reportingInstance: string;
  firstTimestamp: string;
  lastTimestamp: string;
  eventTime: string;
  count: number;
  series: { count: number; lastObservedTime: string } | undefined;
}

function view(o: KubeObject): EventView {
  const v1 = o.apiVersion === 'events.k8s.io/v1';
  const ref = v1 ? 'regarding' : 'involvedObject';
  const series = o['series'];
  return {
    kind: s(o, ref, 'kind'),
    name: s(o, ref, 'name'),
    fieldPath: s(o, ref, 'fieldPath'),
    type: s(o, 'type'),
    reason: s(o, 'reason'),
    message: s(o, v1 ? 'note' : 'message'),
    component: s(o, v1 ? 'deprecatedSource' : 'source', 'component'),
    host: s(o, v1 ? 'deprecatedSource' : 'source', 'host'),
    reportingController: s(o, v1 ? 'reportingController' : 'reportingComponent'),
    reportingInstance: s(o, 'reportingInstance'),
    firstTimestamp: s(o, v1 ? 'deprecatedFirstTimestamp' : 'firstTimestamp'),
    lastTimestamp: s(o, v1 ? 'deprecatedLastTimestamp' : 'lastTimestamp'),
    eventTime: s(o, 'eventTime'),
    count: Number(s(o, v1 ? 'deprecatedCount' : 'count') || 0),
    series: isObject(series) ? { count: Number(s(series, 'count') || 0), lastObservedTime: s(series, 'lastObservedTime') } : undefined,
  };
}

const firstSeen = (e: EventView, now: Date): string => (e.firstTimestamp ? since(e.firstTimestamp, now) : since(e.eventTime, now));
const lastSeen = (e: EventView, now: Date): string => {
  if (e.series) return since(e.series.lastObservedTime, now);
  return e.lastTimestamp ? since(e.lastTimestamp, now) : firstSeen(e, now);
};
// Singleton events of the new API carry no count.
const count = (e: EventView): number => (e.series ? e.series.count : e.count || 1);
const source = (e: EventView): string => {
  const component = e.component || e.reportingController;
  const instance = e.host || e.reportingInstance;
  return instance ? `${component}, ${instance}` : component;
};

const col = (name: string, cell: (e: EventView, now: Date) => string | number, priority = 0): Column => ({ name, priority, cell: (o, now) => cell(view(o), now) });

export const eventColumns: Column[] = [
  col('Last Seen', lastSeen),
  col('Type', (e) => e.type),
  col('Reason', (e) => e.reason),
  col('Object', (e) => (e.name ? `${e.kind.toLowerCase()}/${e.name}` : e.kind.toLowerCase())),
  col('Subobject', (e) => e.fieldPath, 1),
  col('Source', source, 1),
  col('Message', (e) => e.message.trim()),
  col('First Seen', firstSeen, 1),
  col('Count', count, 1),
  { name: 'Name', priority: 1, cell: (o) => o.metadata.name ?? '' },
];
