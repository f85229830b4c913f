import t from 'tap';
import { decideVolume } from '../../lib/controller/volume-decision.ts';
import { OURS, volume } from './fixtures.ts';

void t.test('volume decision table', (t) => {
  const table: [string, ReturnType<typeof volume>, string, boolean?][] = [
    ['Released, Delete, ours', volume('a'), 'reclaim', true],
    ['Bound', volume('a', { phase: 'Bound' }), 'ignore'],
    ['Available', volume('a', { phase: 'Available' }), 'ignore'],
    ['Released, Retain', volume('a', { policy: 'Retain' }), 'ignore'],
    ['Released, not ours', volume('a', { by: 'other.io/x' }), 'ignore'],
    ['deleting with our finalizer (crash mid-reclaim)', volume('a', { deleting: true }), 'reclaim', false],
    ['deleting, Retain, our finalizer', volume('a', { deleting: true, policy: 'Retain' }), 'release-finalizer'],
    ['deleting without our finalizer', volume('a', { deleting: true, finalizers: ['kubernetes.io/pv-protection'] }), 'ignore'],
    ['deleting but still Bound', volume('a', { deleting: true, phase: 'Bound' }), 'ignore'],
  ];
  for (const [name, pv, action, deletePv] of table) {
    const decision = decideVolume(pv, OURS);
    t.equal(decision.action, action, name);
    if (deletePv !== undefined && decision.action === 'reclaim') t.equal(decision.deletePv, deletePv, `${name}: delete the PV object`);
  }
  t.end();
});
