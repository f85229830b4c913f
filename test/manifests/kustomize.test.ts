// The manifests as an operator uses them: rendered by kubectl's kustomize, valid against the
// Kubernetes schemas, consistent with the provisioner's env contract, and accepted by an API
// server through `kubectl apply -k`.
import t from 'tap';
import type {
  V1ClusterRoleBinding,
  V1Container,
  V1Deployment,
  V1PersistentVolumeClaim,
  V1Pod,
  V1RoleBinding,
  V1StatefulSet,
  V1StorageClass,
} from '@kubernetes/client-node';
import { startApiServer } from '../../harness/apiserver/index.ts';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { loadConfig } from '../../lib/config.ts';
import { parseClassParameters } from '../../lib/nfs/class-parameters.ts';
import { kubectl } from './kubectl.ts';
import { findOne, manifestsDir, renderKustomization } from './render.ts';
import type { KubeObject } from './render.ts';
import { schemaProblems } from './schema-check.ts';

const namespace = 'nfs-provisioner';
const provisionerName = 'k8s-sigs.io/nfs-subdir-external-provisioner';
const legacyClassAnnotation = 'volume.beta.kubernetes.io/storage-class';
const defaultClassAnnotation = 'storageclass.kubernetes.io/is-default-class';

const [root, base, overlay, examples, twoExports] = await Promise.all(
  ['', 'base', 'examples/overlay', 'examples', 'examples/overlay-two-exports'].map((dir) => renderKustomization(dir)),
);
if (root === undefined || base === undefined || overlay === undefined || examples === undefined || twoExports === undefined) {
  throw new Error('unreachable: five renders');
}

function as<T>(o: KubeObject): T {
  return o as unknown as T;
}

function container(objects: readonly KubeObject[]): V1Container {
  const c = as<V1Deployment>(findOne(objects, 'Deployment')).spec?.template.spec?.containers[0];
  if (c === undefined) throw new Error('the Deployment has no container');
  return c;
}

function envValue(c: V1Container, name: string): string | undefined {
  return c.env?.find((e) => e.name === name)?.value;
}

function nfsVolume(objects: readonly KubeObject[]): { server: string; path: string } | undefined {
  const spec = as<V1Deployment>(findOne(objects, 'Deployment')).spec?.template.spec;
  const mount = spec?.containers[0]?.volumeMounts?.find((m) => m.mountPath === '/persistentvolumes');
  return spec?.volumes?.find((v) => v.name === mount?.name)?.nfs;
}

const isClusterScoped = (o: KubeObject): boolean =>
  ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass'].includes(o.kind);

void t.test('`kubectl apply -k manifests/` installs the base', (t) => {
  t.same(root, base);
  t.same(
    base.map((o) => `${o.kind}/${o.metadata.name}`).sort(),
    [
      'ClusterRole/nfs-provisioner-runner',
      'ClusterRoleBinding/nfs-provisioner-runner',
      'Deployment/nfs-provisioner',
      `Namespace/${namespace}`,
      'Role/nfs-provisioner-leader-election',
      'RoleBinding/nfs-provisioner-leader-election',
      'ServiceAccount/nfs-provisioner',
      'StorageClass/nfs-client',
    ],
  );
  for (const o of base) {
    t.equal(o.metadata.namespace, isClusterScoped(o) ? undefined : namespace, `${o.kind} namespace`);
  }
  t.end();
});

void t.test('every rendered object is valid against the Kubernetes schemas', (t) => {
  const all = { base, overlay, examples, twoExports };
  for (const [name, objects] of Object.entries(all)) {
    t.ok(objects.length > 0, `${name} renders objects`);
    t.same(objects.flatMap(schemaProblems), [], `${name}: no schema problems`);
  }
  t.end();
});

