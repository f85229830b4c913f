// Expansion end to end: a claim of ours grows 1Mi -> 2Mi and the provisioner records it on the
// PV and the claim, as the external-resizer does. Written to hold on the real control plane
// (kube-apiserver's PersistentVolumeClaimResize admission, kube-controller-manager's expand
// controller) and on the local harness (which has neither: there the claim's spec simply grows).
import t from 'tap';
import type { CoreV1Api, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { eventually, PROVISIONER_UA, setupE2E } from './helpers/e2e.ts';
import type { E2E } from './helpers/e2e.ts';

/** The lead's real control plane exposes `cluster.kind === 'real'`; the harness has no such field yet. */
function isRealControlPlane(e2e: E2E): boolean {
  return (e2e.cluster as { kind?: unknown }).kind === 'real';
}

async function createNamespace(core: CoreV1Api, name: string): Promise<void> {
  await core.createNamespace({ body: { metadata: { name } } });
}

/**
 * Read, change, write again on 409, as client-go's RetryOnConflict (and kubectl edit): on the real
 * control plane kube-controller-manager may write the claim between our read and our write.
 */
async function retryOnConflict(write: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return;
    } catch (error: unknown) {
      if ((error as { code?: number }).code !== 409 || attempt >= 10) throw error;
    }
  }
}

async function grow(core: CoreV1Api, namespace: string, name: string, storage: string): Promise<void> {
  await retryOnConflict(async () => {
    const claim = await core.readNamespacedPersistentVolumeClaim({ namespace, name });
    await core.replaceNamespacedPersistentVolumeClaim({ namespace, name, body: { ...claim, spec: { ...claim.spec, resources: { requests: { storage } } } } });
  });
}

const capacity = (claim: V1PersistentVolumeClaim): string | undefined => claim.status?.capacity?.['storage'];

void t.test('a claim grown from 1Mi to 2Mi shows 2Mi in status.capacity and on its PV', async (t) => {
  const e2e = await setupE2E(t);
  const ns = 'expand-grow';
  await createNamespace(e2e.core, ns);
  await e2e.createClass('nfs-expand', undefined, { allowVolumeExpansion: true });
  await e2e.provisioner({ env: { USAGE_INTERVAL: '0' } });
  await e2e.createClaim('data', { namespace: ns, storageClassName: 'nfs-expand', storage: '1Mi' });
  const { pv } = await e2e.waitBound('data', ns);
  const pvName = pv.metadata?.name ?? '';
  t.equal(pv.spec?.capacity?.['storage'], '1Mi');

  await grow(e2e.core, ns, 'data', '2Mi');
  const claim = await eventually('status.capacity 2Mi', async () => {
    const c = await e2e.core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: 'data' });
    return capacity(c) === '2Mi' && c;
  });
  t.equal((await e2e.readPv(pvName))?.spec?.capacity?.['storage'], '2Mi', 'the PV shows 2Mi');
  t.same((claim.status?.conditions ?? []).filter((c) => ['Resizing', 'FileSystemResizePending', 'ControllerResizeError'].includes(c.type)), [], 'resize conditions cleared');
  t.equal(claim.status?.allocatedResourceStatuses?.['storage'], undefined, 'no resize in progress');
  const success = await e2e.waitEvent({ name: 'data', namespace: ns, reason: 'VolumeResizeSuccessful' });
  t.equal(success.message, 'Resize volume succeeded');
  t.equal(success.type, 'Normal');
  const resizing = await e2e.waitEvent({ name: 'data', namespace: ns, reason: 'Resizing' });
  t.equal(resizing.message, `External resizer is resizing volume ${pvName}`);
  await e2e.checkSentinel(t);
});

