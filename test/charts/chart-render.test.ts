// What the chart renders, value by value: the Go chart's naming (fullname, provisioner name,
// selector, the export's volume) for the same release and values, the Go chart's README examples,
// the values of ours (extra exports, usage interval, metrics objects), and the values it refuses with
// a message instead of rendering something that cannot work. `helm lint` over every values file.
import { readdirSync } from 'node:fs';
import t from 'tap';
import type { V1ConfigMap, V1Container, V1Deployment, V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { findOne } from '../manifests/render.ts';
import type { KubeObject } from '../manifests/render.ts';
import { CHART_DIR, helm, HelmError, KUBE_VERSION, requireHelmOrSkip, template, valuesArgs, VALUES_DIR } from './helm.ts';
import type { RenderOptions } from './helm.ts';

function as<T>(o: KubeObject): T {
  return o as unknown as T;
}
function deployment(objects: readonly KubeObject[]): V1Deployment {
  return as<V1Deployment>(findOne(objects, 'Deployment'));
}
function container(objects: readonly KubeObject[]): V1Container {
  const c = deployment(objects).spec?.template.spec?.containers[0];
  if (c === undefined) throw new Error('no container');
  return c;
}
function env(objects: readonly KubeObject[]): Record<string, string> {
  return Object.fromEntries((container(objects).env ?? []).flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]])));
}
function kinds(objects: readonly KubeObject[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
}
/** The volume mounted at mountPath, by the name the mount uses. */
function mountedVolume(objects: readonly KubeObject[], mountPath: string): { name: string; nfs?: unknown; claim?: string; configMap?: string } | undefined {
  const spec = deployment(objects).spec?.template.spec;
  const mount = spec?.containers[0]?.volumeMounts?.find((m) => m.mountPath === mountPath);
  const volume = spec?.volumes?.find((v) => v.name === mount?.name);
  if (volume === undefined) return undefined;
  return {
    name: volume.name,
    ...(volume.nfs ? { nfs: volume.nfs } : {}),
    ...(volume.persistentVolumeClaim ? { claim: volume.persistentVolumeClaim.claimName } : {}),
    ...(volume.configMap ? { configMap: volume.configMap.name } : {}),
  };
}
async function refusal(release: string, opts: RenderOptions): Promise<string> {
  try {
    await template(release, opts);
  } catch (error: unknown) {
    if (error instanceof HelmError) return error.stderr;
    throw error;
  }
  return 'rendered without an error';
}

void t.test('helm lint passes with the defaults and every values file', async (t) => {
  if (!requireHelmOrSkip(t)) return;
  const files = readdirSync(VALUES_DIR).filter((f) => f.endsWith('.yaml'));
  t.ok(files.length >= 6, 'the values files of the chart tests');
  for (const values of [[], ...files.map((f) => [f])]) {
    const out = await helm(['lint', '--strict', CHART_DIR, '--kube-version', KUBE_VERSION, ...valuesArgs({ values })]);
    t.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/, `lint ${values.join(', ') || 'defaults'}`);
  }
});

void t.test('names come out as the Go chart makes them for the same release', async (t) => {
  if (!requireHelmOrSkip(t)) return;
  const cases = [
    // The Go README's release name contains the chart name: the fullname is the release.
    { release: 'nfs-subdir-external-provisioner', set: {}, fullname: 'nfs-subdir-external-provisioner' },
    { release: 'my-release', set: {}, fullname: 'my-release-nfs-subdir-external-provisioner' },
    { release: 'nfs', set: { nameOverride: 'nfs-client-provisioner' }, fullname: 'nfs-nfs-client-provisioner' },
    { release: 'nfs', set: { fullnameOverride: 'storage' }, fullname: 'storage' },
  ];
  for (const c of cases) {
    const objects = await template(c.release, { set: c.set });
    const name = c.set.nameOverride ?? 'nfs-subdir-external-provisioner';
    t.equal(deployment(objects).metadata?.name, c.fullname, `${c.release}: Deployment`);
    t.same(deployment(objects).spec?.selector.matchLabels, { app: name, release: c.release }, `${c.release}: the Go chart's selector, nothing more`);
    t.match(deployment(objects).spec?.template.metadata?.labels, { app: name, release: c.release }, 'the pods match it');
    t.equal(env(objects)['PROVISIONER_NAME'], `cluster.local/${c.fullname}`, `${c.release}: provisioner name`);
    t.equal(as<V1StorageClass>(findOne(objects, 'StorageClass')).provisioner, `cluster.local/${c.fullname}`, 'the class is served by it');
    t.same(
      kinds(objects).filter((k) => !k.startsWith('StorageClass/') && !k.startsWith('Service/')),
      [
        `ClusterRole/${c.fullname}-runner`,
        `ClusterRoleBinding/run-${c.fullname}`,
        `Deployment/${c.fullname}`,
        `Role/leader-locking-${c.fullname}`,
        `RoleBinding/leader-locking-${c.fullname}`,
        `ServiceAccount/${c.fullname}`,
      ],
      `${c.release}: the Go chart's object names`,
    );
  }
});

