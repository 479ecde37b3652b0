import type { ClusterSnapshot } from '../k8s/snapshot.js';
import type { Ingress } from '../k8s/types.js';
import { annotationPath } from '../rules/field-path.js';
import { quote } from '../rules/quote.js';
import type { Finding } from '../rules/types.js';
import { pointer, type JsonPatchOp } from './json-patch.js';

/** The annotation Kubernetes deprecated in 1.18 for `spec.ingressClassName`. https://kubernetes.io/docs/concepts/services-networking/ingress/#deprecated-annotation */
export const CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** Warnings carry the id of the validating rule about the same annotation, so users see one name. */
const RULE = 'deprecated-class-annotation';

export interface ClassPatch {
  readonly patch: JsonPatchOp[];
  readonly warnings: Finding[];
}

function none(): ClassPatch {
  return { patch: [], warnings: [] };
}

function warning(message: string): Finding {
  return { rule: RULE, severity: 'warn', path: annotationPath(CLASS_ANNOTATION), message };
}

/**
 * The JSON Patch that moves `kubernetes.io/ingress.class: X` to `spec.ingressClassName: X`, for an
 * Ingress as received (any served apiVersion: networking.k8s.io/v1beta1 and extensions/v1beta1
 * have `spec.ingressClassName` too since Kubernetes 1.18). Pure, minimal and idempotent: the
 * patched object yields no patch. No patch when the IngressClass does not exist (the annotation
 * keeps working for controllers that read it) or when `spec.ingressClassName` names another class
 * (the ingress-class rule denies that).
 */
export function classAnnotationPatch(ingress: Ingress, cluster: ClusterSnapshot): ClassPatch {
  const className = ingress.metadata?.annotations?.[CLASS_ANNOTATION];
  if (typeof className !== 'string') return none();
  const shown = `${CLASS_ANNOTATION}=${quote(className)}`;
  const removeAnnotation: JsonPatchOp = { op: 'remove', path: pointer('metadata', 'annotations', CLASS_ANNOTATION) };
  // Raw input may carry null where the typed shape says "absent".
  const current = ingress.spec?.ingressClassName ?? undefined;

  if (current !== undefined) {
    if (current !== className) return none();
    return {
      patch: [removeAnnotation],
      warnings: [warning(`removed deprecated annotation ${shown}: spec.ingressClassName is already ${quote(current)}`)],
    };
  }
  if (!cluster.ingressClass(className)) {
    const why = cluster.covers('IngressClass')
      ? `no IngressClass ${quote(className)} exists`
      : `the snapshot holds no IngressClasses, so IngressClass ${quote(className)} cannot be confirmed`;
    return { patch: [], warnings: [warning(`kept deprecated annotation ${shown} instead of converting it to spec.ingressClassName: ${why}`)] };
  }
  const setClass: JsonPatchOp =
    ingress.spec == null
      ? { op: 'add', path: pointer('spec'), value: { ingressClassName: className } }
      : { op: 'add', path: pointer('spec', 'ingressClassName'), value: className };
  return {
    patch: [setClass, removeAnnotation],
    warnings: [warning(`converted deprecated annotation ${shown} to spec.ingressClassName`)],
  };
}
