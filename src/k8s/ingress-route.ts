import type { PathType } from './types.js';

/** How a route matches request paths, in Ingress terms (nginx/render.ts turns it into locations). */
export type RouteMatch = 'exact' | 'prefix' | 'regex';

/**
 * The route one Ingress path claims. Two paths are one route exactly when their routes are equal
 * (`routeKey`): the controller serves one of them (the oldest Ingress's) and the
 * host-path-conflict rule denies the other, by this one decision.
 */
export interface IngressRoute {
  readonly match: RouteMatch;
  /** Exact: the path as written; Prefix: without trailing slashes (`/` stays `/`); regex: the PCRE source. */
  readonly path: string;
}

/**
 * Which route a path claims. Exact paths are exact (`/foo/` is not `/foo`). Prefix matching is
 * element-wise and ignores a trailing slash (`/foo/` matches `/foo`), so `/foo` and `/foo/` are one
 * route. https://kubernetes.io/docs/concepts/services-networking/ingress/#examples
 * ImplementationSpecific is a prefix, as in ingress-nginx, unless the Ingress turns regex on
 * (use-regex, rewrite-target), which makes every non-Exact path of it a regex — a regex is never
 * the same route as a prefix, even spelt alike. An empty path (ImplementationSpecific allows it) is
 * "/", as ingress-nginx serves it.
 */
export function ingressRouteOf(raw: string | undefined, pathType: PathType | undefined, regex: boolean): IngressRoute {
  const path = raw === undefined || raw === '' ? '/' : raw;
  if (pathType === 'Exact') return { match: 'exact', path };
  if (regex) return { match: 'regex', path };
  const trimmed = path.replace(/\/+$/, '');
  return { match: 'prefix', path: trimmed === '' ? '/' : trimmed };
}

/** A string equal for two routes exactly when they are the same route. */
export function routeKey(route: IngressRoute): string {
  return `${route.match} ${route.path}`;
}

/**
 * The path under which the snapshot indexes a claim: the path without trailing slashes. Coarser
 * than the route (any pathType, regex or not), never finer: every path of one route has the same
 * one, so a lookup by it finds every Ingress that may claim the route, to be compared by `routeKey`.
 */
export function routeIndexPath(raw: string | undefined): string {
  // Every Ingress of a file snapshot is indexed, owned or not, shape unchecked: never throw here.
  return typeof raw === 'string' ? raw.replace(/\/+$/, '') : '';
}
