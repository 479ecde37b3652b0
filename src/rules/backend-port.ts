import type { Service, ServiceBackendPort } from '../k8s/types.js';
import { backendPath, backendsOf, type BackendRef } from './backends.js';
import { ingressNamespace } from './ingress-namespace.js';
import { quote } from './quote.js';
import type { Finding, Rule } from './types.js';

const ID = 'backend-port';

/** `(ports: 80/http, 443/https)`: what the user could have written instead. */
function portList(svc: Service): string {
  const ports = svc.spec?.ports ?? [];
  if (ports.length === 0) return '(ports: none)';
  return `(ports: ${ports.map((p) => (p.name ? `${p.port}/${p.name}` : `${p.port}`)).join(', ')})`;
}

/** The finding for one backend port, or undefined when the Service has it. */
function checkPort(svc: Service, port: ServiceBackendPort | undefined, at: BackendRef): Finding | undefined {
  const ports = svc.spec?.ports ?? [];
  // An ExternalName Service is a DNS alias: without declared ports any port goes to the alias.
  // https://kubernetes.io/docs/concepts/services-networking/service/#externalname
  if (svc.spec?.type === 'ExternalName' && ports.length === 0) return undefined;
  const hasNumber = typeof port?.number === 'number';
  const hasName = typeof port?.name === 'string' && port.name !== '';
  if (hasNumber && !hasName && ports.some((p) => p.port === port!.number)) return undefined;
  if (hasName && !hasNumber && ports.some((p) => p.name === port!.name)) return undefined;
  // A finding: only now are its path and message built (every review checks every backend).
  const path = `${backendPath(at)}.service`;
  const label = `service ${quote(svc.metadata.name ?? '')} in namespace ${quote(svc.metadata.namespace ?? '')}`;
  if (hasNumber && hasName) {
    return { rule: ID, severity: 'deny', path: `${path}.port`, message: 'backend port sets both number and name; set exactly one' };
  }
  if (hasNumber) return { rule: ID, severity: 'deny', path: `${path}.port.number`, message: `${label} has no port ${port!.number} ${portList(svc)}` };
  if (hasName) return { rule: ID, severity: 'deny', path: `${path}.port.name`, message: `${label} has no port named ${quote(port!.name!)} ${portList(svc)}` };
  return { rule: ID, severity: 'deny', path: `${path}.port`, message: `backend port of ${label} sets neither number nor name ${portList(svc)}` };
}

/**
 * Each Service backend's `port.number` is one of the Service's `spec.ports[].port`, or its
 * `port.name` one of `spec.ports[].name`. A missing Service is left to `backend-service`.
 */
export const backendPortRule: Rule = {
  id: ID,
  doc: 'Every backend port (number or name) exists on its Service; ExternalName Services without ports accept any.',
  check(ingress, ctx) {
    const ns = ingressNamespace(ingress);
    const findings: Finding[] = [];
    for (const at of backendsOf(ingress)) {
      const ref = at.backend.service;
      if (!ref?.name) continue;
      const svc = ctx.cluster.service(ns, ref.name);
      if (!svc) continue;
      const finding = checkPort(svc, ref.port, at);
      if (finding) findings.push(finding);
    }
    return findings;
  },
};
