// One control-plane process (etcd, kube-apiserver, kube-controller-manager): its output goes to
// a log file in the control plane's directory (the tail is quoted when it fails), and it never
// outlives its parent: setpriv sets PR_SET_PDEATHSIG, so even a parent killed by SIGKILL takes
// it down, and a parent that exits normally kills it from its exit hook.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { onProcessEnd } from '../nfs/process-end.ts';

export interface Daemon {
  name: string;
  pid: number | undefined;
  logFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running: () => boolean;
  /** The last lines of its log, for error messages. */
  tail(lines?: number): string;
  /** SIGTERM, then SIGKILL after graceMs. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

export function startDaemon(name: string, binary: string, args: readonly string[], logFile: string, env: NodeJS.ProcessEnv = process.env): Daemon {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child: ChildProcess = spawn('setpriv', ['--pdeathsig', 'SIGKILL', '--', binary, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
    child.once('error', () => {
      resolve({ code: -1, signal: null });
    });
  });
  const unregister = onProcessEnd(() => {
    child.kill('SIGKILL');
  });
  void exited.then(() => {
    unregister();
    log.end();
  });
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  let stopping: Promise<void> | undefined;
  return {
    name,
    pid: child.pid,
    logFile,
    exited,
    running,
    tail(lines = 20) {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    stop(graceMs = 5000) {
      stopping ??= (async () => {
        if (!running()) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
