// Runs a provisioner as a child process the way a Deployment would run the image: the contract
// env (CONFIG per CONVENTIONS.md), JSON log lines on stdout, readiness on GET /readyz. By default
// `node lib/main.ts`; `command` runs any other provisioner binary through a shell with the same
// env (e.g. the Go nfs-subdir-external-provisioner for comparisons). Children never outlive the
// parent: killed on its exit, and (for node children) a preload watches the parent pid.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './nfs/free-port.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = fileURLToPath(new URL('../lib/main.ts', import.meta.url));
const PARENT_WATCH = fileURLToPath(new URL('./util/parent-watch.js', import.meta.url));

/**
 * The node flags the image runs the provisioner with (Dockerfile ENTRYPOINT, npm start), so tests,
 * the sandbox and the bench run the same process: source-mapped stack traces, and a 2 MiB young
 * generation (V8's default grows to 16 MiB semi-spaces), which keeps a provisioner with 10 000 PVs
 * cached near 125 MiB instead of ~190 MiB at no measured cost in throughput.
 * test/harness/provisioner-process.test.ts checks that the three agree.
 */
export const PROVISIONER_NODE_FLAGS: readonly string[] = ['--enable-source-maps', '--max-semi-space-size=2'];

/**
 * UV_THREADPOOL_SIZE of the image (Dockerfile ENV), npm start and the harness: libuv's pool is
 * shared by every export's fs slots (FS_CONCURRENCY each, 2 by default) and the process's own
 * work; config.ts refuses a pool the slots could fill. 16 holds seven exports at the default.
 * test/harness/provisioner-process.test.ts checks that the three agree.
 */
export const PROVISIONER_THREADPOOL_SIZE = '16';

export interface StartProvisionerOptions {
  kubeconfigPath: string;
  /** The directory the provisioner sees as the mounted export (NFS_MOUNT_PATH). */
  exportDir: string;
  provisionerName: string;
  /** NFS_SERVER recorded on PVs; default 127.0.0.1. */
  nfsServer?: string;
  /** NFS_PATH recorded on PVs; default exportDir (a local directory stands for the server's export). */
  nfsPath?: string;
  /** ENABLE_LEADER_ELECTION; default false (one replica). */
  leaderElection?: boolean;
  /** POD_NAME, the lease identity; default provisioner-<random>. */
  podName?: string;
  /** LOG_LEVEL; default info. */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** Extra or overriding environment variables (win over everything above). */
  env?: Record<string, string>;
  /** A shell command to run instead of `node lib/main.ts`. */
  command?: string;
  /** The entry point node runs (default lib/main.ts; the bench runs the compiled dist/main.js). */
  main?: string;
  /** Working directory; default the repository root. */
  cwd?: string;
  /** Called with every output line as it arrives (the sandbox mirrors logs with it). */
  onLine?: (line: LogLine) => void;
  /** Keep at most this many lines in `logs` (oldest dropped); default 100000. */
  maxLogLines?: number;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
  /** The line parsed as a JSON object, when it is one (winston's JSON format). */
  json?: Record<string, unknown>;
  at: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProvisionerProcess {
  pid: number;
  /** http://127.0.0.1:<port> of /healthz, /readyz, /metrics. */
  httpUrl: string;
  env: Record<string, string>;
  logs: LogLine[];
  /** Resolves when the process has exited. */
  exited: Promise<ExitStatus>;
  /** Resolves once GET /readyz answers 200; rejects if the process exits first or on timeout. */
  waitReady(timeoutMs?: number): Promise<void>;
  /** Resolves with the first line (already seen or future) the predicate accepts. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Sends the signal, waits up to timeoutMs for exit, then SIGKILL. Returns the exit code (null if killed by a signal). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  /** SIGKILL now. */
  kill(): void;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export async function startProvisioner(opts: StartProvisionerOptions): Promise<ProvisionerProcess> {
  const port = await freePort();
  const env: Record<string, string> = {
    KUBECONFIG: opts.kubeconfigPath,
    PROVISIONER_NAME: opts.provisionerName,
    NFS_SERVER: opts.nfsServer ?? '127.0.0.1',
    NFS_PATH: opts.nfsPath ?? opts.exportDir,
    NFS_MOUNT_PATH: opts.exportDir,
    HTTP_LISTEN: `127.0.0.1:${port}`,
    LOG_LEVEL: opts.logLevel ?? 'info',
    ENABLE_LEADER_ELECTION: String(opts.leaderElection ?? false),
    POD_NAME: opts.podName ?? `provisioner-${Math.random().toString(36).slice(2, 10)}`,
    HARNESS_PARENT_PID: String(process.pid),
    UV_THREADPOOL_SIZE: PROVISIONER_THREADPOOL_SIZE,
    ...opts.env,
  };
  // An HTTP_LISTEN given in opts.env is where readiness is probed.
  const httpUrl = `http://${env['HTTP_LISTEN'] ?? `127.0.0.1:${port}`}`;
  // The child gets the parent's PATH and HOME etc., but no provisioner variables it did not ask for.
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !(k in env) && k !== 'NODE_OPTIONS') childEnv[k] = v;
  }
  Object.assign(childEnv, env);

