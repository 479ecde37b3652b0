import { ingressRouteOf } from '../k8s/ingress-route.js';
import type { PathType } from '../k8s/types.js';
import { locationPathRefusal, type PathRefusal } from './escape.js';
import type { MatchKind } from './model.js';

/** How nginx will match one Ingress path, or why it cannot be rendered. */
export type LocationPath =
  | { readonly ok: true; readonly match: MatchKind; readonly path: string }
  | ({ readonly ok: false; readonly match: MatchKind } & PathRefusal);

/**
 * The location one Ingress path becomes: its route (k8s/ingress-route.ts: Exact is exact, Prefix
 * ignores a trailing slash, ImplementationSpecific is a prefix or, with use-regex/rewrite-target,
 * a regex), or why nginx cannot hold it. The controller renders by this and the path rule denies
 * by it: one decision.
 */
export function locationPathOf(raw: string | undefined, pathType: PathType | undefined, regex: boolean): LocationPath {
  const route = ingressRouteOf(raw, pathType, regex);
  // Refusals judge the path as written: trimming slashes must not hide a bad one.
  const refusal = locationPathRefusal(route.match, raw === undefined || raw === '' ? '/' : raw);
  if (refusal) return { ok: false, match: route.match, ...refusal };
  return { ok: true, ...route };
}