void t.test('the Go chart README examples', async (t) => {
  if (!requireHelmOrSkip(t)) return;
  const tldr = await template('nfs-subdir-external-provisioner', { values: ['go-readme-tldr.yaml'] });
  t.match(env(tldr), { NFS_SERVER: 'x.x.x.x', NFS_PATH: '/exported/path', PROVISIONER_NAME: 'cluster.local/nfs-subdir-external-provisioner' });
  t.same(mountedVolume(tldr, '/persistentvolumes'), {
    name: 'nfs-subdir-external-provisioner-root',
    nfs: { server: 'x.x.x.x', path: '/exported/path' },
  }, 'the export is an nfs volume named nfs.volumeName at /persistentvolumes, the PVs\' server and path');
  const sc = as<V1StorageClass>(findOne(tldr, 'StorageClass'));
  t.match(sc, { metadata: { name: 'nfs-client' }, parameters: { archiveOnDelete: 'true' }, reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });

  const second = await template('second-nfs-subdir-external-provisioner', { values: ['go-readme-second.yaml'] });
  t.equal(env(second)['PROVISIONER_NAME'], 'k8s-sigs.io/second-nfs-subdir-external-provisioner');
  t.match(findOne(second, 'StorageClass', 'second-nfs-client'), { provisioner: 'k8s-sigs.io/second-nfs-subdir-external-provisioner' });
  t.equal(deployment(second).metadata?.name, 'second-nfs-subdir-external-provisioner');

  const renamed = await template('nfs', { values: ['go-readme-tldr.yaml'], set: { 'nfs.volumeName': 'my-root' } });
  t.equal(mountedVolume(renamed, '/persistentvolumes')?.name, 'my-root');
});

void t.test('nfs.mountOptions: a static PV and claim carry them, as in the Go chart', async (t) => {
  if (!requireHelmOrSkip(t)) return;
  const objects = await template('nfs', { values: ['go-mount-options.yaml'] });
  const fullname = 'nfs-nfs-subdir-external-provisioner';
  t.same(mountedVolume(objects, '/persistentvolumes'), { name: 'nfs-subdir-external-provisioner-root', claim: `pvc-${fullname}` });
  const pv = as<V1PersistentVolume>(findOne(objects, 'PersistentVolume', `pv-${fullname}`));
  t.same(pv.spec?.mountOptions, ['nfsvers=3', 'hard']);
  t.same(pv.spec?.nfs, { server: '10.0.0.10', path: '/srv/nfs/kubernetes' });
  t.equal(pv.spec?.storageClassName, '', 'no class: no provisioner touches it');
  t.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Retain', 'nfs.reclaimPolicy');
  const pvc = as<V1PersistentVolumeClaim>(findOne(objects, 'PersistentVolumeClaim', `pvc-${fullname}`));
  t.same(pvc.spec?.selector?.matchLabels, { 'nfs-subdir-external-provisioner': fullname });
  t.equal(pv.metadata?.labels?.['nfs-subdir-external-provisioner'], fullname, 'the claim binds to this PV only');
  t.same(as<V1StorageClass>(findOne(objects, 'StorageClass')).mountOptions, ['nfsvers=3', 'hard'], 'provisioned PVs are mounted with them too');
  t.match(env(objects), { NFS_SERVER: '10.0.0.10', NFS_PATH: '/srv/nfs/kubernetes' });
});

void t.test('a Go values file with the Go defaults spelt out', async (t) => {
  if (!requireHelmOrSkip(t)) return;
  const objects = await template('nfs', { values: ['go-single-replica.yaml'] });
  const d = deployment(objects);
  t.equal(d.spec?.replicas, 1);
  t.same(d.spec?.strategy, { type: 'Recreate' }, 'no rollingUpdate block with Recreate (the API refuses it)');
  t.equal(env(objects)['ENABLE_LEADER_ELECTION'], 'false');
  t.match(as<V1StorageClass>(findOne(objects, 'StorageClass')), {
    parameters: { archiveOnDelete: 'false' },
    allowVolumeExpansion: true,
    metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  });
  t.notOk(as<V1StorageClass>(findOne(objects, 'StorageClass')).parameters?.['pathPattern'], 'a null pathPattern renders none');
  t.match(findOne(objects, 'PodDisruptionBudget'), { apiVersion: 'policy/v1', spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'nfs-subdir-external-provisioner', release: 'nfs' } } } });
  // Helm merges `{}` over a default map: the pod keeps running as root with capabilities dropped.
  t.match(d.spec?.template.spec?.securityContext, { runAsUser: 0 }, 'podSecurityContext: {} keeps ours');
  t.match(container(objects).securityContext, { capabilities: { drop: ['ALL'] } }, 'securityContext: {} keeps ours');
  t.match(container(objects).resources, { requests: { memory: '160Mi' } }, 'resources: {} keeps ours');
});

