import { describe, expect, test } from 'vitest';
import { applyJsonPatch } from '../../src/admission/json-patch.js';
import { classAnnotationPatch } from '../../src/admission/mutate-class.js';
import type { Ingress } from '../../src/k8s/types.js';
import { ingress, ingressClass, namespace, shopCluster, snapshotOf } from '../fixtures/builders.js';

const CLASS = 'kubernetes.io/ingress.class';
const FIELD = 'metadata.annotations[kubernetes.io/ingress.class]';

/** An Ingress that uses only the deprecated annotation. */
function annotated(className: string, more: Record<string, string> = {}): Ingress {
  return ingress({ className: null, annotations: { [CLASS]: className, ...more } });
}

describe('classAnnotationPatch', () => {
  test('converts the annotation to spec.ingressClassName when the IngressClass exists', () => {
    expect(classAnnotationPatch(annotated('nginx'), shopCluster())).toEqual({
      patch: [
        { op: 'add', path: '/spec/ingressClassName', value: 'nginx' },
        { op: 'remove', path: '/metadata/annotations/kubernetes.io~1ingress.class' },
      ],
      warnings: [
        {
          rule: 'deprecated-class-annotation',
          severity: 'warn',
          path: FIELD,
          message: 'converted deprecated annotation kubernetes.io/ingress.class="nginx" to spec.ingressClassName',
        },
      ],
    });
  });

  test('the patched object has the class field, keeps other annotations and lacks the deprecated one', () => {
    const ing = annotated('nginx', { 'example.com/team': 'shop' });
    const out = applyJsonPatch(ing, classAnnotationPatch(ing, shopCluster()).patch);
    expect([out.spec?.ingressClassName, out.metadata.annotations]).toEqual(['nginx', { 'example.com/team': 'shop' }]);
  });

  test('is idempotent: the patched object yields no patch', () => {
    const ing = annotated('nginx');
    const once = applyJsonPatch(ing, classAnnotationPatch(ing, shopCluster()).patch);
    expect(classAnnotationPatch(once, shopCluster())).toEqual({ patch: [], warnings: [] });
  });

  test('adds the whole spec when the object has none', () => {
    const ing: Ingress = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'shop', annotations: { [CLASS]: 'nginx' } } };
    const { patch } = classAnnotationPatch(ing, shopCluster());
    expect(patch[0]).toEqual({ op: 'add', path: '/spec', value: { ingressClassName: 'nginx' } });
    expect(applyJsonPatch(ing, patch).spec).toEqual({ ingressClassName: 'nginx' });
  });

  test('treats a null spec.ingressClassName as absent', () => {
    const base = annotated('nginx');
    const ing = { ...base, spec: { ...base.spec, ingressClassName: null } } as unknown as Ingress;
    const out = applyJsonPatch(ing, classAnnotationPatch(ing, shopCluster()).patch);
    expect(out.spec?.ingressClassName).toBe('nginx');
  });

  test('only removes the annotation when spec.ingressClassName already names the same class', () => {
    const ing = ingress({ className: 'nginx', annotations: { [CLASS]: 'nginx' } });
    expect(classAnnotationPatch(ing, shopCluster())).toEqual({
      patch: [{ op: 'remove', path: '/metadata/annotations/kubernetes.io~1ingress.class' }],
      warnings: [
        {
          rule: 'deprecated-class-annotation',
          severity: 'warn',
          path: FIELD,
          message: 'removed deprecated annotation kubernetes.io/ingress.class="nginx": spec.ingressClassName is already "nginx"',
        },
      ],
    });
  });

  test('leaves the last annotation\'s map in place, empty', () => {
    const ing = ingress({ className: 'nginx', annotations: { [CLASS]: 'nginx' } });
    expect(applyJsonPatch(ing, classAnnotationPatch(ing, shopCluster()).patch).metadata.annotations).toEqual({});
  });

  test('does nothing when spec.ingressClassName names another class (validation denies that)', () => {
    const ing = ingress({ className: 'other', annotations: { [CLASS]: 'nginx' } });
    expect(classAnnotationPatch(ing, shopCluster())).toEqual({ patch: [], warnings: [] });
  });

  test('keeps the annotation and warns when no such IngressClass exists', () => {
    expect(classAnnotationPatch(annotated('missing'), shopCluster())).toEqual({
      patch: [],
      warnings: [
        {
          rule: 'deprecated-class-annotation',
          severity: 'warn',
          path: FIELD,
          message:
            'kept deprecated annotation kubernetes.io/ingress.class="missing" instead of converting it to spec.ingressClassName: no IngressClass "missing" exists',
        },
      ],
    });
  });

  test('keeps the annotation when the snapshot cannot tell whether the IngressClass exists', () => {
    const { patch, warnings } = classAnnotationPatch(annotated('nginx'), snapshotOf(namespace('shop')));
    expect([patch, warnings.map((w) => w.message)]).toEqual([
      [],
      [
        'kept deprecated annotation kubernetes.io/ingress.class="nginx" instead of converting it to spec.ingressClassName: the snapshot holds no IngressClasses, so IngressClass "nginx" cannot be confirmed',
      ],
    ]);
  });

  test('does nothing without the annotation', () => {
    expect(classAnnotationPatch(ingress(), shopCluster())).toEqual({ patch: [], warnings: [] });
  });

  test('addresses the object as received, whatever its apiVersion', () => {
    const legacy = { ...annotated('nginx'), apiVersion: 'extensions/v1beta1' } as Ingress;
    expect(classAnnotationPatch(legacy, shopCluster()).patch.map((op) => op.path)).toEqual([
      '/spec/ingressClassName',
      '/metadata/annotations/kubernetes.io~1ingress.class',
    ]);
  });
});

// Issue 11: the annotation is converted whenever the IngressClass it names exists, whichever
// controller that class belongs to; the mutator itself does not look at ownership.
describe('classAnnotationPatch for any controller\'s class', () => {
  const traefik = ingressClass('traefik', 'traefik.io/ingress-controller');

  test('converts an annotation naming another controller\'s IngressClass', () => {
    const ing = annotated('traefik');
    const { patch, warnings } = classAnnotationPatch(ing, shopCluster(traefik));
    expect(patch).toEqual([
      { op: 'add', path: '/spec/ingressClassName', value: 'traefik' },
      { op: 'remove', path: '/metadata/annotations/kubernetes.io~1ingress.class' },
    ]);
    expect(warnings.map((w) => w.message)).toEqual(['converted deprecated annotation kubernetes.io/ingress.class="traefik" to spec.ingressClassName']);
    // Idempotent: its output yields no patch and no warning.
    expect(classAnnotationPatch(applyJsonPatch(ing, patch), shopCluster(traefik))).toEqual({ patch: [], warnings: [] });
  });

  test('warns, and keeps the annotation, when it names no IngressClass of any controller', () => {
    const { patch, warnings } = classAnnotationPatch(annotated('haproxy'), shopCluster(traefik));
    expect(patch).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('no IngressClass "haproxy" exists');
  });
});
