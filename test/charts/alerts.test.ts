// The chart's alerts (PrometheusRule) through Prometheus's own tools: `promtool check rules` on the
// rendered groups, and `promtool test rules` with the cases in alerts/ (each alert fires when its
// condition has lasted its `for`, not before, not on a transient, not for another install's series,
// with the labels and descriptions rendered). dashboard.test.ts checks that every metric and label
// the rules name is one the provisioner exposes.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { Test } from 'tap';
import { parse, stringify } from 'yaml';
import { findOne } from '../manifests/render.ts';
import { requireHelmOrSkip, template } from './helm.ts';
import { promtool, requirePrometheusOrSkip } from './prometheus-tools.ts';

const CASES_DIR = fileURLToPath(new URL('./alerts/', import.meta.url));
const RELEASE = 'nfs-subdir-external-provisioner';

interface RuleGroups {
  groups: Array<{ name: string; rules: Array<{ alert: string; expr: string }> }>;
}

/** The PrometheusRule's groups as a Prometheus rule file, rendered with these --set values. */
async function renderRules(set: Record<string, string> = {}): Promise<RuleGroups> {
  const objects = await template(RELEASE, { namespace: 'nfs-provisioner', set: { 'metrics.prometheusRule.enabled': 'true', ...set } });
  return findOne(objects, 'PrometheusRule')['spec'] as RuleGroups;
}

/** Writes rules.yaml and the case file beside it (promtool resolves rule_files from there); returns the output. */
async function runCases(t: Test, rules: RuleGroups, caseFile: string): Promise<string> {
  const dir = t.testdir({});
  writeFileSync(join(dir, 'rules.yaml'), stringify(rules));
  copyFileSync(join(CASES_DIR, caseFile), join(dir, caseFile));
  t.match(await promtool(['check', 'rules', 'rules.yaml'], dir), /SUCCESS: \d+ rules found/, 'promtool check rules');
  return promtool(['test', 'rules', caseFile], dir);
}

void t.test('promtool test rules: every alert fires when it should and only then', async (t) => {
  if (!requireHelmOrSkip(t) || !requirePrometheusOrSkip(t)) return;
  const rules = await renderRules();
  const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.alert));
  t.same(alerts.sort(), [
    'NfsProvisionerApiErrors', 'NfsProvisionerApiThrottled', 'NfsProvisionerExportTimeouts', 'NfsProvisionerExportUnhealthy',
    'NfsProvisionerNoLeader', 'NfsProvisionerProvisioningFailed', 'NfsProvisionerReclaimFailing', 'NfsProvisionerVolumeOverCapacity',
  ]);
  const cases = parse(readFileSync(join(CASES_DIR, 'alerts.test.yaml'), 'utf8')) as {
    tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
  };
  const firing = new Set(cases.tests.flatMap((c) => c.alert_rule_test.filter((a) => (a.exp_alerts ?? []).length > 0).map((a) => a.alertname)));
  const quiet = new Set(cases.tests.flatMap((c) => c.alert_rule_test.filter((a) => (a.exp_alerts ?? []).length === 0).map((a) => a.alertname)));
  for (const alert of alerts) {
    t.ok(firing.has(alert), `${alert}: a case where it fires`);
    t.ok(quiet.has(alert), `${alert}: a case where it does not (yet)`);
  }
  t.match(await runCases(t, rules, 'alerts.test.yaml'), /SUCCESS/);
});

void t.test('the rules values reach the alerts', async (t) => {
  if (!requireHelmOrSkip(t) || !requirePrometheusOrSkip(t)) return;
  const longer = await renderRules({ 'metrics.prometheusRule.rules.provisioningFailed.for': '30m' });
  t.match(await runCases(t, longer, 'for-30m.test.yaml'), /SUCCESS/, 'for: 30m fires after 30 minutes, not 15');
  // The default for (15m) fails the same case: it fires at 25m, where the case expects none.
  await t.rejects(runCases(t, await renderRules(), 'for-30m.test.yaml'), /FAILED/);
});
