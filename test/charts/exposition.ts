// What a provisioner's /metrics exposes: every series name (a histogram's _bucket, _sum and _count
// included) with the label names its samples carry. A family without samples yet is known by name
// but with no labels, so a query filtering or grouping it by a label fails the check until the test
// has made the provisioner produce that series.

export type Exposed = Map<string, Set<string>>;

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+\S+/u;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/gu;

function add(exposed: Exposed, name: string, labels: Iterable<string> = []): void {
  const set = exposed.get(name) ?? new Set<string>();
  for (const l of labels) set.add(l);
  exposed.set(name, set);
}

/** Adds one exposition text to `into` (several replicas' texts make one picture). */
export function readExposition(text: string, into: Exposed = new Map()): Exposed {
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/u.exec(line);
    if (type?.[1] !== undefined) {
      const [name, kind] = [type[1], type[2]];
      if (kind === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) add(into, `${name}${suffix}`);
      else if (kind === 'summary') for (const suffix of ['', '_sum', '_count']) add(into, `${name}${suffix}`);
      else add(into, name);
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = SAMPLE.exec(line);
    if (sample?.[1] === undefined) continue;
    add(into, sample[1], [...(sample[2] ?? '').matchAll(LABEL)].map((m) => m[1] ?? ''));
  }
  return into;
}
