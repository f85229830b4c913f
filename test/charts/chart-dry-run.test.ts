// Every values file the chart is tested with, rendered by `helm template` and validated by the real
// kube-apiserver (v1.37.2) with a server-side dry run: its OpenAPI schemas with strict field
// validation (a misspelt or misplaced field is an error), its defaulting and its admission. The
// namespaces warn at the "baseline" Pod Security level, so the pod template must pass it silently.
// ServiceMonitor and PrometheusRule are checked against the stand-in CRDs in crds/ (the fields
// the chart renders, as the Prometheus Operator types them); alerts.test.ts checks the rules' PromQL.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import { startCluster } from '../../harness/cluster.ts';
import { kubectl, kubectlOutput } from '../manifests/kubectl.ts';
import { parseObjects } from '../manifests/render.ts';
import { requireHelmOrSkip, templateText } from './helm.ts';

const CRDS = fileURLToPath(new URL('./crds/monitoring.coreos.com.yaml', import.meta.url));

/** Release, namespace and values files: the defaults, the Go chart's README, two exports, everything on. */
const CASES = [
  { release: 'nfs-provisioner', namespace: 'nfs-provisioner', values: [] },
  { release: 'nfs-subdir-external-provisioner', namespace: 'default', values: ['go-readme-tldr.yaml'] },
  { release: 'my-release', namespace: 'default', values: ['go-readme-tldr.yaml'] },
  { release: 'second-nfs-subdir-external-provisioner', namespace: 'default', values: ['go-readme-second.yaml'] },
  { release: 'nfs-options', namespace: 'storage', values: ['go-mount-options.yaml'] },
  { release: 'nfs-single', namespace: 'storage', values: ['go-single-replica.yaml'] },
  { release: 'nfs-two', namespace: 'storage', values: ['two-exports.yaml'] },
  { release: 'nfs-all', namespace: 'monitored', values: ['everything-on.yaml'] },
];

void t.test('every values file renders objects the real API server accepts', async (t) => {
  if (!requireHelmOrSkip(t) || !requireClusterOrSkip(t)) return;
  const cluster = await startCluster({ kind: 'real', installRbac: false });
  t.teardown(() => cluster.stop());
  const kubeconfig = cluster.kubeconfigPath;

  await kubectl(['apply', '-f', CRDS], { kubeconfig });
  await kubectl(['wait', '--for=condition=Established', '--timeout=30s', 'crd/servicemonitors.monitoring.coreos.com', 'crd/prometheusrules.monitoring.coreos.com'], { kubeconfig });
  for (const ns of new Set(CASES.map((c) => c.namespace))) {
    if (ns !== 'default') await kubectl(['create', 'namespace', ns], { kubeconfig });
    await kubectl(['label', 'namespace', ns, 'pod-security.kubernetes.io/warn=baseline'], { kubeconfig });
  }

  for (const c of CASES) {
    const what = `${c.release} (${c.values.join(', ') || 'defaults'})`;
    const rendered = await templateText(c.release, { namespace: c.namespace, values: c.values });
    const objects = parseObjects(rendered, what);
    const { stdout, stderr } = await kubectlOutput(['apply', '--dry-run=server', '--validate=strict', '-n', c.namespace, '-f', '-'], { kubeconfig, input: rendered });
    const accepted = stdout.trim().split('\n').filter((l) => /\((server dry run)\)$/.test(l));
    t.equal(accepted.length, objects.length, `${what}: all ${objects.length} objects accepted\n${stdout}`);
    t.equal(stderr.trim(), '', `${what}: no warning (Pod Security baseline, deprecated APIs, unknown fields)`);
  }
  t.ok(CASES.some((c) => c.values.includes('everything-on.yaml')), 'ServiceMonitor, PrometheusRule, dashboard, PDB, static PV and claim are among them');

  // The check can fail: a field the schema does not know is refused, not dropped.
  const broken = (await templateText('nfs-provisioner', { namespace: 'nfs-provisioner' })).replace('enableServiceLinks: false', 'enableServiceLinks: false\n      enableServiceLink: false');
  await t.rejects(kubectlOutput(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], { kubeconfig, input: broken }), /unknown field "spec.template.spec.enableServiceLink"/);
  // ... and the Pod Security check is live: the pod runs as root, which "restricted" forbids.
  await kubectl(['label', '--overwrite', 'namespace', 'nfs-provisioner', 'pod-security.kubernetes.io/warn=restricted'], { kubeconfig });
  const restricted = await kubectlOutput(['apply', '--dry-run=server', '-f', '-'], { kubeconfig, input: await templateText('nfs-provisioner', { namespace: 'nfs-provisioner' }) });
  t.match(restricted.stderr, /would violate PodSecurity "restricted:latest"/, 'the same pod warns under "restricted"');
  const badRule = (await templateText('nfs-all', { namespace: 'monitored', values: ['everything-on.yaml'] })).replace('for: 15m', 'for: 15 minutes');
  await t.rejects(kubectlOutput(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], { kubeconfig, input: badRule }), /spec.groups\[0\].rules\[0\].for/);
});
