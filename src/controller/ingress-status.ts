// What an owned Ingress's status.loadBalancer.ingress should say, and whether it already does.
// Pure: the status writer does the I/O. Mirrors ingress-nginx's status sync
// (https://github.com/kubernetes/ingress-nginx/blob/main/internal/ingress/status/status.go).
import { isIP } from 'node:net';
import type { Ingress, LoadBalancerIngress, Service } from '../k8s/types.js';

/** A Service as the publisher reads it: our trimmed Service type plus spec.externalIPs. */
export type PublishService = Service & { readonly spec?: { readonly externalIPs?: readonly string[] } };

export interface DesiredLoadBalancerOptions {
  /** `--publish-status-address`: IPs become `{ip}`, anything else `{hostname}`. Wins over the Service. */
  readonly publishStatusAddress?: readonly string[];
  /** The `--publish-service` Service, if it exists. */
  readonly publishService?: PublishService;
}

/** The addresses to publish, normalized (see `normalizeLoadBalancer`); empty when nothing is known yet. */
export function desiredLoadBalancer(opts: DesiredLoadBalancerOptions): LoadBalancerIngress[] {
  const explicit = (opts.publishStatusAddress ?? []).map((a) => a.trim()).filter((a) => a !== '');
  if (explicit.length > 0) return normalizeLoadBalancer(explicit.map((a) => (isIP(a) ? { ip: a } : { hostname: a })));
  return opts.publishService ? normalizeLoadBalancer(serviceAddresses(opts.publishService)) : [];
}

/**
 * The addresses a Service is reachable at, by type, as ingress-nginx's statusAddressFromService:
 * ExternalName → its DNS name; ClusterIP → the cluster IP; NodePort → externalIPs, else the
 * cluster IP; LoadBalancer → the provisioned load-balancer addresses plus externalIPs (nothing
 * while the load balancer is pending). A headless Service (clusterIP None) has no address.
 */
export function serviceAddresses(service: PublishService): LoadBalancerIngress[] {
  const spec = service.spec ?? {};
  const clusterIP = spec.clusterIP && spec.clusterIP !== 'None' ? [{ ip: spec.clusterIP }] : [];
  const external = (spec.externalIPs ?? []).map((ip) => ({ ip }));
  switch (spec.type ?? 'ClusterIP') {
    case 'ExternalName':
      return spec.externalName ? [{ hostname: spec.externalName }] : [];
    case 'ClusterIP':
      return clusterIP;
    case 'NodePort':
      return external.length > 0 ? external : clusterIP;
    case 'LoadBalancer': {
      const provisioned = (service.status?.loadBalancer?.ingress ?? []).map((a) => (a.ip ? { ip: a.ip } : { hostname: a.hostname }));
      return [...provisioned, ...external];
    }
    default:
      return [];
  }
}

/**
 * Only `ip` and `hostname` (the `ports` of an entry are not ours to publish), empty entries and
 * duplicates dropped, sorted by hostname then IP — so equal sets compare equal and the written
 * status does not flap between orders.
 */
export function normalizeLoadBalancer(list: readonly LoadBalancerIngress[]): LoadBalancerIngress[] {
  const byKey = new Map<string, LoadBalancerIngress>();
  for (const { ip, hostname } of list) {
    if (!ip && !hostname) continue;
    const entry = { ...(ip ? { ip } : {}), ...(hostname ? { hostname } : {}) };
    byKey.set(keyOf(entry), entry);
  }
  return [...byKey.values()].sort((a, b) => compare(a.hostname ?? '', b.hostname ?? '') || compare(a.ip ?? '', b.ip ?? ''));
}

/** True when the Ingress's published addresses differ from `desired` (as sets). */
export function statusNeedsUpdate(ingress: Ingress, desired: readonly LoadBalancerIngress[]): boolean {
  const current = normalizeLoadBalancer(ingress.status?.loadBalancer?.ingress ?? []).map(keyOf);
  const wanted = normalizeLoadBalancer(desired).map(keyOf);
  return current.length !== wanted.length || current.some((k, i) => k !== wanted[i]);
}

function keyOf(a: LoadBalancerIngress): string {
  return `${a.ip ?? ''}|${a.hostname ?? ''}`;
}

/** Code-unit order, not locale order: the same on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
