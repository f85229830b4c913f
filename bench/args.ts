// Command-line flags of `npm run bench` (node:util parseArgs), apart from main so tests can check
// them without starting anything.
import { parseArgs } from 'node:util';

export const SCENARIOS = ['burst', 'api-cost', 'scale', 'reclaim', 'hand-over', 'limit', 'usage'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
export const CLUSTERS = ['real', 'local'] as const;
export type BenchCluster = (typeof CLUSTERS)[number];

/**
 * kube-controller-manager's client rate limit on the real control plane. Its own default (20 qps,
 * burst 30) paces the PV binder below any provisioner: a claim costs the binder 4-5 writes, so
 * 1000 claims given pre-bound PVs took 151 s to bind at 20 qps, 43.6 s at 200 and 36.5 s at 1000
 * (2 cores, load ~22). At 1000 the client-side limit is out of the way and the binder's own pace
 * (one worker per queue) is what a burst and its ceiling both meet.
 */
export const DEFAULT_KCM_QPS = 1000;
/** The PV binder's full resync: Kubernetes' default (the test default, 2 s, rescans 50 000 claims every 2 s). */
export const DEFAULT_BINDER_SYNC_PERIOD = '15s';
/** Without --scenario: all but usage, which writes a million files and is asked for by name. */
export const DEFAULT_SCENARIOS: readonly ScenarioName[] = SCENARIOS.filter((s) => s !== 'usage');

export interface BenchOptions {
  scenarios: ScenarioName[];
  /** real: kube-apiserver, etcd and kube-controller-manager (harness/control-plane); local: the harness API server and stand-ins. */
  cluster: BenchCluster;
  /** real: kube-controller-manager's --kube-api-qps (burst twice that). */
  kcmQps: number;
  /** real: kube-controller-manager's --pvclaimbinder-sync-period. */
  binderSyncPeriod: string;
  /** With --provisioner-cmd: run ours too, each scenario ours first, then the command (one run, side by side). */
  withOurs: boolean;
  /** real: RBAC manifest file the command is deployed with; it runs as that file's ServiceAccount. Default: the shipped RBAC. */
  rbac?: string;
  /** Claims of burst and reclaim for the command (default --claims). */
  cmdClaims?: number;
  /** PV counts of scale for the command (default --pvs). */
  cmdPvs?: number[];
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
  /** PV counts of scale, ascending: measured one after another on one cluster, seeded up to each. */
  pvs: number[];
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

Measures a provisioner on a Kubernetes control plane, each scenario on a fresh cluster and a fresh
export directory. By default the real one (--cluster real): kube-apiserver, etcd and
kube-controller-manager built by npm run control-plane:build, RBAC enforced, the provisioner running
with its ServiceAccount's token. JSON results go to stdout (or --out), a table and progress lines
to stderr. Every result carries the CPU seconds of kube-apiserver, etcd and
kube-controller-manager (and of the bench itself) during its measured phase, beside the
provisioner's, and the load average at its start and end.

Scenarios (--scenario, repeatable; default: all but usage, in this order):
  burst      --claims claims created at once (--concurrency requests in flight); time until all are
             Bound, claims/s, latency claim -> PV created and claim -> Bound (p50/p90/p99/max,
             from the bench's own watch, millisecond clock), API requests and CPU ms per claim
  api-cost   the provisioner's own requests per provisioned claim by verb and resource (on the
             real control plane: every request its user made; on the harness: everything not sent
             by the bench or the stand-ins), and its requests while idle for --steady-seconds
             afterwards (getsInSteadyState = GETs in that window)
  scale      RSS and CPU of the provisioner idle on an empty cluster; then, for each --pvs count,
             that many bound PVs and claims of its class (seeded up to the count; managedFields
             as the server records them) and a restart: start-up time (spawn -> /readyz for ours,
             and spawn -> PV of a new claim for any provisioner), RSS (now and peak), CPU seconds
  reclaim    --claims claims provisioned, then all deleted at once; time until every PV is gone
             and every directory is archived (class archiveOnDelete "true")
  hand-over  two replicas with leader election; time from SIGTERM of the leader, then from
             kill -9 of the leader, until the other one provisions a new claim
  limit      no provisioner: the ceilings of this control plane on this machine, each for
             --claims objects with a bare client (@kubernetes/client-node, --concurrency in flight):
             PV creates; the bound ceiling (claims each answered at once with a pre-bound PV, until
             all Bound: the binder included); the reclaim ceiling (those claims deleted, each PV
             released by the binder then un-finalized and deleted at once: 2 requests, as ours)
  usage      ours only: --usage-volumes claims provisioned, --usage-files files written into
             their directories; a --usage-burst claim burst with the usage walker off, then the
             same burst while the walker's first full pass runs: pass time, files/s, the
             provisioner's CPU and RSS during the pass, claim -> PV p99 of both bursts, and the
             usage annotation patches of the first and of the second pass

Flags:
  --cluster real|local     real (default): the control plane above; needs npm run control-plane:build
                           (Go 1.26). local: harness/apiserver and the stand-ins in harness/controllers,
                           in the bench's process (no Go; faster, but the binder is our reading of
                           kube-controller-manager's and no RBAC is enforced)
  --kcm-qps N              real: kube-controller-manager's client rate limit, burst 2N (default
                           ${String(DEFAULT_KCM_QPS)}; Kubernetes' own default is 20/30)
  --binder-sync-period D   real: its PV binder's resync period (default ${DEFAULT_BINDER_SYNC_PERIOD}, Kubernetes' default)
  --source                 run ours from lib/main.ts through Node's type stripping, as the tests do
                           (about 30 MiB more RSS); by default the bench first compiles lib/ to
                           dist/ (npm run build) and runs dist/main.js, as the image does
  --provisioner-cmd 'CMD'  run CMD (through bash) instead of ours: any provisioner binary. It gets the
                           environment KUBECONFIG, PROVISIONER_NAME, NFS_SERVER (127.0.0.1),
                           NFS_PATH, NFS_MOUNT_PATH and EXPORT_DIR (both the export directory),
                           ENABLE_LEADER_ELECTION, POD_NAME, POD_NAMESPACE, HTTP_LISTEN; use
                           "$EXPORT_DIR" in CMD to pass the directory as an argument. Readiness for
                           any command = it provisions a probe claim (plus GET /readyz when it answers).
  --with-ours              with --provisioner-cmd: also run ours, each scenario ours first and then
                           CMD, in one run
  --cmd-claims N           claims of burst and reclaim for CMD (default --claims; a slow one needs fewer)
  --cmd-pvs N              scale's PV counts for CMD (repeatable; default --pvs)
  --rbac FILE              real, with --provisioner-cmd: the RBAC manifest CMD is deployed with
                           (ServiceAccount, ClusterRole, Role and their bindings, as its project ships
                           them); installed, and CMD runs with that ServiceAccount's token and
                           POD_NAMESPACE its namespace. Default: the shipped RBAC of manifests/base,
                           as ours (a drop-in that needs more permissions then fails visibly)
  --mount-at PATH          run CMD in a private mount namespace with the export bind-mounted at
                           PATH, for programs that hard-code their mount path, e.g.
                           --mount-at /persistentvolumes for nfs-subdir-external-provisioner. Needs
                           root (util-linux unshare + mount): the command becomes
                             unshare --mount --propagation private sh -c \\
                               'mkdir -p PATH && mount --bind "$EXPORT_DIR" PATH && exec bash -c "$CMD"'
                           NFS_MOUNT_PATH is then PATH. (PATH is created on the host if missing;
                           the bind mount is invisible outside the namespace and ends with it.)
  --label NAME             the "provisioner" field of CMD's results (default: the command)
  --env KEY=VALUE          extra environment for every provisioner under test (repeatable), e.g.
                           --env KUBE_API_QPS=5 --env WORKERS=4
  --scenario NAME          one of ${SCENARIOS.join(', ')} (repeatable)
  --claims N               claims per burst / reclaim, objects of the limit ceilings (default 1000)
  --api-cost-claims N      claims of the api-cost scenario (default: --claims, at most 100)
  --pvs N                  existing PVs and claims for scale (repeatable, e.g. --pvs 10000 --pvs 50000;
                           default 10000)
  --concurrency N          create requests in flight from the bench (default 16)
  --steady-seconds N       idle window for steady-state requests (default 5)
  --timeout-seconds N      give up on a scenario phase after N s and report what finished (default 300)
  --usage-volumes N        volumes of the usage scenario (default 1000)
  --usage-files N          files spread over them (default 1000000)
  --usage-burst N          claims of each burst in the usage scenario (default 200)
  --out FILE               write the JSON there instead of stdout
  -h, --help               show this help

Examples:
  npm run bench -- --scenario burst --scenario limit
  npm run bench -- --scenario scale --pvs 10000 --pvs 50000
  Side by side with any other provisioner binary (as root for --mount-at), in one run:
  npm run bench -- --with-ours --provisioner-cmd /path/to/nfs-subdir-external-provisioner \\
      --mount-at /persistentvolumes --rbac /path/to/its/deploy/rbac.yaml --label go --cmd-claims 200
`;

function positiveInt(flag: string, raw: string | undefined, dflt: number, min = 1): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag}: expected an integer >= ${min}, not ${raw}`);
  return n;
}

