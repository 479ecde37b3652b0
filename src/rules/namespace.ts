import { namespacedReferences } from '../annotations/references.js';
import { annotationPath } from './field-path.js';
import { ingressNamespace } from './ingress-namespace.js';
import { quote } from './quote.js';
import type { Finding, Rule } from './types.js';

const ID = 'namespace';

/**
 * Namespaces every cluster has and that cannot be deleted: a file snapshot that exports only its
 * own Namespaces must not make `default` look missing.
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces
 */
const INITIAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

function exists(name: string, cluster: Parameters<Rule['check']>[1]['cluster']): boolean {
  return cluster.namespace(name) !== undefined || INITIAL_NAMESPACES.has(name);
}

/**
 * The Ingress's namespace exists and, on CREATE, is not Terminating; every `namespace/name`
 * reference in a supported annotation names an existing namespace. Skipped when the snapshot
 * holds no Namespaces (a file snapshot may not have exported them).
 *
 * UPDATEs in a Terminating namespace are allowed on purpose: namespace deletion waits for
 * controllers to remove their finalizers, which is an UPDATE; denying it would wedge the
 * deletion. The API server's NamespaceLifecycle plugin makes the same distinction.
 * https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#namespacelifecycle
 */
export const namespaceRule: Rule = {
  id: ID,
  doc: 'The Ingress namespace exists and is not Terminating; namespaces named in annotation references exist.',
  check(ingress, ctx) {
    if (!ctx.cluster.covers('Namespace')) return [];
    const findings: Finding[] = [];
    const ns = ingressNamespace(ingress);
    const own = ctx.cluster.namespace(ns);
    if (!own && !INITIAL_NAMESPACES.has(ns)) {
      findings.push({ rule: ID, severity: 'deny', path: 'metadata.namespace', message: `namespace ${quote(ns)} does not exist` });
    } else if (own?.status?.phase === 'Terminating' && ctx.operation === 'CREATE') {
      findings.push({
        rule: ID,
        severity: 'deny',
        path: 'metadata.namespace',
        message: `namespace ${quote(ns)} is Terminating; no new objects can be created in it`,
      });
    }
    for (const ref of namespacedReferences(ingress)) {
      if (exists(ref.namespace, ctx.cluster)) continue;
      findings.push({
        rule: ID,
        severity: 'deny',
        path: annotationPath(ref.key),
        message: `refers to ${quote(`${ref.namespace}/${ref.name}`)}, but namespace ${quote(ref.namespace)} does not exist`,
      });
    }
    return findings;
  },
};
