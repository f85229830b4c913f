// Runs the chosen scenarios one after another and builds the table, the violation list and the
// JSON result. Used by main.ts (npm run test:faults) and faults.test.ts (one scenario at a time).
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

export async function runScenario(name: ScenarioName, options: Pick<FaultOptions, 'mode' | 'seed' | 'verbose'>, log: (line: string) => void): Promise<ScenarioOutcome> {
  const rng = makeRng(options.seed).fork(name);
  return SCENARIO_FUNCTIONS[name]({ mode: options.mode, rng, verbose: options.verbose, log });
}

export interface SuiteResult {
  ok: boolean;
  text: string;
  json: unknown;
}

export async function runSuite(options: FaultOptions, log: (line: string) => void): Promise<SuiteResult> {
  const started = Date.now();
  log(`test:faults: ${options.mode} setting, seed ${options.seed} (replay with --seed ${options.seed}), scenarios: ${options.scenarios.join(', ')}`);
  const outcomes: { name: ScenarioName; outcome: ScenarioOutcome }[] = [];
  for (const name of options.scenarios) {
    log(`-- ${name}`);
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
    json: { mode: options.mode, seed: options.seed, ok, durationMs: Date.now() - started, scenarios: outcomes.map(({ name, outcome }) => ({ ...rowOf(name, outcome), violations: outcome.report.violations, notes: outcome.notes, durationMs: outcome.durationMs })) },
  };
}
