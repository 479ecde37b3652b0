import { isOwned } from '../k8s/ownership.js';
import { objectKey } from '../k8s/snapshot.js';
import type { Ingress } from '../k8s/types.js';
import { httpPath } from './field-path.js';
import { ingressNamespace } from './ingress-namespace.js';
import { quote } from './quote.js';
import type { Finding, Rule } from './types.js';

const ID = 'host-path-conflict';

/** https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary */
const CANARY_ANNOTATION = 'nginx.ingress.kubernetes.io/canary';

function isCanary(ingress: Ingress): boolean {
  return ingress.metadata.annotations?.[CANARY_ANNOTATION] === 'true';
}

/**
 * Two Gatehouse Ingresses serving the same host + path + pathType: nginx would route to
 * whichever it happened to render first, and which one wins can change on the next reload.
 * Looked up in the snapshot's host+path index, never by scanning Ingresses. The Ingress itself
 * (same namespace/name, i.e. an UPDATE) never conflicts, nor does a canary with its main Ingress
 * (that pairing is the point of a canary), nor an Ingress another controller serves.
 */
export const hostPathConflictRule: Rule = {
  id: ID,
  doc: 'No other Gatehouse Ingress already serves the same host + path + pathType (canaries excepted).',
  check(ingress, ctx) {
    const selfKey = `${ingressNamespace(ingress)}/${ingress.metadata.name ?? ''}`;
    if (isCanary(ingress)) return [];
    const findings: Finding[] = [];
    (ingress.spec?.rules ?? []).forEach((rule, r) => {
      (rule.http?.paths ?? []).forEach((p, i) => {
        const host = rule.host ?? '';
        const path = p.path ?? '/';
        const pathType = p.pathType ?? 'ImplementationSpecific';
        const owners = ctx.cluster
          .ingressesClaiming(host, path, pathType)
          .filter((other) => objectKey(other) !== selfKey && !isCanary(other) && isOwned(other, ctx.cluster, ctx.options.ownership))
          .map(objectKey)
          .sort();
        if (owners.length === 0) return;
        const where = host === '' ? 'any host' : `host ${quote(host)}`;
        findings.push({
          rule: ID,
          severity: 'deny',
          path: `${httpPath(r, i)}.path`,
          message: `${where} path ${quote(path)} (${pathType}) is already served by Ingress ${owners.map((o) => quote(o)).join(', ')}`,
        });
      });
    });
    return findings;
  },
};