void t.test('the Deployment keeps the nfs-subdir-external-provisioner contract', (t) => {
  const c = container(base);
  t.equal(envValue(c, 'PROVISIONER_NAME'), provisionerName, 'the Go project default name');
  t.ok(envValue(c, 'NFS_SERVER'), 'NFS_SERVER set');
  t.ok(envValue(c, 'NFS_PATH')?.startsWith('/'), 'NFS_PATH is absolute');
  t.same(nfsVolume(base), { server: envValue(c, 'NFS_SERVER'), path: envValue(c, 'NFS_PATH') },
    'the export mounted at /persistentvolumes is the one PVs will point at');
  const downward = Object.fromEntries((c.env ?? []).flatMap((e) => (e.valueFrom?.fieldRef ? [[e.name, e.valueFrom.fieldRef.fieldPath]] : [])));
  t.same(downward, { POD_NAMESPACE: 'metadata.namespace', POD_NAME: 'metadata.name' }, 'lease namespace and identity');
  t.not(envValue(c, 'ENABLE_LEADER_ELECTION'), 'false', 'leader election on');
  t.equal(envValue(c, 'NFS_MOUNT_PATH'), undefined, 'mount path left at its default /persistentvolumes');
  t.equal(envValue(c, 'HTTP_LISTEN'), undefined, 'HTTP_LISTEN left at its default :8080');
  t.end();
});

void t.test('the Deployment is operable', (t) => {
  const d = as<V1Deployment>(findOne(base, 'Deployment'));
  const spec = d.spec?.template.spec;
  const c = container(base);
  t.same(c.ports, [{ name: 'http-metrics', containerPort: 8080, protocol: 'TCP' }], 'metrics port = HTTP_LISTEN default');
  t.match(c.livenessProbe?.httpGet, { path: '/healthz', port: 'http-metrics' });
  t.match(c.readinessProbe?.httpGet, { path: '/readyz', port: 'http-metrics' });
  t.same(c.resources, { requests: { cpu: '20m', memory: '160Mi' }, limits: { memory: '512Mi' } });
  t.equal(d.spec?.replicas, 2);
  t.same(d.spec?.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
    'a standby stays ready throughout a rollout');
  t.equal(spec?.terminationGracePeriodSeconds, 10);
  t.equal(spec?.serviceAccountName, findOne(base, 'ServiceAccount').metadata.name);
  t.equal(spec?.securityContext?.runAsUser, 0, 'root, for chown/chmod on the export');
  t.same(c.securityContext, {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'], add: ['CHOWN', 'FOWNER', 'DAC_OVERRIDE', 'FSETID'] },
  });
  t.match(c.image, /^ghcr\.io\/nfs-provisioner-ts\/nfs-provisioner-ts:0\.1\.0$/);
  t.end();
});

void t.test('RBAC binds the provisioner service account', (t) => {
  const sa = findOne(base, 'ServiceAccount');
  const subject = [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace }];
  const crb = as<V1ClusterRoleBinding>(findOne(base, 'ClusterRoleBinding'));
  t.same(crb.subjects, subject);
  t.same(crb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: findOne(base, 'ClusterRole').metadata.name });
  const rb = as<V1RoleBinding>(findOne(base, 'RoleBinding'));
  t.same(rb.subjects, subject);
  t.same(rb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: findOne(base, 'Role').metadata.name });
  t.end();
});

void t.test('the nfs-client StorageClass', (t) => {
  const sc = as<V1StorageClass>(findOne(base, 'StorageClass'));
  t.equal(sc.provisioner, envValue(container(base), 'PROVISIONER_NAME'), 'served by this Deployment');
  t.same(sc.parameters, { archiveOnDelete: 'true' });
  t.equal(sc.reclaimPolicy, 'Delete');
  t.equal(sc.volumeBindingMode, 'Immediate');
  t.equal(sc.allowVolumeExpansion, true, 'claims may grow (the provisioner records the size)');
  t.equal(sc.metadata?.annotations?.[defaultClassAnnotation], undefined, 'not the default unless asked');
  t.end();
});

