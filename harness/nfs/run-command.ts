// Runs one external command with a hard time limit. A hung NFS server or FUSE mount makes client
// commands block forever in the kernel or in libnfs, so every call is bounded and the whole
// process group is killed on timeout (nothing is left behind).
import { spawn } from 'node:child_process';
import { NfsCommandError, NfsCommandTimeoutError } from './errors.ts';

export interface RunOptions {
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  input?: Buffer | string;
  /** Resolve even when the exit code is not 0 (the caller inspects it). */
  allowFailure?: boolean;
}

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export function runCommand(file: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const label = [file, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Own process group, so a timeout kills the command and anything it started.
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) {
        reject(new NfsCommandTimeoutError(label, opts.timeoutMs));
        return;
      }
      if (exitCode !== 0 && opts.allowFailure !== true) {
        reject(new NfsCommandError(label, exitCode, stderr || Buffer.concat(out).toString('utf8')));
        return;
      }
      resolve({ exitCode, signal, stdout: Buffer.concat(out), stderr });
    });
    child.stdin.on('error', () => {
      // The command may exit before reading its input; that is reported through its exit code.
    });
    child.stdin.end(opts.input ?? '');
  });
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
