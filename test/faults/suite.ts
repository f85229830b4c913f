// Runs the chosen scenarios one after another and builds the table, the violation list and the
// JSON result. Used by main.ts (npm run test:faults) and faults.test.ts (one scenario at a time).
// Which cluster a scenario gets is decided here: --cluster, else harness/cluster-choice.ts; the
// LOCAL_ONLY ones always on the harness.
import type { ClusterKind } from '../../harness/cluster.ts';
import { clusterChoice } from '../../harness/cluster-choice.ts';
import { LOCAL_ONLY } from './args.ts';
import type { FaultOptions, ScenarioName } from './args.ts';
import { makeRng } from './rng.ts';
import type { Scenario, ScenarioOutcome } from './scenario.ts';
import { apiFaults } from './scenarios/api-faults.ts';
import { conflicts } from './scenarios/conflicts.ts';
import { crash } from './scenarios/crash.ts';
import { exportFreeze } from './scenarios/export-freeze.ts';
import { hostileInput } from './scenarios/hostile-input.ts';
import { hungExport } from './scenarios/hung-export.ts';
import { leaderRace } from './scenarios/leader-race.ts';
import { formatMs, formatTable } from './table.ts';
import type { ScenarioRow } from './table.ts';

export const SCENARIO_FUNCTIONS: Record<ScenarioName, Scenario> = {
  crash,
  'leader-race': leaderRace,
  'api-faults': apiFaults,
  conflicts,
  'hung-export': hungExport,
  'export-freeze': exportFreeze,
  'hostile-input': hostileInput,
};

export function failed(o: ScenarioOutcome): boolean {
  return o.report.violations.length > 0;
}

export function rowOf(name: string, o: ScenarioOutcome): ScenarioRow {
  return {
    scenario: name,
    cluster: o.cluster ?? '-',
    runs: o.runs,
    claims: o.claims,
    lostVolumes: o.report.lostVolumes,
    doubleProvisions: o.report.doubleProvisions,
    writesOutside: o.report.writesOutside,
    dataLost: o.report.dataLost,
    leftovers: o.report.leftovers,
    worstRecoveryMs: o.report.worstRecoveryMs,
    result: failed(o) ? `FAIL (${o.report.violations.length})` : o.skipped !== undefined ? `skipped: ${o.skipped}` : 'pass',
  };
}

/** The cluster scenario `name` runs on, given --cluster (undefined: cluster-choice decides). */
export function clusterFor(name: ScenarioName, wanted: ClusterKind | undefined): ClusterKind {
  if (LOCAL_ONLY.has(name)) return 'local';
  if (wanted !== undefined) return wanted;
  const choice = clusterChoice();
  // Not built (and not CI, where clusterChoice throws): say how to build it, never run elsewhere.
  if (choice.skip !== undefined) throw new Error(choice.skip);
  return choice.kind;
}

export async function runScenario(name: ScenarioName, options: Pick<FaultOptions, 'mode' | 'seed' | 'verbose' | 'cluster'>, log: (line: string) => void): Promise<ScenarioOutcome> {
  const rng = makeRng(options.seed).fork(name);
  const cluster = clusterFor(name, options.cluster);
  const outcome = await SCENARIO_FUNCTIONS[name]({ mode: options.mode, cluster, rng, verbose: options.verbose, log });
  return { ...outcome, cluster };
}

export interface SuiteResult {
  ok: boolean;
  text: string;
  json: unknown;
}

export async function runSuite(options: FaultOptions, log: (line: string) => void): Promise<SuiteResult> {
  const started = Date.now();
  log(`test:faults: ${options.mode} setting, seed ${options.seed} (replay with --seed ${options.seed}), scenarios: ${options.scenarios.join(', ')}, cluster: ${options.cluster ?? clusterChoice().kind} (${[...LOCAL_ONLY].join(', ')}: local)`);
  const outcomes: { name: ScenarioName; outcome: ScenarioOutcome }[] = [];
  for (const name of options.scenarios) {
    log(`-- ${name} (on ${clusterFor(name, options.cluster)})`);
    const outcome = await runScenario(name, options, log);
    log(`-- ${name}: ${failed(outcome) ? 'FAIL' : 'pass'} in ${formatMs(outcome.durationMs)}`);
    outcomes.push({ name, outcome });
  }
  const rows = outcomes.map(({ name, outcome }) => rowOf(name, outcome));
  const lines = [formatTable(rows), ''];
  for (const { name, outcome } of outcomes) {
    for (const v of outcome.report.violations) lines.push(`VIOLATION ${name} [${v.kind}] ${v.message}`);
    for (const n of outcome.notes) lines.push(`note ${name}: ${n}`);
  }
  const ok = outcomes.every(({ outcome }) => !failed(outcome));
  lines.push(`${options.mode} setting, seed ${options.seed}, ${formatMs(Date.now() - started)}: ${ok ? 'no violations' : 'VIOLATIONS FOUND'}`);
  return {
    ok,
    text: lines.join('\n'),
    json: { mode: options.mode, seed: options.seed, cluster: options.cluster ?? clusterChoice().kind, ok, durationMs: Date.now() - started, scenarios: outcomes.map(({ name, outcome }) => ({ ...rowOf(name, outcome), violations: outcome.report.violations, notes: outcome.notes, durationMs: outcome.durationMs })) },
  };
}
