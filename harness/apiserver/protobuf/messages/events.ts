// k8s.io/api/events/v1 messages (events/v1/generated.proto): the Event of the newer events API.
import { message } from '../schema.ts';
import { EventSource, ObjectReference } from './core.ts';
import { ObjectMeta } from './meta.ts';

const P = 'k8s.io.api.events.v1';

export const Event = message(`${P}.Event`, {
  1: ['metadata', ObjectMeta],
  2: ['eventTime', 'microTime', 'keep'],
  3: ['series', message(`${P}.EventSeries`, { 1: ['count', 'int32', 'keep'], 2: ['lastObservedTime', 'microTime', 'keep'] })],
  4: ['reportingController', 'string'],
  5: ['reportingInstance', 'string'],
  6: ['action', 'string'],
  7: ['reason', 'string'],
  8: ['regarding', ObjectReference],
  9: ['related', ObjectReference],
  10: ['note', 'string'],
  11: ['type', 'string'],
  12: ['deprecatedSource', EventSource],
  13: ['deprecatedFirstTimestamp', 'time'],
  14: ['deprecatedLastTimestamp', 'time'],
  15: ['deprecatedCount', 'int32'],
});
