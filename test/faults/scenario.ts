// What a scenario is, and the frame every one runs in: a fresh world, the scenario's body, then
// the invariants over what it left. An exception in the body is a violation too (and the world
// is still observed and stopped).
import type { ClusterKind } from '../../harness/cluster.ts';
import type { Mode } from './args.ts';
import { checkInvariants } from './invariants.ts';
import { refusedRequests } from './refused-requests.ts';
import type { InvariantReport } from './invariants.ts';
import type { Rng } from './rng.ts';
import { World } from './world.ts';
import type { WorldOptions } from './world.ts';

export interface ScenarioContext {
  mode: Mode;
  /** The Kubernetes this scenario's worlds run on (suite.ts decides). */
  cluster: ClusterKind;
  rng: Rng;
  verbose: boolean;
  /** Progress lines (stderr). */
  log(message: string): void;
}

export interface ScenarioOutcome {
  runs: number;
  claims: number;
  report: InvariantReport;
  notes: string[];
  /** Set when the scenario (or a part) could not run here, with the reason. */
  skipped?: string;
  /** Where it ran (runScenario fills it in). */
  cluster?: ClusterKind;
  durationMs: number;
}

export type Scenario = (ctx: ScenarioContext) => Promise<ScenarioOutcome>;

export interface WorldRun {
  /** Claims the run created. */
  claims: number;
  /** Longest acceptable time to be ready again after a disruption. */
  recoveryLimitMs: number;
}

/** Starts a world, runs body, checks the invariants, stops the world. */
export async function inWorld(
  ctx: ScenarioContext,
  opts: Omit<WorldOptions, 'rng' | 'verbose' | 'cluster'>,
  body: (world: World) => Promise<WorldRun>,
): Promise<{ claims: number; report: InvariantReport; notes: string[] }> {
  const world = await World.start({ ...opts, cluster: ctx.cluster, rng: ctx.rng, verbose: ctx.verbose });
  let run: WorldRun = { claims: 0, recoveryLimitMs: 30_000 };
  try {
    try {
      run = await body(world);
    } catch (err: unknown) {
      world.violation(`scenario aborted: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      run = { claims: world.created.size, recoveryLimitMs: 30_000 };
    }
    for (const r of refusedRequests(world.cluster.requests)) world.violation(`the API server refused a request of the provisioner: ${r}`);
    const report = checkInvariants(await world.observe(run.recoveryLimitMs));
    world.notes.push(`${world.pvCreations.length} PV creations seen by the record (list+watch)`);
    const relists = world.pvRecordRelists();
    if (relists > 0) world.notes.push(`the PV record relisted ${relists} times (410 Gone): a PV created and deleted in such a gap was not seen by the double-provision check`);
    return { claims: run.claims, report, notes: world.notes };
  } finally {
    await world.stop();
  }
}

/** Sums the reports of several runs of a scenario. */
export function mergeReports(reports: readonly InvariantReport[]): InvariantReport {
  return {
    violations: reports.flatMap((r) => r.violations),
    lostVolumes: reports.reduce((n, r) => n + r.lostVolumes, 0),
    doubleProvisions: reports.reduce((n, r) => n + r.doubleProvisions, 0),
    writesOutside: reports.reduce((n, r) => n + r.writesOutside, 0),
    dataLost: reports.reduce((n, r) => n + r.dataLost, 0),
    leftovers: reports.reduce((n, r) => n + r.leftovers, 0),
    worstRecoveryMs: Math.max(0, ...reports.map((r) => r.worstRecoveryMs)),
  };
}