void t.test('the example overlay sets the export in one place and makes the class default', (t) => {
  const c = container(overlay);
  t.equal(envValue(c, 'NFS_SERVER'), '10.0.0.10');
  t.equal(envValue(c, 'NFS_PATH'), '/srv/nfs/kubernetes');
  t.same(nfsVolume(overlay), { server: '10.0.0.10', path: '/srv/nfs/kubernetes' });
  t.equal(envValue(c, 'PROVISIONER_NAME'), provisionerName, 'the patch merges, keeping the rest of env');
  t.equal(c.env?.length, container(base).env?.length);
  const sc = as<V1StorageClass>(findOne(overlay, 'StorageClass'));
  t.equal(sc.metadata?.annotations?.[defaultClassAnnotation], 'true');
  t.same({ ...sc, metadata: {} }, { ...as<V1StorageClass>(findOne(base, 'StorageClass')), metadata: {} },
    'the component changes nothing but the annotation');
  t.end();
});

void t.test('the two-export overlay: each export of the file is mounted from its NFS volume, and the provisioner accepts the whole', (t) => {
  const deployment = as<V1Deployment>(findOne(twoExports, 'Deployment'));
  const spec = deployment.spec?.template.spec;
  const c = container(twoExports);
  const env = Object.fromEntries((c.env ?? []).flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]])));
  const file = env['NFS_EXPORTS_FILE'] ?? '';
  const configMount = c.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
  const configVolume = spec?.volumes?.find((v) => v.name === configMount?.name)?.configMap;
  t.ok(configMount?.readOnly, 'the exports file is mounted read-only');
  const configMap = as<V1ConfigMap>(findOne(twoExports, 'ConfigMap'));
  t.equal(configVolume?.name, configMap.metadata?.name, 'from the generated ConfigMap (name with its hash)');
  const text = configMap.data?.[file.slice((configMount?.mountPath.length ?? 0) + 1)];
  t.ok(text, 'the file named by NFS_EXPORTS_FILE is a key of the ConfigMap');
  const config = loadConfig({ ...env, UV_THREADPOOL_SIZE: '16' }, [], { readFile: (path) => (path === file ? (text ?? '') : '') });
  t.same(config.exports.map((e) => e.name), ['default', 'second']);
  for (const e of config.exports) {
    const mount = c.volumeMounts?.find((m) => m.mountPath === e.mountPath);
    const nfs = spec?.volumes?.find((v) => v.name === mount?.name)?.nfs;
    t.same(nfs, { server: e.server, path: e.path }, `export ${e.name}: mounted at ${e.mountPath} from the server and path its PVs will name`);
  }
  const second = as<V1StorageClass>(findOne(twoExports, 'StorageClass', 'nfs-second'));
  t.equal(second.provisioner, config.provisionerName, 'the second class is served by this install');
  t.ok(config.exports.some((e) => e.name === second.parameters?.['export']), 'and names a configured export');
  t.end();
});

void t.test('every example claim is served by this provisioner', (t) => {
  const classes = new Map(
    [...base, ...examples]
      .filter((o) => o.kind === 'StorageClass')
      .map((o) => [o.metadata.name, as<V1StorageClass>(o)]),
  );
  const claims: V1PersistentVolumeClaim[] = [
    ...examples.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => as<V1PersistentVolumeClaim>(o)),
    ...examples.filter((o) => o.kind === 'StatefulSet').flatMap((o) => as<V1StatefulSet>(o).spec?.volumeClaimTemplates ?? []),
  ];
  t.equal(claims.length, 5, 'four claims and one claim template');
  for (const claim of claims) {
    const className = claim.spec?.storageClassName ?? claim.metadata?.annotations?.[legacyClassAnnotation];
    t.equal(classes.get(className ?? '')?.provisioner, provisionerName, `${claim.metadata?.name ?? ''} -> ${className ?? ''}`);
  }
  const legacy = as<V1PersistentVolumeClaim>(findOne(examples, 'PersistentVolumeClaim', 'nfs-pv1'));
  t.equal(legacy.spec?.storageClassName, undefined, 'the legacy claim names its class only by annotation');
  const pod = as<V1Pod>(findOne(examples, 'Pod'));
  const claimName = pod.spec?.volumes?.[0]?.persistentVolumeClaim?.claimName ?? '';
  t.ok(findOne(examples, 'PersistentVolumeClaim', claimName), 'the pod mounts an example claim');
  const sts = as<V1StatefulSet>(findOne(examples, 'StatefulSet'));
  t.equal(sts.spec?.serviceName, findOne(examples, 'Service').metadata.name, 'the StatefulSet has its headless Service');
  const patterned = as<V1StorageClass>(findOne(examples, 'StorageClass', 'nfs-client-path-pattern'));
  t.equal(patterned.parameters?.['pathPattern'], '${.PVC.namespace}/${.PVC.annotations.nfs.io/storage-path}');
  t.match(as<V1StorageClass>(findOne(examples, 'StorageClass', 'nfs-client-uid-1000')).parameters, { uid: '1000', gid: '1000', mode: '0770' });
  t.end();
});

