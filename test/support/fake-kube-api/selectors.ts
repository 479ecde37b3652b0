// Label and field selectors as the API server parses them.
// https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
// https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/

/** A selector that does not parse, or names an unsupported field: the API server answers 400. */
export class SelectorError extends Error {}

type Labels = Readonly<Record<string, string>> | undefined;
export type Selector = (obj: object) => boolean;

interface LabelRequirement {
  key: string;
  op: '=' | '!=' | 'in' | 'notin' | 'exists' | '!exists';
  values: string[];
}

const KEY = String.raw`[A-Za-z0-9][-A-Za-z0-9_./]*`;
const VALUE = String.raw`[-A-Za-z0-9_.]*`;

/** Splits on commas outside parentheses (`a in (x,y),b` is two terms). */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  out.push(selector.slice(start));
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

function parseLabelTerm(term: string): LabelRequirement {
  let m = new RegExp(`^!\\s*(${KEY})$`).exec(term);
  if (m) return { key: m[1]!, op: '!exists', values: [] };
  m = new RegExp(`^(${KEY})\\s+(in|notin)\\s+\\(([^)]*)\\)$`).exec(term);
  if (m) return { key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()) };
  m = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`).exec(term);
  if (m) return { key: m[1]!, op: m[2] === '!=' ? '!=' : '=', values: [m[3]!] };
  m = new RegExp(`^(${KEY})$`).exec(term);
  if (m) return { key: m[1]!, op: 'exists', values: [] };
  throw new SelectorError(`unable to parse requirement: ${JSON.stringify(term)}`);
}

function labelMatches(req: LabelRequirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  switch (req.op) {
    case '=':
      return value === req.values[0];
    case '!=':
      return value !== req.values[0];
    case 'in':
      return has && req.values.includes(value!);
    case 'notin':
      return !has || !req.values.includes(value!);
    case 'exists':
      return has;
    case '!exists':
      return !has;
  }
}

export function parseLabelSelector(selector: string): Selector {
  const reqs = terms(selector).map(parseLabelTerm);
  return (obj) => {
    const labels = (obj as { metadata?: { labels?: Labels } }).metadata?.labels;
    return reqs.every((req) => labelMatches(req, labels));
  };
}

function fieldValue(obj: object, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
  return cur === undefined || cur === null ? '' : String(cur);
}

/** Parses `a=b,c!=d`; `supported` lists the field labels the resource accepts. */
export function parseFieldSelector(selector: string, supported: readonly string[]): Selector {
  const reqs = terms(selector).map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new SelectorError(`invalid selector: '${selector}'; can't understand '${term}'`);
    const field = m[1]!;
    if (!['metadata.name', 'metadata.namespace', ...supported].includes(field)) {
      throw new SelectorError(`field label not supported: ${field}`);
    }
    return { field, negate: m[2] === '!=', value: m[3]! };
  });
  return (obj) => reqs.every((q) => (fieldValue(obj, q.field) === q.value) !== q.negate);
}
