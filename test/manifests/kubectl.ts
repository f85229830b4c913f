// Runs the installed kubectl (1.32) the way an operator would; output on success, the command and
// its stderr in the error otherwise.
import { execFile } from 'node:child_process';

export interface KubectlOptions {
  /** Talk to this cluster; without it only offline commands (kustomize) work. */
  readonly kubeconfig?: string;
  /** Standard input (for `-f -`). */
  readonly input?: string;
}

/** stdout and stderr of a successful run (stderr holds the API server's warnings). */
export function kubectlOutput(args: readonly string[], opts: KubectlOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const fullArgs = opts.kubeconfig === undefined ? [...args] : ['--kubeconfig', opts.kubeconfig, ...args];
  return new Promise((resolve, reject) => {
    const child = execFile('kubectl', fullArgs, { maxBuffer: 16 << 20, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kubectl ${fullArgs.join(' ')}: ${err.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
    child.stdin?.end(opts.input ?? '');
  });
}

export async function kubectl(args: readonly string[], opts: KubectlOptions = {}): Promise<string> {
  return (await kubectlOutput(args, opts)).stdout;
}
