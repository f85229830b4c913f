// `npm run bench`: scenarios from bench/scenarios/ against ours or any --provisioner-cmd, each on a
// fresh harness cluster; JSON results on stdout (or --out), a table and progress on stderr.
import { writeFileSync } from 'node:fs';
import { parseBenchArgs } from './args.ts';
import type { BenchOptions, ScenarioName } from './args.ts';
import { say } from './progress.ts';
import { emptyResult, formatTable } from './result.ts';
import type { ScenarioResult } from './result.ts';
import { runBurst } from './scenarios/burst.ts';
import { runHandOver } from './scenarios/hand-over.ts';
import { runLimit } from './scenarios/limit.ts';
import { runReclaim } from './scenarios/reclaim.ts';
import { runScale } from './scenarios/scale.ts';
import { runUsage } from './scenarios/usage.ts';
import { buildOurs } from './build-ours.ts';
import { subjectSpec } from './subject.ts';
import type { SubjectSpec } from './subject.ts';

function runScenario(name: ScenarioName, o: BenchOptions, spec: SubjectSpec): Promise<ScenarioResult> {
  switch (name) {
    case 'burst':
      return runBurst(o, spec, 'burst');
    case 'api-cost':
      return runBurst(o, spec, 'api-cost');
    case 'scale':
      return runScale(o, spec);
    case 'reclaim':
      return runReclaim(o, spec);
    case 'hand-over':
      return runHandOver(o, spec);
    case 'limit':
      return runLimit(o);
    case 'usage':
      return runUsage(o, spec);
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
  let main: string | undefined;
  if (o.provisionerCmd === undefined && !o.source && o.scenarios.some((n) => n !== 'limit')) {
    say('bench: compiling lib/ to dist/ (npm run build), to run ours as the image does');
    main = buildOurs();
  }
  const spec = subjectSpec(o, main);
  if (o.mountAt !== undefined && process.getuid?.() !== 0) {
    say('bench: --mount-at needs root (unshare --mount and mount --bind)');
    return 2;
  }
  const results: ScenarioResult[] = [];
  let failed = false;
  for (const name of o.scenarios) {
    const started = Date.now();
    say(`bench: ${name} (${name === 'limit' ? 'bare client' : spec.label})`);
    try {
      results.push(await runScenario(name, o, spec));
    } catch (err: unknown) {
      failed = true;
      const r = emptyResult(name, name === 'limit' ? 'bare client (no provisioner)' : spec.label, 0);
      r.notes.push(`failed: ${err instanceof Error ? err.message : String(err)}`);
      results.push(r);
      say(`bench: ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    say(`bench: ${name} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const json = `${JSON.stringify(results, null, 2)}\n`;
  if (o.out !== undefined) writeFileSync(o.out, json);
  else process.stdout.write(json);
  say('');
  say(formatTable(results));
  for (const r of results) for (const n of r.notes) say(`  ${r.scenario}: ${n}`);
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
