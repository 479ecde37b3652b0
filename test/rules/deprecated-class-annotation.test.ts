import { expect, test } from 'vitest';
import { deprecatedClassAnnotationRule } from '../../src/rules/deprecated-class-annotation.js';
import { contextFor, ingress, shopCluster } from '../fixtures/builders.js';

const CLASS = 'kubernetes.io/ingress.class';
const PATH = 'metadata.annotations[kubernetes.io/ingress.class]';

function check(annotations: Record<string, string> | undefined, className: string | null) {
  return deprecatedClassAnnotationRule.check(ingress({ className, ...(annotations ? { annotations } : {}) }), contextFor(shopCluster()));
}

test.for<{ name: string; annotations?: Record<string, string>; className: string | null; message?: string }>([
  { name: 'no class annotation: nothing to say', className: 'nginx' },
  { name: 'only other annotations', annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true' }, className: 'nginx' },
  {
    name: 'annotation alone: use the field, the webhook converts',
    annotations: { [CLASS]: 'nginx' },
    className: null,
    message:
      'deprecated since Kubernetes 1.18: set spec.ingressClassName: "nginx" instead (Gatehouse\'s mutating webhook converts it when IngressClass "nginx" exists)',
  },
  {
    name: 'annotation equal to the field: redundant',
    annotations: { [CLASS]: 'nginx' },
    className: 'nginx',
    message: 'deprecated and redundant with spec.ingressClassName "nginx": remove it (Gatehouse\'s mutating webhook removes it)',
  },
  {
    name: 'annotation different from the field',
    annotations: { [CLASS]: 'other' },
    className: 'nginx',
    message: 'deprecated: remove it; spec.ingressClassName "nginx" is the field that counts',
  },
  {
    name: 'a hostile class value is quoted',
    annotations: { [CLASS]: 'a\nb' },
    className: null,
    message:
      'deprecated since Kubernetes 1.18: set spec.ingressClassName: "a\\nb" instead (Gatehouse\'s mutating webhook converts it when IngressClass "a\\nb" exists)',
  },
])('$name', ({ annotations, className, message }) => {
  const expected = message ? [{ rule: 'deprecated-class-annotation', severity: 'warn', path: PATH, message }] : [];
  expect(check(annotations, className)).toEqual(expected);
});