void t.test('extraExports: the exports file, the mounts and a class per export', async (t) => {
  if (!requireHelmOrSkip(t)) return;
  const objects = await template('nfs', { values: ['two-exports.yaml'] });
  const cm = as<V1ConfigMap>(findOne(objects, 'ConfigMap', 'nfs-nfs-subdir-external-provisioner-exports'));
  t.same(parse(cm.data?.['exports.yaml'] ?? ''), {
    exports: [{ name: 'second', server: '10.0.0.11', path: '/srv/nfs/second', mountPath: '/persistentvolumes-second', fsTimeout: '20s', fsConcurrency: 4 }],
  }, 'only the fields the provisioner reads (it refuses unknown ones)');
  t.equal(env(objects)['NFS_EXPORTS_FILE'], '/etc/nfs-provisioner/exports.yaml');
  t.same(mountedVolume(objects, '/etc/nfs-provisioner'), { name: 'exports-file', configMap: cm.metadata?.name });
  t.same(mountedVolume(objects, '/persistentvolumes-second'), { name: 'export-second', nfs: { server: '10.0.0.11', path: '/srv/nfs/second' } });
  t.same(mountedVolume(objects, '/persistentvolumes'), { name: 'nfs-subdir-external-provisioner-root', nfs: { server: '10.0.0.10', path: '/srv/nfs/kubernetes' } }, 'the default export as before');
  const second = as<V1StorageClass>(findOne(objects, 'StorageClass', 'nfs-second'));
  t.same(second.parameters, { archiveOnDelete: 'false', export: 'second' });
  t.equal(second.provisioner, env(objects)['PROVISIONER_NAME']);
  t.same(as<V1StorageClass>(findOne(objects, 'StorageClass', 'nfs-client')).parameters, { archiveOnDelete: 'true' }, 'the main class names no export');

  const checksum = (o: readonly KubeObject[]): string | undefined => deployment(o).spec?.template.metadata?.annotations?.['checksum/exports'];
  const moved = await template('nfs', { values: ['two-exports.yaml'], set: { 'extraExports[0].path': '/srv/nfs/moved' } });
  t.ok(checksum(objects), 'the pod template carries a checksum of the file');
  t.not(checksum(moved), checksum(objects), 'a changed exports file rolls the pods (it is read at start)');
  t.notOk(checksum(await template('nfs')), 'no exports, no checksum');
});

void t.test('usageInterval, logLevel and extraEnv reach the environment', async (t) => {
  if (!requireHelmOrSkip(t)) return;
  t.notOk(env(await template('nfs'))['USAGE_INTERVAL'], 'unset by default: the provisioner\'s own default');
  const objects = await template('nfs', { values: ['everything-on.yaml'] });
  t.match(env(objects), { USAGE_INTERVAL: '5m', LOG_LEVEL: 'debug', FS_TIMEOUT: '20s', UV_THREADPOOL_SIZE: '32', PROVISIONER_NAME: 'example.com/nfs' });
  t.same(mountedVolume(objects, '/mnt/third'), { name: 'export-third', claim: 'pvc-nfs-nfs-subdir-external-provisioner-third' }, 'an extra export with mountOptions goes through a static claim');
  t.same(as<V1PersistentVolume>(findOne(objects, 'PersistentVolume', 'pv-nfs-nfs-subdir-external-provisioner-third')).spec?.mountOptions, ['nfsvers=3']);
});

