import type { Ingress } from '../k8s/types.js';

/**
 * The namespace an Ingress lives in. The API server always fills it in before admission; a file
 * given to `gatehouse check` may omit it, and kubectl would then use `default`.
 */
export function ingressNamespace(ingress: Ingress): string {
  return ingress.metadata.namespace || 'default';
}
