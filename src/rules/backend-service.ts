import { backendPath, backendsOf } from './backends.js';
import { ingressNamespace } from './ingress-namespace.js';
import { quote } from './quote.js';
import type { Finding, Rule } from './types.js';

const ID = 'backend-service';

/** How many other namespaces a "found elsewhere" hint names; a common name can exist everywhere. */
const MAX_NAMESPACES_LISTED = 3;

/** Why a Service of the same name elsewhere does not help, or "" when there is none. */
function elsewhereHint(found: readonly string[]): string {
  if (found.length === 0) return '';
  const listed = found.slice(0, MAX_NAMESPACES_LISTED).map((ns) => quote(ns));
  const more = found.length > MAX_NAMESPACES_LISTED ? ` and ${found.length - MAX_NAMESPACES_LISTED} more` : '';
  const where = found.length === 1 ? `namespace ${listed[0]}` : `namespaces ${listed.join(', ')}${more}`;
  // Ingress backends are LocalObjectReferences: https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/#IngressBackend
  return `; a Service of that name exists in ${where}, but an Ingress can only reach Services in its own namespace`;
}

/**
 * Every Service backend (rules and `spec.defaultBackend`) exists in the Ingress's namespace.
 * `resource` backends are not Services and are not checked. Skipped when the snapshot holds no
 * Services at all (a file snapshot that did not export them cannot tell "missing").
 */
export const backendServiceRule: Rule = {
  id: ID,
  doc: 'Every backend Service exists in the Ingress namespace (and says so when it lives in another one).',
  check(ingress, ctx) {
    if (!ctx.cluster.covers('Service')) return [];
    const ns = ingressNamespace(ingress);
    const findings: Finding[] = [];
    for (const ref of backendsOf(ingress)) {
      const { backend } = ref;
      if (backend.resource) continue;
      const name = backend.service?.name;
      if (!name) {
        findings.push({ rule: ID, severity: 'deny', path: `${backendPath(ref)}.service.name`, message: 'backend names no Service' });
        continue;
      }
      if (ctx.cluster.service(ns, name)) continue;
      const elsewhere = ctx.cluster
        .servicesNamed(name)
        .map((s) => s.metadata.namespace ?? '')
        .filter((other) => other !== ns)
        .sort();
      findings.push({
        rule: ID,
        severity: 'deny',
        path: `${backendPath(ref)}.service.name`,
        message: `service ${quote(name)} not found in namespace ${quote(ns)}${elsewhereHint(elsewhere)}`,
      });
    }
    return findings;
  },
};
