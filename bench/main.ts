// `npm run bench`: scenarios from bench/scenarios/ against ours, any --provisioner-cmd, or both
// side by side (--with-ours), each on a fresh cluster (the real control plane by default, the
// harness with --cluster local); JSON results on stdout (or --out), a table and progress on stderr.
import { writeFileSync } from 'node:fs';
import { BUILD_HINT, missingBinaries } from '../harness/control-plane/binaries.ts';
import { parseBenchArgs } from './args.ts';
import type { BenchOptions, ScenarioName } from './args.ts';
import { say } from './progress.ts';
import { emptyResult, finishResult, formatTable } from './result.ts';
import type { ScenarioResult } from './result.ts';
import { runBurst } from './scenarios/burst.ts';
import { runHandOver } from './scenarios/hand-over.ts';
import { runLimit } from './scenarios/limit.ts';
import { runReclaim } from './scenarios/reclaim.ts';
import { runScale } from './scenarios/scale.ts';
import { runUsage } from './scenarios/usage.ts';
import { buildOurs } from './build-ours.ts';
import { subjectPlans } from './subject.ts';
import type { SubjectPlan } from './subject.ts';
import { clusterInfo } from './world.ts';

async function runScenario(name: ScenarioName, o: BenchOptions, plan: SubjectPlan): Promise<ScenarioResult[]> {
  // Each provisioner gets its own sizes (a slow one fewer claims).
  const sized: BenchOptions = { ...o, claims: plan.claims, pvs: plan.pvs };
  switch (name) {
    case 'burst':
      return [await runBurst(sized, plan.spec, 'burst')];
    case 'api-cost':
      return [await runBurst(sized, plan.spec, 'api-cost')];
    case 'scale':
      return runScale(sized, plan.spec);
    case 'reclaim':
      return [await runReclaim(sized, plan.spec)];
    case 'hand-over':
      return [await runHandOver(sized, plan.spec)];
    case 'limit':
      return [await runLimit(o)];
    case 'usage':
      return [await runUsage(o, plan.spec)];
  }
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseBenchArgs(process.argv.slice(2));
  } catch (err: unknown) {
    say(`bench: ${err instanceof Error ? err.message : String(err)} (see --help)`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return 0;
  }
  const o = parsed.options;
  if (o.cluster === 'real') {
    const missing = missingBinaries(['etcd', 'kube-apiserver', 'kube-controller-manager']);
    if (missing.length > 0) {
      say(`bench: the real control plane is not built (missing ${missing.join(', ')}): run ${BUILD_HINT}, or use --cluster local`);
      return 2;
    }
  }
  const oursRuns = o.provisionerCmd === undefined || o.withOurs;
  let main: string | undefined;
  if (oursRuns && !o.source && o.scenarios.some((n) => n !== 'limit')) {
    say('bench: compiling lib/ to dist/ (npm run build), to run ours as the image does');
    main = buildOurs();
  }
  const plans = subjectPlans(o, main);
  if (o.mountAt !== undefined && process.getuid?.() !== 0) {
    say('bench: --mount-at needs root (unshare --mount and mount --bind)');
    return 2;
  }
  const results: ScenarioResult[] = [];
  let failed = false;
  for (const name of o.scenarios) {
    // limit measures the cluster, not a provisioner: once.
    for (const plan of name === 'limit' ? plans.slice(0, 1) : plans) {
      const started = Date.now();
      const who = name === 'limit' ? 'bare client (no provisioner)' : plan.spec.label;
      say(`bench: ${name} (${who}) on the ${o.cluster === 'real' ? 'real control plane' : 'local harness'}`);
      try {
        results.push(...(await runScenario(name, o, plan)).map(finishResult));
      } catch (err: unknown) {
        failed = true;
        const r = emptyResult(name, who, 0, clusterInfo(o));
        r.notes.push(`failed: ${err instanceof Error ? err.message : String(err)}`);
        results.push(finishResult(r));
        say(`bench: ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      say(`bench: ${name} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }
  const json = `${JSON.stringify(results, null, 2)}\n`;
  if (o.out !== undefined) writeFileSync(o.out, json);
  else process.stdout.write(json);
  say('');
  say(formatTable(results));
  for (const r of results) for (const n of r.notes) say(`  ${r.scenario} (${r.provisioner}): ${n}`);
  return failed ? 1 : 0;
}

// Explicit exit: client-node keeps sockets alive, and children are stopped already.
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
