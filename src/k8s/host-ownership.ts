import { isCanaryIngress } from '../annotations/features/canary.js';
import { isOwned, type OwnershipOptions } from './ownership.js';
import { objectKey, type ClusterSnapshot } from './snapshot.js';
import type { Ingress } from './types.js';

/**
 * Who may serve paths on a host another namespace already uses.
 * - `strict` (default): the namespace of the oldest Gatehouse Ingress with the host owns it; other
 *   namespaces may add paths only where the owner allows it (SHARE_HOST_ANNOTATION).
 * - `shared`: any namespace may add paths (only the same host + route conflicts), as
 *   ingress-nginx does.
 * Modelled on OpenShift's router namespace-ownership check
 * (https://docs.openshift.com/container-platform/latest/networking/ingress-operator.html, `routeAdmission.namespaceOwnership: Strict`).
 */
export type HostOwnershipPolicy = 'strict' | 'shared';
export const HOST_OWNERSHIP_POLICIES: readonly HostOwnershipPolicy[] = ['strict', 'shared'];

/**
 * On an Ingress of the owning namespace: comma-separated namespaces (or `*`) that may add paths
 * to its hosts. Any of the owner's Ingresses for the host may grant it.
 */
export const SHARE_HOST_ANNOTATION = 'gatehouse.dev/share-host-with';

/**
 * Precedence among Ingresses: oldest first, then namespace/name. One without a creationTimestamp
 * (a static manifest, or a CREATE not yet stored) comes after every dated one. The controller's
 * conflict resolution and the admission rule both use it, so they agree on owners.
 */
export function ingressPrecedence(a: Ingress, b: Ingress): number {
  const ta = a.metadata.creationTimestamp ?? '\uffff';
  const tb = b.metadata.creationTimestamp ?? '\uffff';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = objectKey(a);
  const kb = objectKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function sharesWith(owner: Ingress, namespace: string): boolean {
  const list = owner.metadata.annotations?.[SHARE_HOST_ANNOTATION];
  if (!list) return false;
  return list.split(',').some((n) => {
    const item = n.trim();
    return item === '*' || item === namespace;
  });
}

/** The namespace owning `host` and whether it lets `namespace` in; undefined when it may serve. */
export interface HostRefusal {
  readonly ownerNamespace: string;
  /** The owning namespace's oldest Ingress for the host, `namespace/name`. */
  readonly ownerIngress: string;
}

/**
 * Whether `ingress` may serve paths on `host`, given `claimants` (every Gatehouse Ingress with
 * the host, the Ingress itself possibly among them). The empty host is the default server,
 * which every namespace shares.
 */
export function hostRefusal(ingress: Ingress, host: string, claimants: readonly Ingress[], policy: HostOwnershipPolicy): HostRefusal | undefined {
  if (policy === 'shared' || host === '') return undefined;
  const namespace = ingress.metadata.namespace ?? '';
  const self = objectKey(ingress);
  let owner: Ingress = ingress;
  for (const c of claimants) if (objectKey(c) !== self && ingressPrecedence(c, owner) < 0) owner = c;
  const ownerNamespace = owner.metadata.namespace ?? '';
  if (ownerNamespace === namespace) return undefined;
  const ownerIngresses = claimants.filter((c) => (c.metadata.namespace ?? '') === ownerNamespace && objectKey(c) !== self);
  if (ownerIngresses.some((c) => sharesWith(c, namespace))) return undefined;
  return { ownerNamespace, ownerIngress: objectKey(owner) };
}

/**
 * The Gatehouse Ingresses with `host`, from the snapshot's host index. A canary claims no host: it
 * only joins a route a main Ingress serves (annotations/features/canary.ts).
 */
export function hostClaimants(cluster: ClusterSnapshot, host: string, ownership: OwnershipOptions): Ingress[] {
  return cluster.ingressesForHost(host).filter((i) => !isCanaryIngress(i) && isOwned(i, cluster, ownership));
}
