import type { Ingress } from '../k8s/types.js';

/**
 * The API server refuses an object whose annotations total more than 256 KiB (key and value
 * lengths in bytes) before any validating webhook sees it: ValidateAnnotationsSize,
 * TotalAnnotationSizeLimitB in k8s.io/apimachinery/pkg/api/validation/objectmeta.go.
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/#syntax-and-character-set
 */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/**
 * Whether the annotations total more than MAX_ANNOTATIONS_BYTES. Stops at the limit, so a hostile
 * object costs no more to measure than a legal one.
 */
export function annotationsOverLimit(ingress: Ingress): boolean {
  const annotations: unknown = ingress.metadata.annotations;
  if (typeof annotations !== 'object' || annotations === null) return false;
  const record = annotations as Record<string, unknown>;
  let total = 0;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const value = record[key];
    total += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
    if (total > MAX_ANNOTATIONS_BYTES) return true;
  }
  return false;
}
