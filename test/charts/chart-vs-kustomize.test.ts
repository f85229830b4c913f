// The chart with default values and manifests/base render the same provisioner: the same
// Deployment, RBAC rules and bindings, ServiceAccount and StorageClass, apart from the names Helm
// gives (object names, the Go chart's provisioner name and volume name, its selector labels). Each
// name is first checked to be used consistently inside its own render, then replaced by a marker, so
// everything else has to be equal field by field; the base's labels must all be on the chart's objects.
import t from 'tap';
import type { V1ClusterRoleBinding, V1Deployment, V1StorageClass } from '@kubernetes/client-node';
import { findOne, renderKustomization } from '../manifests/render.ts';
import type { KubeObject } from '../manifests/render.ts';
import { requireHelmOrSkip, template } from './helm.ts';

const NAMESPACE = 'nfs-provisioner';
const COMPARED = ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Deployment', 'StorageClass'];

/** The names one render gives, read from its objects. */
interface Names {
  deployment: string;
  serviceAccount: string;
  clusterRole: string;
  role: string;
  provisioner: string;
  volume: string;
  selector: Record<string, string>;
}

function namesOf(objects: readonly KubeObject[]): Names {
  const d = findOne(objects, 'Deployment') as unknown as V1Deployment;
  const spec = d.spec?.template.spec;
  const provisioner = spec?.containers[0]?.env?.find((e) => e.name === 'PROVISIONER_NAME')?.value;
  const volume = spec?.containers[0]?.volumeMounts?.find((m) => m.mountPath === '/persistentvolumes')?.name;
  if (provisioner === undefined || volume === undefined) throw new Error('no PROVISIONER_NAME or export mount');
  return {
    deployment: d.metadata?.name ?? '',
    serviceAccount: findOne(objects, 'ServiceAccount').metadata.name,
    clusterRole: findOne(objects, 'ClusterRole').metadata.name,
    role: findOne(objects, 'Role').metadata.name,
    provisioner,
    volume,
    selector: d.spec?.selector.matchLabels ?? {},
  };
}

/** Deep copy as plain JSON, to edit. */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * An object with the names Helm gives replaced by markers, at the places they are used (object
 * names, references to them, the provisioner name, the export volume's name, the selector).
 */
function comparable(o: KubeObject, names: Names): unknown {
  const x = copy(o) as Record<string, unknown>;
  x['metadata'] = { name: '<name>', namespace: o.metadata.namespace ?? null };
  switch (o.kind) {
    case 'Deployment': {
      const d = x as unknown as V1Deployment;
      const spec = d.spec;
      if (spec === undefined) break;
      spec.selector.matchLabels = { '<selector>': '' };
      if (spec.template.metadata) delete spec.template.metadata.labels; // compared apart
      const pod = spec.template.spec;
      if (pod === undefined) break;
      pod.serviceAccountName = '<service-account>';
      for (const term of pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
        if (JSON.stringify(term.podAffinityTerm.labelSelector?.matchLabels) === JSON.stringify(names.selector)) {
          term.podAffinityTerm.labelSelector = { matchLabels: { '<selector>': '' } };
        }
      }
      for (const v of pod.volumes ?? []) if (v.name === names.volume) v.name = '<export-volume>';
      for (const c of pod.containers) {
        for (const m of c.volumeMounts ?? []) if (m.name === names.volume) m.name = '<export-volume>';
        for (const e of c.env ?? []) if (e.name === 'PROVISIONER_NAME') e.value = '<provisioner>';
      }
      break;
    }
    case 'ClusterRoleBinding':
    case 'RoleBinding': {
      const b = x as unknown as V1ClusterRoleBinding;
      b.roleRef.name = '<role>';
      for (const s of b.subjects ?? []) s.name = '<service-account>';
      break;
    }
    case 'StorageClass':
      x['provisioner'] = '<provisioner>';
      break;
  }
  return x;
}

void t.test('chart defaults and manifests/base render the same provisioner', async (t) => {
  if (!requireHelmOrSkip(t)) return;
  const [base, chart] = await Promise.all([renderKustomization('base'), template('nfs-provisioner', { namespace: NAMESPACE })]);
  const baseNames = namesOf(base);
  const chartNames = namesOf(chart);

  // Each render's names hang together before they are replaced.
  for (const [what, objects, names] of [['base', base, baseNames], ['chart', chart, chartNames]] as const) {
    const d = findOne(objects, 'Deployment') as unknown as V1Deployment;
    t.equal(d.spec?.template.spec?.serviceAccountName, names.serviceAccount, `${what}: the pod runs as the ServiceAccount`);
    t.equal((findOne(objects, 'StorageClass') as unknown as V1StorageClass).provisioner, names.provisioner, `${what}: the class is the Deployment's`);
    t.ok(d.spec?.template.spec?.volumes?.some((v) => v.name === names.volume && v.nfs !== undefined), `${what}: the export volume is an nfs volume`);
    t.match(d.spec?.template.metadata?.labels, names.selector, `${what}: the pods match the selector`);
    const crb = findOne(objects, 'ClusterRoleBinding') as unknown as V1ClusterRoleBinding;
    t.same(crb.subjects, [{ kind: 'ServiceAccount', name: names.serviceAccount, namespace: NAMESPACE }], `${what}: ClusterRole bound to the ServiceAccount`);
    t.equal(crb.roleRef.name, names.clusterRole, `${what}: the ClusterRoleBinding grants the ClusterRole`);
    const rb = findOne(objects, 'RoleBinding') as unknown as V1ClusterRoleBinding;
    t.same(rb.subjects, crb.subjects, `${what}: Role bound to the ServiceAccount`);
    t.equal(rb.roleRef.name, names.role, `${what}: the RoleBinding grants the Role`);
  }
  t.match(
    (findOne(chart, 'Deployment') as unknown as V1Deployment).spec?.template.metadata?.labels,
    (findOne(base, 'Deployment') as unknown as V1Deployment).spec?.template.metadata?.labels,
    'the chart\'s pods carry the base\'s pod labels too',
  );

  for (const kind of COMPARED) {
    const b = findOne(base, kind);
    const c = findOne(chart, kind);
    t.match(c.metadata['labels'], b.metadata['labels'], `${kind}: the base's labels are on the chart's too`);
    t.same(comparable(c, chartNames), comparable(b, baseNames), `${kind}: same object apart from names`);
  }
  const extra = chart.filter((o) => !COMPARED.includes(o.kind)).map((o) => o.kind);
  t.same(extra, ['Service'], 'beyond the base, the defaults add the metrics Service only');
  t.same(base.filter((o) => !COMPARED.includes(o.kind)).map((o) => o.kind), ['Namespace'], 'the base adds its Namespace (helm install --create-namespace)');
});
