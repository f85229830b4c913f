// pathPattern: the Go project's template syntax (`${.PVC.namespace}`, `${.PVC.name}`,
// `${.PVC.labels.X}`, `${.PVC.annotations.X}`) plus `${.PV.name}`. Parsed once into components
// so that only the pattern's own `/` makes path levels: a value is always text inside one
// component (see path-sanitize.ts for the mapping).
//
// Where we differ from the Go project, on purpose: an unknown variable (`${.PVC.foo}`), an
// unclosed `${` or a `..` component written in the pattern are refused instead of expanding to
// empty text or escaping the export. Like Go's filepath.Join, empty components written in the
// pattern (a leading `/`, `a//b`) and literal `.` components are dropped. Unlike Go, a component
// whose variables expand to nothing becomes `%empty` instead of vanishing: every claim of a class then
// gets the same depth, so a missing label or an empty annotation can never make one tenant's volume
// the parent directory of other volumes (Go's `${.PVC.namespace}/${.PVC.annotations.x}` with an
// empty `x` handed out the whole namespace directory). Only a result that is empty throughout falls
// back to the default name.
import { neutralizeDots, safeComponent, sanitizeValue, shortenComponent } from './path-sanitize.ts';

export type TemplateVariable =
  | { readonly kind: 'namespace' }
  | { readonly kind: 'name' }
  | { readonly kind: 'pvName' }
  | { readonly kind: 'label'; readonly key: string }
  | { readonly kind: 'annotation'; readonly key: string };

type Token = { readonly text: string } | { readonly variable: TemplateVariable };

/** A parsed pattern: components (split on the pattern's `/`), each a list of text and variables. */
export interface PathPattern {
  readonly source: string;
  readonly components: readonly (readonly Token[])[];
}

export type PathPatternResult =
  | { readonly ok: true; readonly pattern: PathPattern }
  | { readonly ok: false; readonly message: string };

export interface TemplateValues {
  readonly namespace: string;
  readonly name: string;
  readonly pvName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

const VARIABLE = /\$\{([^}]*)\}/g;

function parseVariable(inner: string): TemplateVariable | undefined {
  switch (inner) {
    case '.PVC.namespace':
      return { kind: 'namespace' };
    case '.PVC.name':
      return { kind: 'name' };
    case '.PV.name':
      return { kind: 'pvName' };
  }
  for (const [prefix, kind] of [['.PVC.labels.', 'label'], ['.PVC.annotations.', 'annotation']] as const) {
    if (inner.startsWith(prefix) && inner.length > prefix.length) {
      return { kind, key: inner.slice(prefix.length) };
    }
  }
  return undefined;
}

const KNOWN = '${.PVC.namespace}, ${.PVC.name}, ${.PVC.labels.<key>}, ${.PVC.annotations.<key>}, ${.PV.name}';

export function parsePathPattern(source: string): PathPatternResult {
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(source)) {
    return { ok: false, message: 'pathPattern contains a control character' };
  }
  const components: Token[][] = [[]];
  const addText = (text: string): void => {
    const parts = text.split('/');
    parts.forEach((part, index) => {
      if (index > 0) components.push([]);
      if (part !== '') components.at(-1)?.push({ text: part });
    });
  };
  let last = 0;
  for (const match of source.matchAll(VARIABLE)) {
    const inner = match[1] ?? '';
    const variable = parseVariable(inner);
    if (variable === undefined) {
      return { ok: false, message: `pathPattern has an unknown variable "\${${inner}}"; known: ${KNOWN}` };
    }
    addText(source.slice(last, match.index));
    components.at(-1)?.push({ variable });
    last = match.index + match[0].length;
  }
  const rest = source.slice(last);
  if (rest.includes('${')) {
    return { ok: false, message: `pathPattern has an unclosed "\${" in "${source}"` };
  }
  addText(rest);

  const kept: Token[][] = [];
  for (const tokens of components) {
    const literal = tokens.every((token) => 'text' in token);
    const text = tokens.map((token) => ('text' in token ? token.text : '')).join('');
    if (literal && text === '..') {
      return { ok: false, message: `pathPattern "${source}" has a ".." component; it must stay inside the export` };
    }
    if (tokens.length === 0 || (literal && text === '.')) continue;
    kept.push(tokens);
  }
  return { ok: true, pattern: { source, components: kept } };
}

function valueOf(variable: TemplateVariable, values: TemplateValues): string {
  switch (variable.kind) {
    case 'namespace':
      return values.namespace;
    case 'name':
      return values.name;
    case 'pvName':
      return values.pvName;
    case 'label':
      return values.labels[variable.key] ?? '';
    case 'annotation':
      return values.annotations[variable.key] ?? '';
  }
}

/** Stands for a component whose variables expanded to nothing. */
export const EMPTY_COMPONENT = '%empty';

/**
 * Expands a pattern to safe path components, one per pattern component. Returns an empty list when
 * every component expanded to nothing; the caller then falls back to the default directory name.
 */
export function expandPathPattern(pattern: PathPattern, values: TemplateValues): string[] {
  const texts = pattern.components.map((tokens) =>
    tokens.map((token) => ('text' in token ? token.text : sanitizeValue(valueOf(token.variable, values)))).join(''),
  );
  if (texts.every((text) => text === '')) return [];
  return texts.map((text) => (text === '' ? EMPTY_COMPONENT : shortenComponent(neutralizeDots(text))));
}

/** The Go project's default: `${namespace}-${pvcName}-${pvName}`, made safe the same way. */
export function defaultDirectoryName(values: Pick<TemplateValues, 'namespace' | 'name' | 'pvName'>): string {
  return safeComponent(`${values.namespace}-${values.name}-${values.pvName}`);
}
