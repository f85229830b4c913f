// ganesha registers its NFS program with rpcbind at start (it still serves without it, but logs a
// MAJ error and clients that ask the portmapper find nothing). rpcbind is a system daemon: started
// once per machine with `rpcbind -w` (it forks into the background) and left running; it is the
// only thing outside the temporary directories that the harness changes.
import { runCommand } from './run-command.ts';
import { NfsCommandError } from './errors.ts';

export async function ensureRpcbind(rpcbindPath: string, timeoutMs = 10_000): Promise<void> {
  const res = await runCommand(rpcbindPath, ['-w'], { timeoutMs, allowFailure: true });
  if (res.exitCode === 0) return;
  // A second start (another test file got there first) says so and exits 1: that is success.
  if (/already running/i.test(res.stderr)) return;
  throw new NfsCommandError(`${rpcbindPath} -w`, res.exitCode, res.stderr);
}
