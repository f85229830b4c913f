// Imitates a hung NFS server for the process that uses a mount: a FUSE pass-through (bindfs)
// from a source directory onto the target path. hang() stops the bindfs process (SIGSTOP), so
// every file call on the target blocks in the kernel exactly as on a dead hard NFS mount;
// resume() (SIGCONT) answers them all. FUSE works here only as root.
//
// Never leaves a stuck mount: stop() always resumes first, then lazily unmounts and ends bindfs;
// if the test process exits or is killed by SIGTERM/SIGINT without stop(), a hook does the same
// synchronously.
//
// Tests: stop the mount before removing its target directory. tap runs teardowns in the order
// they were registered, so a target inside t.testdir() is removed (EBUSY, and a recursive
// delete through the mount) before a later t.teardown(stop) runs; keep the target outside the
// testdir or register the stop first.
//
// The process that owns the handle must not touch the target itself while it is hung (it would
// block its own event loop thread): observe a hang from child processes (see probeStat).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NfsCommandError } from './errors.ts';
import { defaultSearchPath, findExecutable, requireExecutables } from './find-tools.ts';
import { runCommand } from './run-command.ts';
import { settlesWithin } from './wait-for.ts';
import { onProcessEnd } from './process-end.ts';
import { NfsCommandTimeoutError } from './errors.ts';

export interface PassThroughMountOptions {
  /** The directory whose contents appear at target (e.g. the NFS export). */
  source: string;
  /** An existing directory to mount over (e.g. the provisioner's NFS_MOUNT_PATH). */
  target: string;
  searchPath?: string;
  /** How long to wait for the mount to appear; default 10 s. */
  startTimeoutMs?: number;
}

export interface PassThroughMount {
  source: string;
  target: string;
  /** bindfs's process id while it runs. */
  pid: number | undefined;
  /** Every file call on target blocks from now on. */
  hang(): void;
  /** Blocked and new calls are answered again. */
  resume(): void;
  isHung(): boolean;
  /** Resume, lazy-unmount, end bindfs (SIGKILL after a bound). Safe to call twice. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 3_000;

export async function startPassThroughMount(opts: PassThroughMountOptions): Promise<PassThroughMount> {
  const searchPath = opts.searchPath ?? defaultSearchPath();
  const tools = requireExecutables(['bindfs', 'umount'] as const, searchPath);
  const fusermount = findExecutable('fusermount3', searchPath) ?? findExecutable('fusermount', searchPath);
  const source = realpathSync(opts.source);
  const target = realpathSync(opts.target);
  if (!statSync(source).isDirectory() || !statSync(target).isDirectory()) {
    throw new Error(`source and target must be directories: ${source}, ${target}`);
  }
  if (isMountPoint(target)) throw new Error(`${target} is already a mount point`);

  // attr/entry timeouts 0: every stat and lookup goes to bindfs, so a hang is seen at once
  // instead of after the kernel's 1 s attribute cache runs out.
  // bindfs's stderr goes to a file, not a pipe, and the child is unref'd: a test that forgets
  // stop() must still be able to exit, and its exit hook then unmounts.
  const logDir = mkdtempSync(join(tmpdir(), 'bindfs-'));
  const logPath = join(logDir, 'stderr.log');
  const logFd = openSync(logPath, 'w');
  const child: ChildProcess = spawn(
    tools.bindfs,
    ['-f', '-o', 'attr_timeout=0,entry_timeout=0,negative_timeout=0', source, target],
    { stdio: ['ignore', 'ignore', logFd] },
  );
  closeSync(logFd);
  child.unref();
  let stderr = '';
  const readLog = (): string => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (err) => {
    stderr += `${err.message}\n`;
  });
  let hung = false;
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const signal = (sig: NodeJS.Signals): void => {
    if (alive()) child.kill(sig);
  };

  const unmountSync = (): void => {
    if (!isMountPoint(target)) return;
    spawnSync(tools.umount, ['-l', target], { stdio: 'ignore', timeout: 5_000 });
    if (isMountPoint(target) && fusermount !== undefined) {
      spawnSync(fusermount, ['-u', '-z', target], { stdio: 'ignore', timeout: 5_000 });
    }
  };
  const unregisterEndHook = onProcessEnd(() => {
    signal('SIGCONT');
    unmountSync();
    signal('SIGKILL');
    rmSync(logDir, { recursive: true, force: true });
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      child.ref(); // keep the process alive until bindfs is gone
      signal('SIGCONT');
      hung = false;
      if (isMountPoint(target)) {
        const res = await runCommand(tools.umount, ['-l', target], { timeoutMs: 5_000, allowFailure: true });
        if (res.exitCode !== 0 && fusermount !== undefined) {
          await runCommand(fusermount, ['-u', '-z', target], { timeoutMs: 5_000, allowFailure: true });
        }
      }
      signal('SIGTERM');
      const gone = await settlesWithin(exited, STOP_GRACE_MS);
      if (!gone) {
        signal('SIGKILL');
        await exited;
      }
      unregisterEndHook();
      stderr = readLog();
      rmSync(logDir, { recursive: true, force: true });
      if (isMountPoint(target)) throw new Error(`${target} is still mounted after stop()`);
    })();
    return stopping;
  };

  const deadline = performance.now() + (opts.startTimeoutMs ?? 10_000);
  while (!isMountPoint(target)) {
    if (!alive() || performance.now() > deadline) {
      await stop().catch(() => undefined);
      stderr ||= readLog();
      throw new NfsCommandError(`bindfs ${source} ${target}`, child.exitCode, stderr || 'mount did not appear');
    }
    await sleep(10);
  }

  return {
    source,
    target,
    get pid() {
      return alive() ? child.pid : undefined;
    },
    hang() {
      if (!alive()) throw new Error('bindfs is not running');
      child.kill('SIGSTOP');
      hung = true;
    },
    resume() {
      signal('SIGCONT');
      hung = false;
    },
    isHung: () => hung,
    stop,
  };
}

/** Whether path is a mount point, read from /proc/self/mountinfo (never touches path itself). */
export function isMountPoint(path: string): boolean {
  const escaped = path.replace(/\\/g, '\\134').replace(/ /g, '\\040').replace(/\t/g, '\\011').replace(/\n/g, '\\012');
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[4] === escaped);
}

export type ProbeResult = { outcome: 'ok' } | { outcome: 'error'; message: string } | { outcome: 'timeout' };

/**
 * stat()s a path from a child process with a time limit: tells a hung mount ('timeout') from a
 * working one without blocking the caller.
 */
export async function probeStat(path: string, timeoutMs: number): Promise<ProbeResult> {
  try {
    await runCommand(process.execPath, ['-e', 'require("node:fs").statSync(process.argv[1])', path], { timeoutMs });
    return { outcome: 'ok' };
  } catch (err) {
    if (err instanceof NfsCommandTimeoutError) return { outcome: 'timeout' };
    return { outcome: 'error', message: err instanceof Error ? err.message : String(err) };
  }
}
