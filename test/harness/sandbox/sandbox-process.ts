// Runs `npm run sandbox` (harness/sandbox/main.ts) as a child for the sandbox tests: its output,
// a wait for a line, its exit, and the processes it started (from /proc), so a test can check
// that none outlives it.
import type { Test } from 'tap';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

export const run = promisify(execFile);
export const MAIN = fileURLToPath(new URL('../../../harness/sandbox/main.ts', import.meta.url));

export interface Sandbox {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  waitFor: (re: RegExp, timeoutMs?: number) => Promise<RegExpExecArray>;
  exit: Promise<number | null>;
  /** The exit code and the signal that ended it, for tests that tell the two apart. */
  exitStatus: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startSandbox(t: Test, args: string[]): Sandbox {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exitStatus = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const exit = exitStatus.then(({ code }) => code);
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    output: () => out,
    exit,
    exitStatus,
    async waitFor(re, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const m = re.exec(out);
        if (m) return m;
        if (child.exitCode !== null) break;
        await sleep(50);
      }
      throw new Error(`sandbox output never matched ${String(re)}:\n${out}`);
    },
  };
}

// Children of a pid, from /proc (every process the sandbox started has it as an ancestor).
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(d), ppid);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [c, pp] of parentOf) {
      if (pp !== p) continue;
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}
export const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
