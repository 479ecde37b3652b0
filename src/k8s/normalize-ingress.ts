import type { HTTPIngressPath, Ingress, IngressBackend, IngressRule, IngressSpec } from './types.js';

/** apiVersions under which the API server has served Ingress. */
export const INGRESS_API_VERSIONS = ['networking.k8s.io/v1', 'networking.k8s.io/v1beta1', 'extensions/v1beta1'];

/** Groups whose `ingresses` resource is an Ingress (for AdmissionReview `request.kind`). */
export const INGRESS_GROUPS = ['networking.k8s.io', 'extensions'];

export function isIngressApiVersion(apiVersion: string | undefined): boolean {
  return apiVersion !== undefined && INGRESS_API_VERSIONS.includes(apiVersion);
}

interface LegacyBackend {
  serviceName?: string;
  servicePort?: number | string;
  resource?: IngressBackend['resource'];
  service?: IngressBackend['service'];
}

function normalizeBackend(b: LegacyBackend | undefined): IngressBackend | undefined {
  if (!b) return undefined;
  if (b.service || b.resource) return b as IngressBackend;
  if (b.serviceName === undefined) return b as IngressBackend;
  const port =
    typeof b.servicePort === 'number'
      ? { number: b.servicePort }
      : typeof b.servicePort === 'string' && /^\d+$/.test(b.servicePort)
        ? { number: Number(b.servicePort) }
        : b.servicePort !== undefined
          ? { name: String(b.servicePort) }
          : undefined;
  return { service: { name: b.serviceName, ...(port ? { port } : {}) } };
}

/**
 * Returns a networking.k8s.io/v1-shaped Ingress. v1beta1 and extensions/v1beta1 used
 * `backend.serviceName/servicePort` and `spec.backend`; their paths defaulted to
 * ImplementationSpecific (https://kubernetes.io/docs/reference/using-api/deprecation-guide/#ingress-v122).
 * v1 objects are returned as they are (no copy).
 */
export function normalizeIngress(obj: Ingress): Ingress {
  if (obj.apiVersion === undefined || obj.apiVersion === 'networking.k8s.io/v1') return obj;
  const spec = (obj.spec ?? {}) as IngressSpec & { backend?: LegacyBackend };
  const rules: IngressRule[] | undefined = spec.rules?.map((r) => ({
    ...r,
    ...(r.http
      ? {
          http: {
            paths: r.http.paths.map(
              (p): HTTPIngressPath => ({
                ...p,
                pathType: p.pathType ?? 'ImplementationSpecific',
                backend: normalizeBackend(p.backend as LegacyBackend) ?? p.backend,
              }),
            ),
          },
        }
      : {}),
  }));
  const { backend, ...rest } = spec;
  const defaultBackend = rest.defaultBackend ?? normalizeBackend(backend);
  return {
    ...obj,
    apiVersion: 'networking.k8s.io/v1',
    spec: {
      ...rest,
      ...(defaultBackend ? { defaultBackend } : {}),
      ...(rules ? { rules } : {}),
    },
  };
}
