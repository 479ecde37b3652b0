import type { PathType } from '../k8s/types.js';
import { locationPathRefusal, type PathRefusal } from './escape.js';
import type { MatchKind } from './model.js';

/** How nginx will match one Ingress path, or why it cannot be rendered. */
export type LocationPath =
  | { readonly ok: true; readonly match: MatchKind; readonly path: string }
  | ({ readonly ok: false; readonly match: MatchKind } & PathRefusal);

/**
 * Prefix matching is element-wise and ignores a trailing slash (`/foo/` matches `/foo`), so both
 * spellings are one route. https://kubernetes.io/docs/concepts/services-networking/ingress/#examples
 */
function normalizePrefix(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/**
 * The location one Ingress path becomes: Exact paths are exact; Prefix and ImplementationSpecific
 * paths are prefixes, or regexes when the Ingress turns regex on (use-regex, rewrite-target), as in
 * ingress-nginx. An empty path (ImplementationSpecific allows it) is "/", as ingress-nginx serves
 * it. The controller renders by this and the path rule denies by it: one decision.
 */
export function locationPathOf(raw: string | undefined, pathType: PathType | undefined, regex: boolean): LocationPath {
  const path = raw === undefined || raw === '' ? '/' : raw;
  const match: MatchKind = pathType === 'Exact' ? 'exact' : regex ? 'regex' : 'prefix';
  const refusal = locationPathRefusal(match, path);
  if (refusal) return { ok: false, match, ...refusal };
  return { ok: true, match, path: match === 'prefix' ? normalizePrefix(path) : path };
}