function oneOf<T extends string>(flag: string, raw: string | undefined, allowed: readonly T[], dflt: T): T {
  if (raw === undefined) return dflt;
  const found = allowed.find((a) => a === raw);
  if (found === undefined) throw new Error(`${flag}: one of ${allowed.join(', ')}, not ${raw}`);
  return found;
}

/** Ascending and without repeats: scale seeds up to each count in turn on one cluster. */
function counts(flag: string, raws: readonly string[] | undefined, dflt: number[]): number[] {
  if (raws === undefined || raws.length === 0) return dflt;
  return [...new Set(raws.map((r) => positiveInt(flag, r, 0, 0)))].sort((a, b) => a - b);
}

export function parseBenchArgs(argv: string[]): ParsedArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      cluster: { type: 'string' },
      'kcm-qps': { type: 'string' },
      'binder-sync-period': { type: 'string' },
      'provisioner-cmd': { type: 'string' },
      'with-ours': { type: 'boolean', default: false },
      'cmd-claims': { type: 'string' },
      'cmd-pvs': { type: 'string', multiple: true },
      rbac: { type: 'string' },
      'mount-at': { type: 'string' },
      label: { type: 'string' },
      env: { type: 'string', multiple: true },
      scenario: { type: 'string', multiple: true },
      claims: { type: 'string' },
      'api-cost-claims': { type: 'string' },
      pvs: { type: 'string', multiple: true },
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
  const cluster = oneOf('--cluster', values.cluster, CLUSTERS, 'real');
  const cmd = values['provisioner-cmd'];
  const withOurs = values['with-ours'];
  if (cmd !== undefined && cmd.trim() === '') throw new Error('--provisioner-cmd: empty command');
  for (const flag of ['with-ours', 'cmd-claims', 'cmd-pvs', 'rbac', 'mount-at'] as const) {
    const v = values[flag];
    if (cmd === undefined && v !== undefined && v !== false) throw new Error(`--${flag}: only with --provisioner-cmd`);
  }
  if (cmd !== undefined && values.source && !withOurs) throw new Error('--source: only for ours, not with --provisioner-cmd (unless --with-ours)');
  for (const flag of ['kcm-qps', 'binder-sync-period', 'rbac'] as const) {
    if (cluster === 'local' && values[flag] !== undefined) throw new Error(`--${flag}: only with --cluster real`);
  }
  const period = values['binder-sync-period'] ?? DEFAULT_BINDER_SYNC_PERIOD;
  if (!/^\d+(ms|s|m)$/.test(period)) throw new Error(`--binder-sync-period: a duration such as 15s or 500ms, not ${period}`);
  const mountAt = values['mount-at'];
  if (mountAt !== undefined && !mountAt.startsWith('/')) throw new Error(`--mount-at: an absolute path, not ${mountAt}`);
  const apiCostClaims = values['api-cost-claims'];
  const cmdClaims = values['cmd-claims'];
  const cmdPvs = values['cmd-pvs'];
  return {
    help: false,
    options: {
      scenarios: scenarios.length ? scenarios : [...DEFAULT_SCENARIOS],
      cluster,
      kcmQps: positiveInt('--kcm-qps', values['kcm-qps'], DEFAULT_KCM_QPS),
      binderSyncPeriod: period,
      withOurs,
      ...(cmd !== undefined ? { provisionerCmd: cmd } : {}),
      ...(values.rbac !== undefined ? { rbac: values.rbac } : {}),
      ...(cmdClaims !== undefined ? { cmdClaims: positiveInt('--cmd-claims', cmdClaims, 1) } : {}),
      ...(cmdPvs !== undefined ? { cmdPvs: counts('--cmd-pvs', cmdPvs, []) } : {}),
      ...(values.label !== undefined ? { label: values.label } : {}),
      ...(mountAt !== undefined ? { mountAt } : {}),
      source: values.source,
      env,
      claims: positiveInt('--claims', values.claims, 1000),
      ...(apiCostClaims !== undefined ? { apiCostClaims: positiveInt('--api-cost-claims', apiCostClaims, 1) } : {}),
      pvs: counts('--pvs', values.pvs, [10_000]),
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