void t.test('the optional objects: only the metrics Service by default', async (t) => {
  if (!requireHelmOrSkip(t)) return;
  const defaults = await template('nfs');
  t.same(kinds(defaults).map((k) => k.split('/')[0]), ['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Role', 'RoleBinding', 'Service', 'ServiceAccount', 'StorageClass']);
  t.match(findOne(defaults, 'Service'), {
    metadata: { name: 'nfs-nfs-subdir-external-provisioner-metrics' },
    spec: { selector: { app: 'nfs-subdir-external-provisioner', release: 'nfs' }, ports: [{ name: 'http-metrics', port: 8080, targetPort: 'http-metrics' }] },
  });
  t.equal(container(defaults).ports?.[0]?.containerPort, 8080, 'the port HTTP_LISTEN defaults to');
  t.notOk(kinds(await template('nfs', { set: { 'metrics.service.enabled': 'false' } })).some((k) => k.startsWith('Service/')));

  const all = await template('nfs', { values: ['everything-on.yaml'] });
  const service = findOne(all, 'Service');
  const monitor = findOne(all, 'ServiceMonitor');
  t.match(monitor, { apiVersion: 'monitoring.coreos.com/v1', metadata: { labels: { release: 'kube-prometheus-stack' } }, spec: { endpoints: [{ port: 'http-metrics', honorLabels: true }] } });
  const selector = (monitor['spec'] as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
  t.match(service.metadata['labels'], selector, 'the ServiceMonitor selects the metrics Service');
  const rule = findOne(all, 'PrometheusRule');
  t.match(rule, { apiVersion: 'monitoring.coreos.com/v1', metadata: { labels: { release: 'kube-prometheus-stack' } } });
  const alerts = (rule['spec'] as { groups: Array<{ rules: Array<{ alert: string; labels: Record<string, string>; expr: string }> }> }).groups.flatMap((g) => g.rules);
  t.equal(alerts.length, 8, 'every alert on by default');
  for (const a of alerts) {
    t.match(a.labels, { team: 'storage' }, `${a.alert}: alertLabels`);
    t.match(a.expr, 'job="nfs-nfs-subdir-external-provisioner-metrics"', `${a.alert}: scoped to the ServiceMonitor's job`);
  }
  const dashboard = as<V1ConfigMap>(findOne(all, 'ConfigMap', 'nfs-nfs-subdir-external-provisioner-dashboard'));
  t.equal(dashboard.metadata?.labels?.['grafana_dashboard'], '1', 'the sidecar\'s label');
  t.match(JSON.parse(dashboard.data?.['nfs-provisioner.json'] ?? '{}'), { uid: 'nfs-provisioner-ts', panels: Array });
  t.same(deployment(all).spec?.template.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms.length, 1, 'affinity replaces the default anti-affinity');

  const scoped = await template('nfs', { set: { 'metrics.prometheusRule.enabled': 'true', 'metrics.prometheusRule.selector': 'namespace="storage"', 'metrics.prometheusRule.rules.noLeader.enabled': 'false' } });
  const scopedAlerts = (findOne(scoped, 'PrometheusRule')['spec'] as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }).groups.flatMap((g) => g.rules);
  t.notOk(scopedAlerts.some((a) => a.alert === 'NfsProvisionerNoLeader'), 'an alert can be turned off');
  t.ok(scopedAlerts.every((a) => a.expr.includes('{namespace="storage"')), 'the selector is the user\'s');
});

void t.test('values that cannot work are refused with the fix', async (t) => {
  if (!requireHelmOrSkip(t)) return;
  t.match(await refusal('nfs', { set: { 'image.repository': 'registry.k8s.io/sig-storage/nfs-subdir-external-provisioner', 'image.tag': 'v4.0.2' } }),
    /Go provisioner's image .* remove image.repository and image.tag/);
  t.match(await refusal('nfs', { set: { 'image.tag': 'v4.0.2' } }), /image.tag v4.0.2 is a tag of the Go provisioner/);
  t.match(await refusal('nfs', { set: { 'leaderElection.enabled': 'false' } }), /replicaCount > 1: every replica would provision/);
  t.match(await refusal('nfs', { set: { 'nfs.server': 'null' } }), /nfs.server is required/);
  t.match(await refusal('nfs', { set: { 'extraExports[0].name': 'default', 'extraExports[0].server': 'a', 'extraExports[0].path': '/b' } }), /"default" is used twice/);
  t.match(await refusal('nfs', { set: { 'extraExports[0].name': 'Second', 'extraExports[0].server': 'a', 'extraExports[0].path': '/b' } }), /must be a DNS label/);
  t.match(await refusal('nfs', { set: { 'extraExports[0].name': 'second', 'extraExports[0].path': '/b' } }), /second\): server is required/);
  t.match(await refusal('nfs', { set: { 'metrics.service.enabled': 'false', 'metrics.serviceMonitor.enabled': 'true' } }), /needs metrics.service.enabled/);
  const psp = await template('nfs', { set: { 'podSecurityPolicy.enabled': 'true' } });
  t.notOk(psp.some((o) => o.kind === 'PodSecurityPolicy'), 'podSecurityPolicy is accepted and ignored (removed in 1.25)');
});
