// The metric and label names a PromQL query refers to, so a test can check them against what the
// provisioner exposes. Prometheus 2.42 (Debian's) has no parse_query API, so this is a scanner over
// the query's tokens; the query's syntax itself is checked by Prometheus (format_query). It knows
// the PromQL the chart's dashboard and alerts use: selectors with matchers, range and subquery
// brackets, function calls, by/without/on/ignoring/group_left/group_right lists.

export interface Selector {
  readonly metric: string;
  /** Label names its matchers use. */
  readonly labels: readonly string[];
}

export interface QueryNames {
  readonly selectors: readonly Selector[];
  /** Label names of by/without/on/ignoring/group_left/group_right lists. */
  readonly grouping: readonly string[];
}

type Token = { kind: 'ident' | 'string' | 'number' | 'punct'; text: string };

const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'atan2']);
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile']);

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s+|(?<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)|(?<number>\d[\w.]*|\.\d\w*)|(?<ident>[a-zA-Z_:][a-zA-Z0-9_:]*)|(?<punct>=~|!~|!=|==|<=|>=|[{}()[\],=<>+\-*/%^@:])/uy;
  let index = 0;
  while (index < query.length) {
    pattern.lastIndex = index;
    const m = pattern.exec(query);
    if (m === null) throw new Error(`cannot read the query at ${index}: ${query.slice(index, index + 20)}`);
    index = pattern.lastIndex;
    const groups = m.groups ?? {};
    for (const kind of ['string', 'number', 'ident', 'punct'] as const) {
      const text = groups[kind];
      if (text !== undefined) tokens.push({ kind, text });
    }
  }
  return tokens;
}

/** The names a query uses. Throws on a query it cannot read (better than a silent pass). */
export function queryNames(query: string): QueryNames {
  const tokens = tokenize(query);
  const selectors: Selector[] = [];
  const grouping: string[] = [];
  let i = 0;
  const at = (k: number): Token | undefined => tokens[k];
  /** Reads `{ l op "v", ... }` from tokens[i] (the `{`); returns the label names. */
  const matchers = (): string[] => {
    const labels: string[] = [];
    i += 1;
    while (at(i) !== undefined && at(i)?.text !== '}') {
      const name = at(i);
      const op = at(i + 1);
      const value = at(i + 2);
      if (name?.kind !== 'ident' || op?.kind !== 'punct' || value?.kind !== 'string') throw new Error(`unexpected matcher in ${query}`);
      labels.push(name.text);
      i += 3;
      if (at(i)?.text === ',') i += 1;
    }
    i += 1;
    return labels;
  };
  while (i < tokens.length) {
    const token = tokens[i];
    if (token === undefined) break;
    if (token.text === '[') {
      // A range or subquery: durations only.
      while (i < tokens.length && at(i)?.text !== ']') i += 1;
      i += 1;
      continue;
    }
    if (token.kind === 'punct' && token.text === '{') {
      selectors.push({ metric: '', labels: matchers() });
      continue;
    }
    if (token.kind !== 'ident') {
      i += 1;
      continue;
    }
    const next = at(i + 1);
    if (GROUPING.has(token.text) && next?.text === '(') {
      i += 2;
      while (at(i) !== undefined && at(i)?.text !== ')') {
        const label = at(i);
        if (label?.kind === 'ident') grouping.push(label.text);
        i += 1;
      }
      i += 1;
      continue;
    }
    const aggregationFirst = AGGREGATIONS.has(token.text) && (next?.text === 'by' || next?.text === 'without');
    if (KEYWORDS.has(token.text.toLowerCase()) || next?.text === '(' || aggregationFirst) {
      i += 1; // an operator keyword, or a function or aggregation (`sum by (x) (...)` too)
      continue;
    }
    i += 1;
    selectors.push({ metric: token.text, labels: at(i)?.text === '{' ? matchers() : [] });
  }
  return { selectors, grouping };
}

/** Label names a Grafana legend format refers to (`{{namespace}}/{{persistentvolumeclaim}}`). */
export function legendLabels(legendFormat: string): string[] {
  return [...legendFormat.matchAll(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/gu)].map((m) => m[1] ?? '');
}
