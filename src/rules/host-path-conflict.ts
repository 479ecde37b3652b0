import { isCanaryIngress } from '../annotations/features/canary.js';
import { ingressRouteOf, routeKey } from '../k8s/ingress-route.js';
import { isOwned } from '../k8s/ownership.js';
import { objectKey } from '../k8s/snapshot.js';
import type { HTTPIngressPath, Ingress } from '../k8s/types.js';
import { httpPath } from './field-path.js';
import { ingressNamespace } from './ingress-namespace.js';
import { quote } from './quote.js';
import { regexEnabled } from '../annotations/features/rewrite.js';
import type { Finding, Rule } from './types.js';

const ID = 'host-path-conflict';

/** The host as a message names it; built only for a finding (most paths have none). */
function hostPhrase(host: string): string {
  return host === '' ? 'any host' : `host ${quote(host)}`;
}

/** The first path of `ingress` on `host` that claims the route `key`, if any. */
function pathClaiming(ingress: Ingress, host: string, key: string): HTTPIngressPath | undefined {
  const regex = regexEnabled(ingress);
  for (const rule of ingress.spec?.rules ?? []) {
    if ((rule.host ?? '') !== host) continue;
    const found = (rule.http?.paths ?? []).find((p) => routeKey(ingressRouteOf(p.path, p.pathType, regex)) === key);
    if (found) return found;
  }
  return undefined;
}

/**
 * Two Gatehouse Ingresses serving the same route on a host: nginx would route to whichever it
 * happened to render first, and which one wins can change on the next reload. Which paths are the
 * same route is the controller's own decision (k8s/ingress-route.ts): Prefix `/foo` and `/foo/`
 * are one route, and so are Prefix and non-regex ImplementationSpecific spelt alike; a regex is
 * never a prefix. Candidates come from the snapshot's host+path index, never a scan of Ingresses.
 * The Ingress itself (same namespace/name, i.e. an UPDATE) never conflicts, nor does a canary with
 * its main Ingress (that pairing is the point of a canary), nor an Ingress another controller serves.
 * A canary is judged against the other canaries instead: one per route, as ingress-nginx's webhook
 * denies a second (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary,
 * "a maximum of one canary ingress can be applied per Ingress rule"); and a canary whose route no
 * main Ingress serves is not served (the controller leaves it out, as ingress-nginx does): a warning.
 */
export const hostPathConflictRule: Rule = {
  id: ID,
  doc: 'No other Gatehouse Ingress already serves the same host + route (Prefix /foo and /foo/ are one route; canaries excepted).',
  check(ingress, ctx) {
    const selfKey = `${ingressNamespace(ingress)}/${ingress.metadata.name ?? ''}`;
    const canary = isCanaryIngress(ingress);
    const regex = regexEnabled(ingress);
    const findings: Finding[] = [];
    (ingress.spec?.rules ?? []).forEach((rule, r) => {
      (rule.http?.paths ?? []).forEach((p, i) => {
        const host = rule.host ?? '';
        const path = p.path ?? '/';
        const pathType = p.pathType ?? 'ImplementationSpecific';
        const key = routeKey(ingressRouteOf(p.path, pathType, regex));
        const owners: string[] = [];
        let mainServed = false;
        for (const other of ctx.cluster.ingressesClaiming(host, path)) {
          if (objectKey(other) === selfKey || !isOwned(other, ctx.cluster, ctx.options.ownership)) continue;
          const otherCanary = isCanaryIngress(other);
          if (!canary && otherCanary) continue;
          const theirs = pathClaiming(other, host, key);
          if (!theirs) continue;
          if (canary && !otherCanary) {
            mainServed = true;
            continue;
          }
          const theirPath = theirs.path ?? '/';
          const theirType = theirs.pathType ?? 'ImplementationSpecific';
          const spelt = theirPath === path && theirType === pathType ? '' : ` (as ${theirType} ${quote(theirPath)}, the same route)`;
          owners.push(`${quote(objectKey(other))}${spelt}`);
        }
        if (canary && !mainServed) {
          findings.push({
            rule: ID,
            severity: 'warn',
            path: `${httpPath(r, i)}.path`,
            message: `no main (non-canary) Gatehouse Ingress serves ${hostPhrase(host)} path ${quote(path)} (${pathType}): this canary is not served until one does`,
          });
        }
        if (owners.length === 0) return;
        owners.sort();
        if (canary) {
          findings.push({
            rule: ID,
            severity: 'deny',
            path: `${httpPath(r, i)}.path`,
            message: `${hostPhrase(host)} path ${quote(path)} (${pathType}) already has a canary, Ingress ${owners.join(', ')}: one canary per route`,
          });
          return;
        }
        findings.push({
          rule: ID,
          severity: 'deny',
          path: `${httpPath(r, i)}.path`,
          message: `${hostPhrase(host)} path ${quote(path)} (${pathType}) is already served by Ingress ${owners.join(', ')}`,
        });
      });
    });
    return findings;
  },
};
