// Command-line flags of `npm run bench` (node:util parseArgs), apart from main so tests can check
// them without starting anything.
import { parseArgs } from 'node:util';

export const SCENARIOS = ['burst', 'api-cost', 'scale', 'reclaim', 'hand-over', 'limit', 'usage'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
/** Without --scenario: all but usage, which writes a million files and is asked for by name. */
export const DEFAULT_SCENARIOS: readonly ScenarioName[] = SCENARIOS.filter((s) => s !== 'usage');

export interface BenchOptions {
  scenarios: ScenarioName[];
  /** Undefined: ours (compiled to dist/main.js, as in the image; lib/main.ts with `source`). */
  provisionerCmd?: string;
  /** Run ours from lib/main.ts through Node's type stripping instead of compiling it first. */
  source: boolean;
  /** Label for the `provisioner` field; default 'ours' or the command. */
  label?: string;
  /** Bind the export at this path inside a private mount namespace (needs root). */
  mountAt?: string;
  /** Extra env for the provisioner under test, KEY=VALUE. */
  env: Record<string, string>;
  claims: number;
  /** Claims of the api-cost scenario (default: --claims). */
  apiCostClaims?: number;
  pvs: number;
  concurrency: number;
  steadySeconds: number;
  timeoutSeconds: number;
  /** usage: volumes seeded, files spread over them, claims in the burst during the pass. */
  usageVolumes: number;
  usageFiles: number;
  usageBurst: number;
  out?: string;
}

export type ParsedArgs = { help: true; text: string } | { help: false; options: BenchOptions };

export const HELP = `Usage: npm run bench -- [flags]
       node bench/main.ts [flags]

Measures a provisioner on the harness (API server + control-plane stand-ins from harness/), each
scenario on a fresh cluster and a fresh export directory. JSON results go to stdout (or --out), a
table and progress lines to stderr.

Scenarios (--scenario, repeatable; default: all but usage, in this order):
  burst      --claims claims created at once (--concurrency requests in flight); time until all are
             Bound, claims/s, latency claim -> PV created and claim -> Bound (p50/p90/p99/max,
             from the bench's own watch, millisecond clock), API requests per claim
  api-cost   the provisioner's own requests per provisioned claim by verb and resource (everything
             not sent by the bench or the harness's controllers), and its requests while idle
             for --steady-seconds afterwards (getsInSteadyState = GETs in that window)
  scale      RSS and CPU of the provisioner idle on an empty cluster; then with --pvs bound PVs
             and claims of its class (carrying managedFields as a real cluster's do): start-up time (spawn -> /readyz for ours, and spawn -> PV
             of a new claim for any provisioner), RSS (now and peak) and CPU seconds
  reclaim    --claims claims provisioned, then all deleted at once; time until every PV is gone
             and every directory is archived (class archiveOnDelete "true")
  hand-over  two replicas with leader election; time from SIGTERM of the leader, then from
             kill -9 of the leader, until the other one provisions a new claim
  limit      no provisioner: a bare client (@kubernetes/client-node, --concurrency in flight)
             creates --claims PVs directly: the ceiling the API server allows
  usage      ours only: --usage-volumes claims provisioned, --usage-files files written into
             their directories; a --usage-burst claim burst with the usage walker off, then the
             same burst while the walker's first full pass runs: pass time, files/s, the
             provisioner's CPU and RSS during the pass, claim -> PV p99 of both bursts, and the
             usage annotation patches of the first and of the second pass

Flags:
  --source                 run ours from lib/main.ts through Node's type stripping, as the tests do
                           (about 30 MiB more RSS); by default the bench first compiles lib/ to
                           dist/ (npm run build) and runs dist/main.js, as the image does
  --provisioner-cmd 'CMD'  run CMD (through bash) instead of ours. It gets the
                           environment KUBECONFIG, PROVISIONER_NAME, NFS_SERVER (127.0.0.1),
                           NFS_PATH, NFS_MOUNT_PATH and EXPORT_DIR (both the export directory),
                           ENABLE_LEADER_ELECTION, POD_NAME, HTTP_LISTEN; use "$EXPORT_DIR" in CMD
                           to pass the directory as an argument. Readiness for any command = it
                           provisions a probe claim (plus GET /readyz when it answers).
  --mount-at PATH          run CMD in a private mount namespace with the export bind-mounted at
                           PATH, for programs that hard-code their mount path, e.g.
                           --mount-at /persistentvolumes for nfs-subdir-external-provisioner. Needs
                           root (util-linux unshare + mount): the command becomes
                             unshare --mount --propagation private sh -c \\
                               'mkdir -p PATH && mount --bind "$EXPORT_DIR" PATH && exec bash -c "$CMD"'
                           NFS_MOUNT_PATH is then PATH. (PATH is created on the host if missing;
                           the bind mount is invisible outside the namespace and ends with it.)
  --label NAME             the "provisioner" field in results (default: ours, or the command)
  --env KEY=VALUE          extra environment for the provisioner under test (repeatable), e.g.
                           --env KUBE_API_QPS=5 --env WORKERS=4
  --scenario NAME          one of ${SCENARIOS.join(', ')} (repeatable)
  --claims N               claims per burst / reclaim, PVs for limit (default 1000)
  --api-cost-claims N      claims of the api-cost scenario (default: --claims)
  --pvs N                  existing PVs and claims for scale (default 10000)
  --concurrency N          create requests in flight from the bench (default 16)
  --steady-seconds N       idle window for steady-state requests (default 5)
  --timeout-seconds N      give up on a scenario phase after N s and report what finished (default 300)
  --usage-volumes N        volumes of the usage scenario (default 1000)
  --usage-files N          files spread over them (default 1000000)
  --usage-burst N          claims of each burst in the usage scenario (default 200)
  --out FILE               write the JSON there instead of stdout
  -h, --help               show this help

Example, side by side with the Go provisioner built elsewhere (as root):
  npm run bench -- --scenario burst --scenario limit
  npm run bench -- --scenario burst --provisioner-cmd /tmp/go-nfs/nfs-subdir-external-provisioner \\
      --mount-at /persistentvolumes --label go-nfs-subdir
`;

function positiveInt(flag: string, raw: string | undefined, dflt: number, min = 1): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag}: expected an integer >= ${min}, not ${raw}`);
  return n;
}

export function parseBenchArgs(argv: string[]): ParsedArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      'provisioner-cmd': { type: 'string' },
      'mount-at': { type: 'string' },
      label: { type: 'string' },
      env: { type: 'string', multiple: true },
      scenario: { type: 'string', multiple: true },
      claims: { type: 'string' },
      'api-cost-claims': { type: 'string' },
      pvs: { type: 'string' },
      concurrency: { type: 'string' },
      'steady-seconds': { type: 'string' },
      'timeout-seconds': { type: 'string' },
      'usage-volumes': { type: 'string' },
      'usage-files': { type: 'string' },
      'usage-burst': { type: 'string' },
      out: { type: 'string' },
      source: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { help: true, text: HELP };
  const scenarios: ScenarioName[] = [];
  for (const s of values.scenario ?? []) {
    const found = SCENARIOS.find((n) => n === s);
    if (!found) throw new Error(`--scenario: one of ${SCENARIOS.join(', ')}, not ${s}`);
    if (!scenarios.includes(found)) scenarios.push(found);
  }
  const env: Record<string, string> = {};
  for (const kv of values.env ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Error(`--env: expected KEY=VALUE, not ${kv}`);
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const cmd = values['provisioner-cmd'];
  if (cmd !== undefined && cmd.trim() === '') throw new Error('--provisioner-cmd: empty command');
  if (cmd !== undefined && values.source) throw new Error('--source: only for ours, not with --provisioner-cmd');
  const mountAt = values['mount-at'];
  if (mountAt !== undefined) {
    if (cmd === undefined) throw new Error('--mount-at: only with --provisioner-cmd');
    if (!mountAt.startsWith('/')) throw new Error(`--mount-at: an absolute path, not ${mountAt}`);
  }
  const apiCostClaims = values['api-cost-claims'];
  return {
    help: false,
    options: {
      scenarios: scenarios.length ? scenarios : [...DEFAULT_SCENARIOS],
      ...(cmd !== undefined ? { provisionerCmd: cmd } : {}),
      ...(values.label !== undefined ? { label: values.label } : {}),
      ...(mountAt !== undefined ? { mountAt } : {}),
      source: values.source,
      env,
      claims: positiveInt('--claims', values.claims, 1000),
      ...(apiCostClaims !== undefined ? { apiCostClaims: positiveInt('--api-cost-claims', apiCostClaims, 1) } : {}),
      pvs: positiveInt('--pvs', values.pvs, 10_000, 0),
      concurrency: positiveInt('--concurrency', values.concurrency, 16),
      steadySeconds: positiveInt('--steady-seconds', values['steady-seconds'], 5, 0),
      timeoutSeconds: positiveInt('--timeout-seconds', values['timeout-seconds'], 300),
      usageVolumes: positiveInt('--usage-volumes', values['usage-volumes'], 1000),
      usageFiles: positiveInt('--usage-files', values['usage-files'], 1_000_000, 0),
      usageBurst: positiveInt('--usage-burst', values['usage-burst'], 200),
      ...(values.out !== undefined ? { out: values.out } : {}),
    },
  };
}
