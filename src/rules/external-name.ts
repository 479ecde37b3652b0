import { forbiddenExternalName } from '../k8s/external-name.js';
import { backendPath, backendsOf } from './backends.js';
import { ingressNamespace } from './ingress-namespace.js';
import { quote } from './quote.js';
import type { Finding, Rule } from './types.js';

const ID = 'external-name';

/**
 * No backend is an ExternalName Service aimed at the controller's own host or a metadata service:
 * nginx would proxy there, so any tenant could read the controller's status and metrics endpoints
 * or the node's cloud credentials through an Ingress (SSRF). The controller refuses such a
 * Service too (a Service edited later never passes the Ingress webhook); both use
 * `forbiddenExternalName`.
 */
export const externalNameRule: Rule = {
  id: ID,
  doc: 'No backend is an ExternalName Service pointing at loopback, link-local, unspecified or metadata addresses, or localhost.',
  check(ingress, ctx) {
    const ns = ingressNamespace(ingress);
    const findings: Finding[] = [];
    for (const ref of backendsOf(ingress)) {
      const { backend } = ref;
      const name = backend.service?.name;
      if (!name) continue;
      const svc = ctx.cluster.service(ns, name);
      if (svc?.spec?.type !== 'ExternalName') continue;
      const why = forbiddenExternalName(svc.spec.externalName ?? '');
      if (why === undefined) continue;
      findings.push({
        rule: ID,
        severity: 'deny',
        path: `${backendPath(ref)}.service.name`,
        message: `service ${quote(name)} is an ExternalName for ${quote(svc.spec.externalName ?? '')}: ${why}, which the controller never proxies to`,
      });
    }
    return findings;
  },
};