void t.test('the provisioner accepts the parameters of every shipped StorageClass', (t) => {
  for (const o of [...base, ...examples, ...twoExports].filter((x) => x.kind === 'StorageClass')) {
    const result = parseClassParameters(as<V1StorageClass>(o).parameters);
    t.same(result.ok ? (result.unknownKeys.length === 0 ? 'ok' : `unknown ${result.unknownKeys.join(', ')}`) : result.message, 'ok', o.metadata.name);
  }
  t.end();
});

void t.test('kubectl apply -k installs everything on an API server', async (t) => {
  const server = await startApiServer();
  t.teardown(() => server.stop());
  const kubeconfig = server.kubeconfigPath;
  const applied = await kubectl(['apply', '-k', manifestsDir], { kubeconfig });
  t.equal(applied.trim().split('\n').length, base.length, applied);
  t.match(applied, /created/);

  // The operator's next step: their overlay over the installed base (changes, not re-creates).
  const reapplied = await kubectl(['apply', '-k', `${manifestsDir}examples/overlay`], { kubeconfig });
  t.match(reapplied, /deployment\.apps\/nfs-provisioner configured/);
  t.match(reapplied, /storageclass\.storage\.k8s\.io\/nfs-client configured/);
  t.match(reapplied, /role\.rbac\.authorization\.k8s\.io\/nfs-provisioner-leader-election unchanged/);

  await kubectl(['apply', '-k', `${manifestsDir}examples`, '--namespace', 'default'], { kubeconfig });

  for (const o of [...overlay, ...examples]) {
    const ref = `${o.kind}/${o.metadata.name}`;
    const ns = isClusterScoped(o) ? [] : ['--namespace', o.metadata.namespace ?? 'default'];
    const group = o.apiVersion.includes('/') ? `.${o.apiVersion.split('/')[0] ?? ''}` : '';
    const got: unknown = JSON.parse(await kubectl(['get', `${o.kind.toLowerCase()}${group}`, o.metadata.name, ...ns, '-o', 'json'], { kubeconfig }));
    t.match(got, { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name } }, `${ref} exists`);
    const stored = got as Record<string, unknown>;
    for (const field of ['spec', 'rules', 'subjects', 'roleRef', 'provisioner', 'parameters']) {
      if (o[field] !== undefined) t.match(stored[field], o[field], `${ref} ${field} as rendered`);
    }
  }
  const stored: unknown = JSON.parse(await kubectl(['get', 'deployment', 'nfs-provisioner', '-n', namespace, '-o', 'json'], { kubeconfig }));
  const c = stored as V1Deployment;
  t.equal(envValue(c.spec?.template.spec?.containers[0] ?? { name: '' }, 'NFS_SERVER'), '10.0.0.10', 'the overlay reached the server');

  // The two-export overlay over it: the ConfigMap and the second class are new, the Deployment changes.
  const two = await kubectl(['apply', '-k', `${manifestsDir}examples/overlay-two-exports`], { kubeconfig });
  t.match(two, /configmap\/nfs-provisioner-exports-\w+ created/);
  t.match(two, /storageclass\.storage\.k8s\.io\/nfs-second created/);
  t.match(two, /deployment\.apps\/nfs-provisioner configured/);
  const after: unknown = JSON.parse(await kubectl(['get', 'deployment', 'nfs-provisioner', '-n', namespace, '-o', 'json'], { kubeconfig }));
  t.equal(envValue((after as V1Deployment).spec?.template.spec?.containers[0] ?? { name: '' }, 'NFS_EXPORTS_FILE'), '/etc/nfs-provisioner/exports.yaml');
});
