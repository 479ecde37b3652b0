import { CoreV1Api, DiscoveryV1Api, type KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';
import type { KubeObject, SnapshotKind } from './types.js';
import { RESPONSE_HEADERS_LABEL, SERVICE_NAME_LABEL } from './types.js';

/** A list response as the informer needs it (typed-client models or plain JSON). */
export interface ListResult {
  readonly metadata?: { readonly resourceVersion?: string };
  readonly items: readonly unknown[];
}

/** Where and how one kind is listed and watched (cluster-wide). */
export interface InformerSource {
  readonly kind: SnapshotKind;
  readonly apiVersion: string;
  /** Collection path; the watch adds `?watch=true&resourceVersion=…`. */
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Lists with the same selectors as the watch. */
  list(): Promise<ListResult>;
}

/** Only TLS Secrets are cached: https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets */
export const TLS_SECRET_SELECTOR = 'type=kubernetes.io/tls';

/** One source per kind, with API clients built from `kc`. */
export function informerSources(kc: KubeConfig): Readonly<Record<SnapshotKind, InformerSource>> {
  const core = kc.makeApiClient(CoreV1Api);
  const networking = kc.makeApiClient(NetworkingV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  return {
    Namespace: { kind: 'Namespace', apiVersion: 'v1', path: '/api/v1/namespaces', list: () => core.listNamespace() },
    Service: { kind: 'Service', apiVersion: 'v1', path: '/api/v1/services', list: () => core.listServiceForAllNamespaces() },
    Secret: {
      kind: 'Secret',
      apiVersion: 'v1',
      path: '/api/v1/secrets',
      fieldSelector: TLS_SECRET_SELECTOR,
      list: () => core.listSecretForAllNamespaces({ fieldSelector: TLS_SECRET_SELECTOR }),
    },
    IngressClass: {
      kind: 'IngressClass',
      apiVersion: 'networking.k8s.io/v1',
      path: '/apis/networking.k8s.io/v1/ingressclasses',
      list: () => networking.listIngressClass(),
    },
    Ingress: {
      kind: 'Ingress',
      apiVersion: 'networking.k8s.io/v1',
      path: '/apis/networking.k8s.io/v1/ingresses',
      list: () => networking.listIngressForAllNamespaces(),
    },
    // Slices without the service-name label belong to no Service; the snapshot never looks them up.
    EndpointSlice: {
      kind: 'EndpointSlice',
      apiVersion: 'discovery.k8s.io/v1',
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      labelSelector: SERVICE_NAME_LABEL,
      list: () => discovery.listEndpointSliceForAllNamespaces({ labelSelector: SERVICE_NAME_LABEL }),
    },
    // Only ConfigMaps labelled for custom-headers: the rest may be large and are none of Gatehouse's business.
    ConfigMap: {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      path: '/api/v1/configmaps',
      labelSelector: RESPONSE_HEADERS_LABEL,
      list: () => core.listConfigMapForAllNamespaces({ labelSelector: RESPONSE_HEADERS_LABEL }),
    },
  };
}

/** Whether an object may enter the cache (a Secret or ConfigMap the selector should have filtered is refused). */
export function admissible(kind: SnapshotKind, obj: KubeObject): boolean {
  if (kind === 'ConfigMap') return obj.metadata?.labels?.[RESPONSE_HEADERS_LABEL] !== undefined;
  return kind !== 'Secret' || (obj as { type?: string }).type === 'kubernetes.io/tls';
}
