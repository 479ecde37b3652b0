// `--watch-namespace` and `--watch-namespace-selector`: which namespaces' Ingresses the controller
// serves. Label selectors as kubectl writes them:
// https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
import type { ClusterSnapshot } from './snapshot.js';
import type { Ingress } from './types.js';

type Requirement =
  | { readonly op: 'in' | 'notin'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'exists' | 'absent'; readonly key: string };

const KEY = /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^(?:[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Splits on commas outside parentheses. */
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
  return out.map((t) => t.trim());
}

function requirement(term: string): Requirement | string {
  let m = /^(\S+?)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (m) {
    const [, key, op, value] = m as unknown as [string, string, string, string];
    if (!KEY.test(key)) return `${JSON.stringify(key)} is not a label key`;
    if (!VALUE.test(value)) return `${JSON.stringify(value)} is not a label value`;
    return { op: op === '!=' ? 'notin' : 'in', key, values: [value] };
  }
  m = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term);
  if (m) {
    const [, key, op, list] = m as unknown as [string, string, 'in' | 'notin', string];
    if (!KEY.test(key)) return `${JSON.stringify(key)} is not a label key`;
    const values = list.split(',').map((v) => v.trim());
    const bad = values.find((v) => !VALUE.test(v));
    if (bad !== undefined) return `${JSON.stringify(bad)} is not a label value`;
    return { op, key, values };
  }
  m = /^(!?)\s*(\S+)$/.exec(term);
  if (m && KEY.test(m[2]!)) return { op: m[1] ? 'absent' : 'exists', key: m[2]! };
  return `cannot parse ${JSON.stringify(term)}`;
}

/** Parsed selector, or why it is not one. */
export function parseLabelSelector(selector: string): readonly Requirement[] | string {
  if (selector.trim() === '') return 'must not be empty';
  const out: Requirement[] = [];
  for (const term of terms(selector)) {
    const r = requirement(term);
    if (typeof r === 'string') return r;
    out.push(r);
  }
  return out;
}

/** Why `selector` is not a label selector, or undefined. */
export function labelSelectorProblem(selector: string): string | undefined {
  const parsed = parseLabelSelector(selector);
  return typeof parsed === 'string' ? parsed : undefined;
}

function matches(requirements: readonly Requirement[], labels: Readonly<Record<string, string>>): boolean {
  return requirements.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'absent':
        return !has;
      case 'in':
        return has && r.values.includes(labels[r.key]!);
      case 'notin':
        return !has || !r.values.includes(labels[r.key]!);
    }
  });
}

export interface NamespaceScope {
  /** Empty: every namespace. */
  readonly namespaces: readonly string[];
  readonly selector?: string;
}

/**
 * Whether the controller serves Ingresses of `namespace`. With a selector, a namespace the
 * snapshot does not know (yet) is out of scope: nothing is served on a guess.
 */
export function inScope(scope: NamespaceScope, cluster: ClusterSnapshot, namespace: string): boolean {
  if (scope.namespaces.length > 0 && !scope.namespaces.includes(namespace)) return false;
  if (scope.selector === undefined) return true;
  const requirements = parseLabelSelector(scope.selector);
  if (typeof requirements === 'string') return false;
  const ns = cluster.namespace(namespace);
  return ns !== undefined && matches(requirements, ns.metadata?.labels ?? {});
}

/**
 * The snapshot as the controller's renderer sees it: Ingresses outside the scope do not exist
 * (they neither get served nor claim hosts). Everything else reads through.
 */
export function scopedSnapshot(cluster: ClusterSnapshot, scope: NamespaceScope): ClusterSnapshot {
  if (scope.namespaces.length === 0 && scope.selector === undefined) return cluster;
  const keep = (i: Ingress) => inScope(scope, cluster, i.metadata?.namespace ?? 'default');
  return new Proxy(cluster, {
    get(target, prop, receiver) {
      if (prop === 'ingresses') return () => target.ingresses().filter(keep);
      if (prop === 'ingress') return (ns: string, name: string) => (inScope(scope, target, ns) ? target.ingress(ns, name) : undefined);
      if (prop === 'ingressesClaiming') return (host: string, path: string) => target.ingressesClaiming(host, path).filter(keep);
      if (prop === 'ingressesForHost') return (host: string) => target.ingressesForHost(host).filter(keep);
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
