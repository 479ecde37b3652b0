import { CLASS_ANNOTATION } from '../k8s/ownership.js';
import { annotationPath } from './field-path.js';
import { quote } from './quote.js';
import type { Finding, Rule } from './types.js';

const ID = 'deprecated-class-annotation';

/**
 * `kubernetes.io/ingress.class` has been deprecated since Kubernetes 1.18 in favour of
 * `spec.ingressClassName`. https://kubernetes.io/docs/concepts/services-networking/ingress/#deprecated-annotation
 * A class that differs from `spec.ingressClassName` is the ingress-class rule's denial.
 */
export const deprecatedClassAnnotationRule: Rule = {
  id: ID,
  doc: 'kubernetes.io/ingress.class is deprecated: use spec.ingressClassName (the mutating webhook converts it)',
  check(ingress): Finding[] {
    const value: unknown = ingress.metadata?.annotations?.[CLASS_ANNOTATION];
    if (value === undefined) return [];
    const shown = typeof value === 'string' ? quote(value) : String(value);
    const field = ingress.spec?.ingressClassName;
    const message =
      field === undefined || field === ''
        ? `deprecated since Kubernetes 1.18: set spec.ingressClassName: ${shown} instead ` +
          `(Gatehouse's mutating webhook converts it when IngressClass ${shown} exists)`
        : field === value
          ? `deprecated and redundant with spec.ingressClassName ${quote(field)}: remove it (Gatehouse's mutating webhook removes it)`
          : `deprecated: remove it; spec.ingressClassName ${quote(field)} is the field that counts`;
    return [{ rule: ID, severity: 'warn', path: annotationPath(CLASS_ANNOTATION), message }];
  },
};
