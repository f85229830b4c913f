// Command-line flags of `npm run test:faults` (node:util parseArgs), apart from main so tests can
// check them without starting anything.
import { parseArgs } from 'node:util';
import type { ClusterKind } from '../../harness/cluster.ts';

export const SCENARIOS = ['crash', 'leader-race', 'api-faults', 'conflicts', 'hung-export', 'export-freeze', 'hostile-input'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
export type Mode = 'full' | 'short';

/**
 * Scenarios that run on the local harness whatever cluster the suite uses: api-faults needs its
 * fault injection (500, 429, latency, dropped watches, a short history for 410) and its restart
 * with state, which the real kube-apiserver does not offer.
 */
export const LOCAL_ONLY: ReadonlySet<ScenarioName> = new Set<ScenarioName>(['api-faults', 'export-freeze']);

export interface FaultOptions {
  mode: Mode;
  seed: number;
  scenarios: ScenarioName[];
  /** --cluster; undefined: harness/cluster-choice.ts decides (E2E_CLUSTER, real by default). */
  cluster: ClusterKind | undefined;
  json: boolean;
  /** Print the provisioners' log lines as they come (stderr). */
  verbose: boolean;
}

export type ParsedArgs = { help: true; text: string } | { help: false; options: FaultOptions };

export const HELP = `Usage: npm run test:faults -- [flags]
       node test/faults/main.ts [flags]

Breaks things on purpose around the provisioner (lib/main.ts as a child process with its
ServiceAccount's token and the shipped RBAC, on a Kubernetes control plane and a local export
directory) and checks by code, after every scenario, that nothing was lost: every claim Bound to
exactly one PV of ours, no two PVs sharing a directory, every PV's directory present, nothing
written outside the export (a sentinel tree beside it is compared byte for byte, modes included),
marker data intact in retained and archived directories, nothing left behind for deleted claims
except as the class says, no request of the provisioner refused (400, 403, 422), and the
provisioner ready again in bounded time.

Settings:
  --full          (default) the full run: 1000-claim crash burst with >= 20 kill -9, 60 s hung export,
                  one of two exports frozen 60 s while 200 claims of the other are made, ...
  --short         the CI setting (what test/faults/faults.test.ts runs inside npm test): same
                  scenarios, fewer claims, kills and seconds
Flags:
  --seed N        seed of the random generator (kill moments, names, fault decisions); printed on
                  every run, pass it again to replay
  --scenario S    run only S (repeatable; comma lists work): ${SCENARIOS.join(', ')}
  --cluster K     real: kube-apiserver, etcd and kube-controller-manager v1.37 built from their Go
                  modules (npm run control-plane:build); local: the harness API server and its
                  stand-ins. Default: E2E_CLUSTER, else real (harness/cluster-choice.ts).
                  ${[...LOCAL_ONLY].join(', ')} always run on local: api-faults needs the harness's
                  fault injection (500, 429, latency, dropped watches, 410) and API server
                  restart; export-freeze times claim-to-PV from the harness store's events
  --json          print the results as JSON on stdout (the table goes to stderr)
  --verbose       mirror the provisioners' log lines to stderr
  --help          this text

Output: a table (scenario, cluster, runs, claims, lost volumes, double provisions, writes outside the export,
data lost, leftovers, worst time to recover, result) and every violation in words. Exit code 1 on
any violation, 2 on bad flags. export-freeze also prints its figures as notes: the healthy
export's claim-to-PV p50/p99 with and without the other frozen, and how soon after the thaw the
frozen export's claims are all Bound. The hung-export, export-freeze and read-only/full-export checks need root, bindfs
and FUSE (apt-get install bindfs fuse3); without them those parts are reported as skipped.
`;

export class ArgsError extends Error {
  override name = 'ArgsError';
}

export function parseFaultArgs(argv: readonly string[], randomSeed: () => number): ParsedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        full: { type: 'boolean' },
        short: { type: 'boolean' },
        seed: { type: 'string' },
        scenario: { type: 'string', multiple: true },
        cluster: { type: 'string' },
        json: { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err: unknown) {
    throw new ArgsError(err instanceof Error ? err.message : String(err));
  }
  if (values.help === true) return { help: true, text: HELP };
  if (values.full === true && values.short === true) throw new ArgsError('--full and --short exclude each other');
  let seed = randomSeed();
  if (values.seed !== undefined) {
    if (!/^[0-9]{1,10}$/.test(values.seed) || Number(values.seed) > 0xffffffff) {
      throw new ArgsError(`--seed: "${values.seed}" is not an integer from 0 to 4294967295`);
    }
    seed = Number(values.seed);
  }
  const wanted = (values.scenario ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  for (const s of wanted) {
    if (!(SCENARIOS as readonly string[]).includes(s)) throw new ArgsError(`--scenario: unknown "${s}" (known: ${SCENARIOS.join(', ')})`);
  }
  const cluster = values.cluster;
  if (cluster !== undefined && cluster !== 'local' && cluster !== 'real') throw new ArgsError(`--cluster: "${cluster}" is neither local nor real`);
  const scenarios = wanted.length === 0 ? [...SCENARIOS] : SCENARIOS.filter((s) => wanted.includes(s));
  return {
    help: false,
    options: { mode: values.short === true ? 'short' : 'full', seed, scenarios, cluster, json: values.json === true, verbose: values.verbose === true },
  };
}