void t.test('a crash between the PV write and the claim write is finished by the next run', async (t) => {
  const e2e = await setupE2E(t);
  const ns = 'expand-crash';
  await createNamespace(e2e.core, ns);
  await e2e.createClass('nfs-expand', undefined, { allowVolumeExpansion: true });
  const first = await e2e.provisioner({ env: { USAGE_INTERVAL: '0' } });
  await e2e.createClaim('data', { namespace: ns, storageClassName: 'nfs-expand', storage: '1Mi' });
  const { pv } = await e2e.waitBound('data', ns);
  const pvName = pv.metadata?.name ?? '';
  first.kill(); // kill -9: nothing of ours runs while the crash state is laid down
  await first.exited;

  // Exactly what a provisioner killed right after its PV write leaves behind: the claim grown and
  // marked Resizing (allocatedResources 2Mi, ControllerResizeInProgress), the PV at 2Mi, the
  // claim's status.capacity still 1Mi.
  await grow(e2e.core, ns, 'data', '2Mi');
  await retryOnConflict(async () => {
    const grown = await e2e.core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: 'data' });
    await e2e.core.replaceNamespacedPersistentVolumeClaimStatus({
      namespace: ns,
      name: 'data',
      body: {
        ...grown,
        status: {
          ...grown.status,
          conditions: [{ type: 'Resizing', status: 'True', lastTransitionTime: new Date() }],
          allocatedResources: { storage: '2Mi' },
          allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' },
        },
      },
    });
  });
  const current = await e2e.readPv(pvName);
  if (current === undefined) throw new Error(`PV ${pvName} vanished`);
  await e2e.core.replacePersistentVolume({ name: pvName, body: { ...current, spec: { ...current.spec, capacity: { storage: '2Mi' } } } });
  // Nobody else finishes it: the claim stays at 1Mi without us (kube-controller-manager, and the
  // harness binder, set status.capacity only when a claim becomes Bound).
  await new Promise((resolve) => setTimeout(resolve, 1500));
  t.equal(capacity(await e2e.core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: 'data' })), '1Mi', 'still 1Mi while no provisioner runs');

  await e2e.provisioner({ env: { USAGE_INTERVAL: '0' } });
  const claim = await eventually('status.capacity 2Mi after the restart', async () => {
    const c = await e2e.core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: 'data' });
    return capacity(c) === '2Mi' && c;
  });
  t.same((claim.status?.conditions ?? []).filter((c) => c.type === 'Resizing'), [], 'Resizing cleared');
  t.equal(claim.status?.allocatedResourceStatuses?.['storage'], undefined);
  t.equal((await e2e.readPv(pvName))?.spec?.capacity?.['storage'], '2Mi');
  await e2e.waitEvent({ name: 'data', namespace: ns, reason: 'VolumeResizeSuccessful' });
  const log = (e2e.cluster as { apiServer?: { requests?: { entries(): { userAgent?: string; verb: string; resource?: string; name?: string; at?: number }[] } } }).apiServer?.requests;
  // The harness logs every request; a real kube-apiserver has no such log here.
  if (log !== undefined) {
    const ours = log.entries().filter((e) => PROVISIONER_UA.test(e.userAgent ?? '') && e.verb === 'patch' && e.resource === 'persistentvolumes' && e.name === pvName);
    t.same(ours, [], 'the PV write was not repeated: only the claim was left to do');
  }
});

void t.test('a class without allowVolumeExpansion is refused by the API server, not by us', async (t) => {
  const e2e = await setupE2E(t);
  if (!isRealControlPlane(e2e)) {
    t.pass('the API server refuses the resize', { skip: 'needs the real kube-apiserver (PersistentVolumeClaimResize admission); the local harness enforces no allowVolumeExpansion' });
    return;
  }
  const ns = 'expand-refused';
  await createNamespace(e2e.core, ns);
  await e2e.createClass('nfs-fixed', undefined, { allowVolumeExpansion: false });
  await e2e.provisioner({ env: { USAGE_INTERVAL: '0' } });
  await e2e.createClaim('data', { namespace: ns, storageClassName: 'nfs-fixed', storage: '1Mi' });
  await e2e.waitBound('data', ns);
  const error = await grow(e2e.core, ns, 'data', '2Mi').then(
    () => undefined,
    (e: unknown) => e,
  );
  t.equal((error as { code?: unknown } | undefined)?.code, 403, 'Forbidden by admission');
  // client-node's ApiException carries the API server's Status in its message.
  t.match(error instanceof Error ? error.message : JSON.stringify(error), /only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize/);
  const claim = await e2e.core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: 'data' });
  t.equal(claim.spec?.resources?.requests?.['storage'], '1Mi');
  t.same(await e2e.events({ namespace: ns, name: 'data', reason: 'VolumeResizeFailed' }), [], 'nothing of ours was involved');
});
