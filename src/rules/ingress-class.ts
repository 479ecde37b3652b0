import { CLASS_ANNOTATION } from '../k8s/ownership.js';
import { annotationPath } from './field-path.js';
import { quote } from './quote.js';
import type { Finding, Rule } from './types.js';

const ID = 'ingress-class';

/**
 * Two class mistakes. A class Gatehouse serves (`--ingress-class`) with no IngressClass object
 * is a warning: Gatehouse would serve it, but nothing else in the cluster (kubectl describe,
 * other tooling, a future controller restart without the flag) knows about it. And the deprecated
 * `kubernetes.io/ingress.class` annotation naming a different class than `spec.ingressClassName`
 * is a denial: controllers disagree on which one wins, so the Ingress lands on the wrong one.
 * https://kubernetes.io/docs/concepts/services-networking/ingress/#deprecated-annotation
 */
export const ingressClassRule: Rule = {
  id: ID,
  doc: 'A Gatehouse class needs an IngressClass object (warning); the class annotation must not contradict spec.ingressClassName.',
  check(ingress, ctx) {
    const findings: Finding[] = [];
    const field = ingress.spec?.ingressClassName || undefined;
    const annotation = ingress.metadata.annotations?.[CLASS_ANNOTATION] || undefined;
    if (field !== undefined && annotation !== undefined && field !== annotation) {
      findings.push({
        rule: ID,
        severity: 'deny',
        path: annotationPath(CLASS_ANNOTATION),
        message: `annotation ${CLASS_ANNOTATION} ${quote(annotation)} contradicts spec.ingressClassName ${quote(field)}; remove the deprecated annotation`,
      });
    }
    const cls = field ?? annotation;
    if (
      cls !== undefined &&
      ctx.options.ownership.ingressClasses.includes(cls) &&
      ctx.cluster.covers('IngressClass') &&
      !ctx.cluster.ingressClass(cls)
    ) {
      findings.push({
        rule: ID,
        severity: 'warn',
        path: field !== undefined ? 'spec.ingressClassName' : annotationPath(CLASS_ANNOTATION),
        message: `IngressClass ${quote(cls)} does not exist; no controller will pick this Ingress up until it is created`,
      });
    }
    return findings;
  },
};
