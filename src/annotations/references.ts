import type { Ingress } from '../k8s/types.js';
import { ANNOTATION_CATALOG, NGINX_ANNOTATION_PREFIX, type AnnotationEntry, type NamespacedName } from './catalog.js';
import { checkAnnotationValue } from './validate.js';

/** A `namespace/name` reference made by an annotation. */
export interface NamespacedReference {
  /** Full annotation key, with the prefix (for `annotationPath`). */
  key: string;
  namespace: string;
  name: string;
}

/** Catalog keys of kind `namespaced-name`, with their full annotation key (built once, not per review). */
const REFERENCE_KEYS = (ANNOTATION_CATALOG as readonly AnnotationEntry[])
  .filter((e) => e.kind === 'namespaced-name')
  .map((e) => ({ key: e.key, fullKey: NGINX_ANNOTATION_PREFIX + e.key }));

/**
 * The references to objects in an explicit namespace (`ns/name`) made by catalog annotations of
 * kind `namespaced-name` (auth-tls-secret, proxy-ssl-secret). Values the catalog refuses are left
 * out: the annotations rule already denies them, and their "namespace" means nothing.
 */
export function namespacedReferences(ingress: Ingress): NamespacedReference[] {
  const annotations = ingress.metadata?.annotations;
  if (!annotations) return [];
  const refs: NamespacedReference[] = [];
  for (const { key, fullKey } of REFERENCE_KEYS) {
    const raw = annotations[fullKey];
    if (raw === undefined) continue;
    const verdict = checkAnnotationValue(key, raw);
    if (!verdict.ok) continue;
    const { namespace, name } = verdict.value as NamespacedName;
    if (namespace !== undefined) refs.push({ key: fullKey, namespace, name });
  }
  return refs;
}
