// Kubernetes object shapes Gatehouse reads. Only the fields we use; all read-only, because
// informer caches hand out live objects (see @kubernetes/client-node docs on ObjectCache).
// Reference: https://kubernetes.io/docs/reference/kubernetes-api/

/** metav1.ObjectMeta, trimmed to what rules and the controller read. */
export interface ObjectMeta {
  readonly name?: string;
  readonly generateName?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly creationTimestamp?: string;
  readonly deletionTimestamp?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Any object with apiVersion/kind/metadata. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: ObjectMeta;
}

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

/** networking.k8s.io/v1 ServiceBackendPort: exactly one of name/number. */
export interface ServiceBackendPort {
  readonly name?: string;
  readonly number?: number;
}

export interface IngressBackend {
  readonly service?: { readonly name: string; readonly port?: ServiceBackendPort };
  readonly resource?: { readonly apiGroup?: string; readonly kind: string; readonly name: string };
}

export interface HTTPIngressPath {
  readonly path?: string;
  readonly pathType?: PathType;
  readonly backend: IngressBackend;
}

export interface IngressRule {
  readonly host?: string;
  readonly http?: { readonly paths: readonly HTTPIngressPath[] };
}

export interface IngressTLS {
  readonly hosts?: readonly string[];
  readonly secretName?: string;
}

export interface IngressSpec {
  readonly ingressClassName?: string;
  readonly defaultBackend?: IngressBackend;
  readonly tls?: readonly IngressTLS[];
  readonly rules?: readonly IngressRule[];
}

export interface LoadBalancerIngress {
  readonly ip?: string;
  readonly hostname?: string;
}

/** networking.k8s.io/v1 Ingress (legacy versions are normalized to this shape on input). */
export interface Ingress extends KubeObject {
  readonly metadata: ObjectMeta;
  readonly spec?: IngressSpec;
  readonly status?: { readonly loadBalancer?: { readonly ingress?: readonly LoadBalancerIngress[] } };
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort?: number | string;
  readonly protocol?: string;
  readonly appProtocol?: string;
}

/** core/v1 Service. */
export interface Service extends KubeObject {
  readonly metadata: ObjectMeta;
  readonly spec?: {
    readonly type?: string;
    readonly externalName?: string;
    readonly clusterIP?: string;
    readonly ports?: readonly ServicePort[];
  };
  readonly status?: { readonly loadBalancer?: { readonly ingress?: readonly LoadBalancerIngress[] } };
}

/** core/v1 Secret. `data` values are base64. Never log them. */
export interface Secret extends KubeObject {
  readonly metadata: ObjectMeta;
  readonly type?: string;
  readonly data?: Readonly<Record<string, string>>;
  readonly stringData?: Readonly<Record<string, string>>;
}

/**
 * v1 ConfigMap. Only those labelled RESPONSE_HEADERS_LABEL are watched (custom-headers):
 * annotations/features/custom-headers.ts.
 */
export interface ConfigMap extends KubeObject {
  readonly metadata: ObjectMeta;
  readonly data?: Readonly<Record<string, string>>;
}

/** The label a ConfigMap needs for custom-headers to use it: the only ConfigMaps Gatehouse reads. */
export const RESPONSE_HEADERS_LABEL = 'gatehouse.dev/response-headers';

/** networking.k8s.io/v1 IngressClass. */
export interface IngressClass extends KubeObject {
  readonly metadata: ObjectMeta;
  readonly spec?: {
    readonly controller?: string;
    readonly parameters?: Readonly<Record<string, unknown>>;
  };
}

/** core/v1 Namespace. */
export interface Namespace extends KubeObject {
  readonly metadata: ObjectMeta;
  readonly status?: { readonly phase?: string };
}

export interface EndpointPort {
  readonly name?: string;
  readonly port?: number;
  readonly protocol?: string;
  readonly appProtocol?: string;
}

export interface Endpoint {
  readonly addresses: readonly string[];
  readonly conditions?: { readonly ready?: boolean; readonly serving?: boolean; readonly terminating?: boolean };
  readonly hostname?: string;
  readonly nodeName?: string;
}

/** discovery.k8s.io/v1 EndpointSlice; the owning Service is in label kubernetes.io/service-name. */
export interface EndpointSlice extends KubeObject {
  readonly metadata: ObjectMeta;
  readonly addressType?: string;
  readonly endpoints?: readonly Endpoint[];
  readonly ports?: readonly EndpointPort[];
}

/** The kinds a ClusterSnapshot holds. */
export type SnapshotKind = 'Namespace' | 'Service' | 'Secret' | 'IngressClass' | 'Ingress' | 'EndpointSlice' | 'ConfigMap';

export const SNAPSHOT_KINDS: readonly SnapshotKind[] = [
  'Namespace',
  'Service',
  'Secret',
  'IngressClass',
  'Ingress',
  'EndpointSlice',
  'ConfigMap',
];

/** Label on an EndpointSlice naming its Service. https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/ */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