  // Its own process group, so a signal reaches whatever a shell command started too.
  const spawnOpts = { cwd: opts.cwd ?? REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] as ('ignore' | 'pipe')[], detached: true };
  // bash runs a single simple command by exec, so that command's own exit code is reported
  // (dash, Debian's /bin/sh, would stay in between and die of the signal first).
  const shell = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
  const child: ChildProcess = opts.command
    ? spawn(shell, ['-c', opts.command], spawnOpts)
    : spawn(process.execPath, [...PROVISIONER_NODE_FLAGS, '--import', PARENT_WATCH, opts.main ?? MAIN], spawnOpts);
  const pid = child.pid;
  if (pid === undefined) {
    const err = await new Promise<unknown>((resolve) => child.once('error', resolve));
    throw new Error(`could not start the provisioner: ${err instanceof Error ? err.message : String(err)}`);
  }

  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone; the leader may still be a zombie we have not reaped.
      child.kill(signal);
    }
  };
  const groupAlive = (): boolean => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  // Kill on the parent's exit (synchronous, so it also runs on process.exit()).
  const killOnExit = (): void => signalGroup('SIGKILL');
  process.once('exit', killOnExit);

  const logs: LogLine[] = [];
  const maxLines = opts.maxLogLines ?? 100_000;
  const waiters = new Set<(line: LogLine) => void>();
  const onLine = (stream: 'stdout' | 'stderr', text: string): void => {
    const json = stream === 'stdout' ? parseJson(text) : undefined;
    const line: LogLine = { stream, text, at: Date.now(), ...(json ? { json } : {}) };
    logs.push(line);
    if (logs.length > maxLines) logs.splice(0, logs.length - maxLines);
    opts.onLine?.(line);
    for (const w of [...waiters]) w(line);
  };
  if (child.stdout) createInterface({ input: child.stdout }).on('line', (l) => onLine('stdout', l));
  if (child.stderr) createInterface({ input: child.stderr }).on('line', (l) => onLine('stderr', l));

  let exitStatus: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      exitStatus = { code, signal };
      process.removeListener('exit', killOnExit);
      resolve(exitStatus);
    });
  });

  const describeExit = (s: ExitStatus): string => {
    const tail = logs.slice(-10).map((l) => `  ${l.stream}: ${l.text}`).join('\n');
    return `provisioner exited (code ${String(s.code)}, signal ${String(s.signal)}) before it was ready${tail ? `; last output:\n${tail}` : ''}`;
  };

  const waitReady = async (timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (exitStatus) throw new Error(describeExit(exitStatus));
      try {
        const res = await fetch(`${httpUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
        last = `HTTP ${res.status}`;
      } catch (err: unknown) {
        last = err instanceof Error ? err.message : String(err);
      }
      await Promise.race([sleep(100), exited]);
    }
    if (exitStatus) throw new Error(describeExit(exitStatus));
    throw new Error(`provisioner not ready after ${timeoutMs} ms (GET ${httpUrl}/readyz: ${last})`);
  };

  const waitForLog = (predicate: (line: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> => {
    const seen = logs.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no matching provisioner log line within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (line: LogLine): void => {
        if (!predicate(line)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(line);
      };
      waiters.add(waiter);
    });
  };

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<number | null> => {
    if (!exitStatus) {
      signalGroup(signal);
      const timer = setTimeout(() => signalGroup('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
      // The rest of the group (a compound shell command's children) gets the rest of the time.
      const deadline = Date.now() + timeoutMs;
      while (groupAlive() && Date.now() < deadline) await sleep(20);
    }
    // Whatever the child left in its group (a shell command's own children) goes too.
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // nothing left
    }
    return (await exited).code;
  };

  return {
    pid,
    httpUrl,
    env,
    logs,
    exited,
    waitReady,
    waitForLog,
    stop,
    kill: () => {
      if (!exitStatus) signalGroup('SIGKILL');
    },
  };
}
