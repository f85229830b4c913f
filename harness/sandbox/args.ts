// Command-line flags of `npm run sandbox` (node:util parseArgs), kept apart from main so tests can
// check them without starting anything.
import { parseArgs } from 'node:util';

/** An export beside `default`: its name and directory (absent: a temporary one). */
export interface SandboxExport {
  name: string;
  dir?: string;
}

export interface SandboxOptions {
  kubeconfigPath?: string;
  exportDir?: string;
  /** Exports beside `default`: those of --export, or `second` in a temporary directory. */
  exports: SandboxExport[];
  port?: number;
  examples: boolean;
  /** Default: the provisioner of the class the sandbox applies. */
  provisionerName?: string;
  nfs: boolean;
  /** The real control plane (kube-apiserver, etcd, kube-controller-manager) instead of the harness. */
  real: boolean;
  exitAfterReady: boolean;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** Extra environment for the provisioner (--provisioner-env KEY=VALUE, repeatable); wins over the sandbox's own. */
  provisionerEnv: Record<string, string>;
}

export type ParsedArgs = { help: true; text: string } | { help: false; options: SandboxOptions };

export const HELP = `Usage: npm run sandbox -- [flags]
       node harness/sandbox/main.ts [flags]

A local Kubernetes API server with the control-plane stand-ins, a directory as the NFS export, and
the provisioner from lib/ as a child process. Shows claims, volumes and export directories live.
Point kubectl at the printed kubeconfig to apply your own claims. Ctrl-C stops everything.

With --real, the same on a real Kubernetes control plane instead: kube-apiserver, etcd and
kube-controller-manager v1.37 built from their Go modules (npm run control-plane:build, needs Go
1.26; ready in a few seconds once built), RBAC enforced, the manifests' RBAC installed and the
provisioner running with its ServiceAccount's token, as in a cluster. Every flag works the same.
No nodes run there: Pods stay Pending, so the example StatefulSet (OrderedReady) gets its first
claim only, www-web-0; the harness's stand-in makes all three.

Flags:
  --real                     the real control plane instead of the local harness (see above)
  --kubeconfig PATH          where to write the kubeconfig (default: a temporary file)
  --export-dir PATH          directory used as the default export (default: a temporary directory, removed on exit)
  --export NAME=DIR          one more export, named NAME (a DNS label), served from DIR, with a class
                             nfs-NAME (parameter export: NAME); repeatable. NAME alone: a temporary
                             directory. Without --export the sandbox serves one more, "second"
  --port N                   API server port on 127.0.0.1 (default: a free port; HTTPS with --real)
  --no-examples              do not create the example claims and StatefulSet
  --provisioner-name NAME    PROVISIONER_NAME (default: the provisioner of the applied StorageClass,
                             k8s-sigs.io/nfs-subdir-external-provisioner as in manifests/)
  --nfs                      also serve the export over a real NFSv4 server (nfs-ganesha on 127.0.0.1);
                             PVs then name that server and path
  --log-level LEVEL          provisioner LOG_LEVEL: error|warn|info|debug (default info)
  --provisioner-env KEY=VALUE
                             environment for the provisioner (repeatable), e.g. USAGE_INTERVAL=5s
                             to see the live table's USED column follow what pods write
  --exit-after-ready         stop everything and exit 0 right after "sandbox ready" (for scripts)
  -h, --help                 show this help
`;

const LEVELS = ['error', 'warn', 'info', 'debug'] as const;

function parseExport(text: string): SandboxExport {
  const at = text.indexOf('=');
  const name = at < 0 ? text : text.slice(0, at);
  const dir = at < 0 ? undefined : text.slice(at + 1);
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/u.test(name)) throw new Error(`--export: "${name}" is not a DNS label (lower-case letters, digits, "-")`);
  if (name === 'default') throw new Error('--export: "default" is the export of --export-dir');
  if (dir === '') throw new Error(`--export: ${name}= names no directory`);
  return dir === undefined ? { name } : { name, dir };
}

export function parseSandboxArgs(argv: string[]): ParsedArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      kubeconfig: { type: 'string' },
      'export-dir': { type: 'string' },
      export: { type: 'string', multiple: true },
      port: { type: 'string' },
      'no-examples': { type: 'boolean', default: false },
      'provisioner-name': { type: 'string' },
      nfs: { type: 'boolean', default: false },
      real: { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
      'exit-after-ready': { type: 'boolean', default: false },
      'provisioner-env': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { help: true, text: HELP };
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: not a port number: ${values.port}`);
  }
  const level = values['log-level'];
  const logLevel = LEVELS.find((l) => l === level);
  if (!logLevel) throw new Error(`--log-level: one of ${LEVELS.join(', ')}, not ${level}`);
  const exports = (values.export ?? []).map(parseExport);
  const names = exports.map((e) => e.name);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw new Error(`--export: "${repeated}" is given twice`);
  const provisionerEnv: Record<string, string> = {};
  for (const pair of values['provisioner-env'] ?? []) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq);
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/u.test(key)) throw new Error(`--provisioner-env: expected KEY=VALUE, not ${pair}`);
    provisionerEnv[key] = pair.slice(eq + 1);
  }
  return {
    help: false,
    options: {
      exports: exports.length > 0 ? exports : [{ name: 'second' }],
      ...(values.kubeconfig !== undefined ? { kubeconfigPath: values.kubeconfig } : {}),
      ...(values['export-dir'] !== undefined ? { exportDir: values['export-dir'] } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(values['provisioner-name'] !== undefined ? { provisionerName: values['provisioner-name'] } : {}),
      examples: !values['no-examples'],
      nfs: values.nfs,
      real: values.real,
      exitAfterReady: values['exit-after-ready'],
      logLevel,
      provisionerEnv,
    },
  };
}
