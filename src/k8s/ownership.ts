import type { ClusterSnapshot } from './snapshot.js';
import type { Ingress, IngressClass } from './types.js';

/** Deprecated class annotation. https://kubernetes.io/docs/concepts/services-networking/ingress/#deprecated-annotation */
export const CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
/** Marks the cluster's default IngressClass. https://kubernetes.io/docs/concepts/services-networking/ingress/#default-ingress-class */
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

/** Which Ingresses are Gatehouse's. */
export interface OwnershipOptions {
  /** Class names Gatehouse serves (`--ingress-class`). */
  readonly ingressClasses: readonly string[];
  /** IngressClass `spec.controller` Gatehouse claims (`--controller-value`). */
  readonly controllerValue: string;
  /** Also own Ingresses with no class at all (`--watch-ingress-without-class`). */
  readonly watchWithoutClass: boolean;
}

export const DEFAULT_OWNERSHIP: OwnershipOptions = Object.freeze({
  ingressClasses: Object.freeze(['nginx']),
  controllerValue: 'gatehouse.dev/ingress-controller',
  watchWithoutClass: false,
});

/** The class an Ingress asks for: `spec.ingressClassName`, else the deprecated annotation. */
export function ingressClassOf(ingress: Ingress): string | undefined {
  const field = ingress.spec?.ingressClassName;
  if (field) return field;
  const annotation = ingress.metadata.annotations?.[CLASS_ANNOTATION];
  return annotation || undefined;
}

/** Whether an IngressClass object is one Gatehouse serves (by name or by controller value). */
export function isGatehouseClass(cls: IngressClass, opts: OwnershipOptions): boolean {
  return (
    opts.ingressClasses.includes(cls.metadata.name ?? '') || cls.spec?.controller === opts.controllerValue
  );
}

function isDefaultClass(cls: IngressClass): boolean {
  return cls.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true';
}

/** Whether Gatehouse serves the class of this name: by `--ingress-class`, or by its IngressClass's controller. */
function servesClass(cls: string, cluster: ClusterSnapshot, opts: OwnershipOptions): boolean {
  if (opts.ingressClasses.includes(cls)) return true;
  const obj = cluster.ingressClass(cls);
  return obj !== undefined && obj.spec?.controller === opts.controllerValue;
}

/**
 * An Ingress is Gatehouse's when its class is one Gatehouse serves, or it has no class and
 * Gatehouse's IngressClass is the cluster default (or `--watch-ingress-without-class`).
 */
export function isOwned(ingress: Ingress, cluster: ClusterSnapshot, opts: OwnershipOptions): boolean {
  const cls = ingressClassOf(ingress);
  if (cls !== undefined) return servesClass(cls, cluster, opts);
  if (opts.watchWithoutClass) return true;
  return cluster.ingressClasses().some((c) => isDefaultClass(c) && isGatehouseClass(c, opts));
}

/**
 * Whether the validating webhook judges an Ingress: it is Gatehouse's, or its deprecated class
 * annotation names a Gatehouse class while `spec.ingressClassName` names another. Controllers
 * disagree on which of the two wins (ingress-nginx reads the annotation first), so such an
 * Ingress may be served by both; the API server refuses the pair on create only, so on update
 * it is the ingress-class rule that denies it.
 * https://kubernetes.io/docs/concepts/services-networking/ingress/#deprecated-annotation
 */
export function isJudged(ingress: Ingress, cluster: ClusterSnapshot, opts: OwnershipOptions): boolean {
  if (isOwned(ingress, cluster, opts)) return true;
  const annotation = ingress.metadata.annotations?.[CLASS_ANNOTATION];
  return typeof annotation === 'string' && annotation !== '' && servesClass(annotation, cluster, opts);
}
