// The results table of `npm run test:faults`: one row per scenario, plain text columns.
export interface ScenarioRow {
  scenario: string;
  /** real, local, or '-'. */
  cluster: string;
  runs: number;
  claims: number;
  lostVolumes: number;
  doubleProvisions: number;
  writesOutside: number;
  dataLost: number;
  leftovers: number;
  worstRecoveryMs: number;
  /** 'pass', 'FAIL' or 'skipped: <why>' */
  result: string;
}

const HEADERS = ['scenario', 'cluster', 'runs', 'claims', 'lost volumes', 'double provisions', 'writes outside export', 'data lost', 'leftovers', 'worst time to recover', 'result'];

export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function formatTable(rows: readonly ScenarioRow[]): string {
  const cells = rows.map((r) => [
    r.scenario,
    r.cluster,
    String(r.runs),
    String(r.claims),
    String(r.lostVolumes),
    String(r.doubleProvisions),
    String(r.writesOutside),
    String(r.dataLost),
    String(r.leftovers),
    formatMs(r.worstRecoveryMs),
    r.result,
  ]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string =>
    `| ${c.map((x, i) => (i <= 1 || i === c.length - 1 ? x.padEnd(widths[i] ?? 0) : x.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(HEADERS), rule, ...cells.map(line)].join('\n');
}
