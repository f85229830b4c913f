// Debian's prometheus package (/usr/bin/prometheus, /usr/bin/promtool) for the alert and dashboard
// tests: whether it is there (CI installs it: its absence there fails the tests, elsewhere they skip
// with the apt-get line), and promtool runs with a time limit.
import { accessSync, constants } from 'node:fs';
import { execFile } from 'node:child_process';
import type { SkippableTest } from '../../harness/cluster-choice.ts';

export const PROMTOOL = '/usr/bin/promtool';
export const PROMETHEUS = '/usr/bin/prometheus';
const HINT = 'apt-get install -y prometheus';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `if (!requirePrometheusOrSkip(t)) return;` */
export function requirePrometheusOrSkip(t: SkippableTest): boolean {
  const missing = [PROMTOOL, PROMETHEUS].filter((p) => !executable(p));
  if (missing.length === 0) return true;
  const reason = `${missing.join(', ')} missing: ${HINT}`;
  if (process.env['CI'] === 'true') throw new Error(`${reason} (CI=true: the alert and dashboard tests must run)`);
  t.plan(0, `skip: ${reason}`);
  return false;
}

/** promtool's output; on a non-zero exit, an error holding it. */
export function promtool(args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(PROMTOOL, args, { cwd, timeout: 60_000, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`promtool ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`));
      else resolve(`${stdout}${stderr}`);
    });
  });
}
