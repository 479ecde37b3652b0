import { isIngressApiVersion } from './normalize-ingress.js';
import type { KubeObject, SnapshotKind } from './types.js';

const KIND_API_VERSIONS: Readonly<Record<Exclude<SnapshotKind, 'Ingress'>, readonly string[]>> = {
  Namespace: ['v1'],
  Service: ['v1'],
  Secret: ['v1'],
  IngressClass: ['networking.k8s.io/v1', 'networking.k8s.io/v1beta1'],
  EndpointSlice: ['discovery.k8s.io/v1'],
  ConfigMap: ['v1'],
};

/** The snapshot kind of an object, or undefined for anything Gatehouse does not keep. */
export function snapshotKindOf(obj: KubeObject): SnapshotKind | undefined {
  if (obj.kind === 'Ingress') return isIngressApiVersion(obj.apiVersion) ? 'Ingress' : undefined;
  const versions = KIND_API_VERSIONS[obj.kind as Exclude<SnapshotKind, 'Ingress'>];
  return versions?.includes(obj.apiVersion ?? '') ? (obj.kind as SnapshotKind) : undefined;
}
