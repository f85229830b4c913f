// The PV record sees a PV that lived only for a moment (created and deleted before anyone could
// list it), on the cluster the e2e tests use: that is what "each claim bound once" relies on.
import t from 'tap';
import { startCluster } from '../../harness/cluster.ts';
import { clusterChoice, requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import { makeControllerClients } from '../../harness/controllers/kube-clients.ts';
import { KubeRest, SUITE_USER_AGENT } from './kube-rest.ts';
import { PROVISIONED_BY, startPvRecord } from './pv-record.ts';

const NAME = 'test.example/nfs';

function pv(name: string, claimUid: string, provisioner = NAME): unknown {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, annotations: { [PROVISIONED_BY]: provisioner } },
    spec: {
      capacity: { storage: '1Mi' },
      accessModes: ['ReadWriteMany'],
      nfs: { server: '127.0.0.1', path: '/export' },
      claimRef: { namespace: 'default', name: `claim-${name}`, uid: claimUid },
    },
  };
}

void t.test('a PV created and deleted at once is recorded; others are not', async (t) => {
  if (!requireClusterOrSkip(t)) return;
  const cluster = await startCluster({ kind: clusterChoice().kind, controllers: false, controlPlane: { controllerManager: false } });
  t.teardown(() => cluster.stop());
  const api = new KubeRest(cluster.kubeconfigPath);
  t.teardown(() => api.close());
  const record = startPvRecord(api, makeControllerClients(cluster.kubeconfigPath, SUITE_USER_AGENT).watch, NAME, () => undefined);
  t.teardown(() => record.stop());
  await record.started;
  await api.must('POST', '/api/v1/persistentvolumes', pv('brief', 'uid-1'));
  await api.must('DELETE', '/api/v1/persistentvolumes/brief');
  await api.must('POST', '/api/v1/persistentvolumes', pv('someone-elses', 'uid-2', 'other.example/nfs'));
  await api.must('POST', '/api/v1/persistentvolumes', pv('last', 'uid-3'));
  const deadline = Date.now() + 10_000;
  while (record.creations.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.same(record.creations, [{ pvName: 'brief', claimUid: 'uid-1' }, { pvName: 'last', claimUid: 'uid-3' }]);
  t.equal(record.relists(), 0, 'no relist, so no gap');
});
