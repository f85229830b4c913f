import t from 'tap';
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { claimWantsResize, decideResize, withResizeConditions } from '../../lib/controller/resize-decision.ts';
import { OURS } from './fixtures.ts';

function bound(request: string, capacity: string, status: Partial<NonNullable<V1PersistentVolumeClaim['status']>> = {}): V1PersistentVolumeClaim {
  return {
    metadata: { name: 'data', namespace: 'default', uid: 'uid-data', resourceVersion: '10' },
    spec: { volumeName: 'pvc-uid-data', resources: { requests: { storage: request } } },
    status: { phase: 'Bound', capacity: { storage: capacity }, ...status },
  };
}

function pv(capacity: string, extra: { by?: string; uid?: string } = {}): V1PersistentVolume {
  return {
    metadata: { name: 'pvc-uid-data', annotations: { 'pv.kubernetes.io/provisioned-by': extra.by ?? OURS } },
    spec: { capacity: { storage: capacity }, claimRef: { namespace: 'default', name: 'data', uid: extra.uid ?? 'uid-data' } },
  };
}

void t.test('a grown claim of ours: mark, grow the PV, finish', (t) => {
  t.same(decideResize(bound('2Mi', '1Mi'), pv('1Mi'), OURS), { action: 'resize', pvName: 'pvc-uid-data', target: '2Mi', markInProgress: true, growVolume: true });
  t.ok(claimWantsResize(bound('2Mi', '1Mi')));
  t.end();
});

void t.test('nothing to do: same or smaller request, not Bound, not ours, another claim, being deleted', (t) => {
  t.equal(decideResize(bound('1Mi', '1Mi'), pv('1Mi'), OURS).action, 'none');
  t.equal(decideResize(bound('1048576', '1Mi'), pv('1Mi'), OURS).action, 'none', 'equal in other notation');
  t.equal(decideResize(bound('1Mi', '2Mi'), pv('2Mi'), OURS).action, 'none');
  t.equal(decideResize({ ...bound('2Mi', '1Mi'), status: { phase: 'Pending' } }, pv('1Mi'), OURS).action, 'none');
  t.match(decideResize(bound('2Mi', '1Mi'), pv('1Mi', { by: 'someone-else' }), OURS), { action: 'none', reason: /not provisioned by/ });
  t.match(decideResize(bound('2Mi', '1Mi'), pv('1Mi', { uid: 'other' }), OURS), { action: 'none', reason: /not bound to this claim/ });
  const deleting = bound('2Mi', '1Mi');
  deleting.metadata = { ...deleting.metadata, deletionTimestamp: new Date() };
  t.equal(decideResize(deleting, pv('1Mi'), OURS).action, 'none');
  t.equal(decideResize(bound('lots', '1Mi'), pv('1Mi'), OURS).action, 'none', 'an unreadable request');
  t.notOk(claimWantsResize(bound('1Mi', '1Mi')));
  t.end();
});

void t.test('PV not cached yet: wait', (t) => {
  t.equal(decideResize(bound('2Mi', '1Mi'), undefined, OURS).action, 'wait');
  t.end();
});

void t.test('after a crash between the PV write and the claim write, only the claim is left', (t) => {
  const marked = bound('2Mi', '1Mi', {
    conditions: [{ type: 'Resizing', status: 'True' }],
    allocatedResources: { storage: '2Mi' },
    allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' },
  });
  t.same(decideResize(marked, pv('2Mi'), OURS), { action: 'resize', pvName: 'pvc-uid-data', target: '2Mi', markInProgress: false, growVolume: false });
  t.same(decideResize(marked, pv('2097152'), OURS), { action: 'resize', pvName: 'pvc-uid-data', target: '2097152', markInProgress: false, growVolume: false }, 'the PV spells it differently: its size is kept');
  t.end();
});

void t.test('after a crash between the mark and the PV write, the PV is grown without marking again', (t) => {
  const marked = bound('2Mi', '1Mi', {
    conditions: [{ type: 'Resizing', status: 'True' }],
    allocatedResources: { storage: '2Mi' },
    allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' },
  });
  t.match(decideResize(marked, pv('1Mi'), OURS), { action: 'resize', markInProgress: false, growVolume: true });
  t.end();
});

void t.test('grown again while marked for a smaller size: marked again for the new one', (t) => {
  const marked = bound('3Mi', '1Mi', {
    conditions: [{ type: 'Resizing', status: 'True' }],
    allocatedResources: { storage: '2Mi' },
    allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' },
  });
  t.match(decideResize(marked, pv('2Mi'), OURS), { action: 'resize', target: '3Mi', markInProgress: true, growVolume: true });
  t.end();
});

void t.test('resize conditions are replaced, others kept', (t) => {
  const conditions = [
    { type: 'ModifyingVolume', status: 'True' },
    { type: 'Resizing', status: 'True' },
    { type: 'ControllerResizeError', status: 'True' },
  ];
  t.same(withResizeConditions(conditions, []), [{ type: 'ModifyingVolume', status: 'True' }]);
  t.same(withResizeConditions(conditions, [{ type: 'Resizing', status: 'True', lastTransitionTime: 'x' }]), [
    { type: 'ModifyingVolume', status: 'True' },
    { type: 'Resizing', status: 'True', lastTransitionTime: 'x' },
  ]);
  t.same(withResizeConditions(undefined, []), []);
  t.end();
});
