import t from 'tap';
import { withoutManagedFields } from '../../lib/kube/cache-transform.ts';

void t.test('managedFields go, labels, annotations, spec and status stay', (t) => {
  const claim = {
    metadata: {
      name: 'data',
      labels: { team: 'a' },
      annotations: { path: 'x' },
      managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }],
    },
    spec: { storageClassName: 'nfs-client' },
    status: { phase: 'Pending' },
  };
  t.same(withoutManagedFields(claim), {
    metadata: { name: 'data', labels: { team: 'a' }, annotations: { path: 'x' } },
    spec: { storageClassName: 'nfs-client' },
    status: { phase: 'Pending' },
  });
  t.same(withoutManagedFields({ metadata: { name: 'plain' } }), { metadata: { name: 'plain' } }, 'objects without it are unchanged');
  t.end();
});
