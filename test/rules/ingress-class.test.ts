import { describe, expect, test } from 'vitest';
import { DEFAULT_OWNERSHIP, isJudged, isOwned } from '../../src/k8s/ownership.js';
import type { SnapshotStore } from '../../src/k8s/snapshot.js';
import type { Ingress } from '../../src/k8s/types.js';
import type { Finding } from '../../src/rules/types.js';
import { ingressClassRule } from '../../src/rules/ingress-class.js';
import { contextFor, ingress, ingressClass, namespace, shopCluster, snapshotOf } from '../fixtures/builders.js';

const CLASS = 'kubernetes.io/ingress.class';

interface Case {
  name: string;
  ingress: Ingress;
  cluster?: SnapshotStore;
  expected: Omit<Finding, 'rule'>[];
}

describe('ingress-class rule', () => {
  test.for<Case>([
    { name: 'spec.ingressClassName naming an existing IngressClass', ingress: ingress(), expected: [] },
    { name: 'the annotation alone, naming an existing IngressClass', ingress: ingress({ className: null, annotations: { [CLASS]: 'nginx' } }), expected: [] },
    { name: 'the annotation equal to spec.ingressClassName', ingress: ingress({ annotations: { [CLASS]: 'nginx' } }), expected: [] },
    { name: 'no class at all', ingress: ingress({ className: null }), expected: [] },
    { name: 'a class Gatehouse does not serve, without an IngressClass', ingress: ingress({ className: 'traefik' }), expected: [] },
    {
      name: 'a Gatehouse class without an IngressClass object',
      ingress: ingress(),
      cluster: snapshotOf(namespace('shop'), ingressClass('other', 'example.com/other')),
      expected: [
        { severity: 'warn', path: 'spec.ingressClassName', message: 'IngressClass "nginx" does not exist; no controller will pick this Ingress up until it is created' },
      ],
    },
    {
      name: 'a Gatehouse class given only by annotation, without an IngressClass object',
      ingress: ingress({ className: null, annotations: { [CLASS]: 'nginx' } }),
      cluster: snapshotOf(namespace('shop'), ingressClass('other', 'example.com/other')),
      expected: [
        { severity: 'warn', path: `metadata.annotations[${CLASS}]`, message: 'IngressClass "nginx" does not exist; no controller will pick this Ingress up until it is created' },
      ],
    },
    {
      name: 'no warning when the snapshot holds no IngressClasses',
      ingress: ingress(),
      cluster: snapshotOf(namespace('shop')),
      expected: [],
    },
    {
      name: 'the annotation contradicting spec.ingressClassName',
      ingress: ingress({ annotations: { [CLASS]: 'traefik' } }),
      expected: [
        {
          severity: 'deny',
          path: `metadata.annotations[${CLASS}]`,
          message: 'annotation kubernetes.io/ingress.class "traefik" contradicts spec.ingressClassName "nginx"; remove the deprecated annotation',
        },
      ],
    },
    {
      name: 'a contradiction and a missing IngressClass together',
      ingress: ingress({ annotations: { [CLASS]: 'traefik' } }),
      cluster: snapshotOf(namespace('shop'), ingressClass('traefik', 'traefik.io/ingress-controller')),
      expected: [
        {
          severity: 'deny',
          path: `metadata.annotations[${CLASS}]`,
          message: 'annotation kubernetes.io/ingress.class "traefik" contradicts spec.ingressClassName "nginx"; remove the deprecated annotation',
        },
        { severity: 'warn', path: 'spec.ingressClassName', message: 'IngressClass "nginx" does not exist; no controller will pick this Ingress up until it is created' },
      ],
    },
  ])('$name', ({ ingress: ing, cluster, expected }) => {
    expect(ingressClassRule.check(ing, contextFor(cluster ?? shopCluster()))).toEqual(expected.map((e) => ({ rule: 'ingress-class', ...e })));
  });

  test('a class served through --ingress-class gets the warning under its own name', () => {
    const ctx = contextFor(shopCluster(), {
      options: { ownership: { ingressClasses: ['edge'], controllerValue: 'gatehouse.dev/ingress-controller', watchWithoutClass: false } },
    });
    expect(ingressClassRule.check(ingress({ className: 'edge' }), ctx).map((f) => f.message)).toEqual([
      'IngressClass "edge" does not exist; no controller will pick this Ingress up until it is created',
    ]);
  });
});

// Issue 11: `kubernetes.io/ingress.class: nginx` with `spec.ingressClassName: traefik` was not
// Gatehouse's (the field wins in isOwned), so the webhook never ran this rule and admitted it
// without a word, although ingress-nginx-style controllers read the annotation first.
describe('the class rule sees every Ingress whose class sources disagree about Gatehouse', () => {
  const other = ingressClass('traefik', 'traefik.io/ingress-controller');
  const cluster = () => shopCluster(other, ingressClass('edge'));
  test.for([
    ['annotation Gatehouse\'s, field another controller\'s', ingress({ className: 'traefik', annotations: { [CLASS]: 'nginx' } }), true],
    ['annotation naming a class with Gatehouse\'s controller value', ingress({ className: 'traefik', annotations: { [CLASS]: 'edge' } }), true],
    ['field Gatehouse\'s, annotation another\'s', ingress({ annotations: { [CLASS]: 'traefik' } }), true],
    ['both another controller\'s', ingress({ className: 'traefik', annotations: { [CLASS]: 'traefik' } }), false],
    ['another controller\'s field and no annotation', ingress({ className: 'traefik' }), false],
    ['an empty annotation', ingress({ className: 'traefik', annotations: { [CLASS]: '' } }), false],
  ] as const)('%s: judged %s', ([, ing, judged]) => {
    expect(isJudged(ing, cluster(), DEFAULT_OWNERSHIP)).toBe(judged);
  });

  test('annotation Gatehouse\'s and field another controller\'s is judged and denied', () => {
    const ing = ingress({ className: 'traefik', annotations: { [CLASS]: 'nginx' } });
    const store = cluster();
    expect(isOwned(ing, store, DEFAULT_OWNERSHIP)).toBe(false);
    expect(isJudged(ing, store, DEFAULT_OWNERSHIP)).toBe(true);
    expect(ingressClassRule.check(ing, contextFor(store))).toEqual([
      {
        rule: 'ingress-class',
        severity: 'deny',
        path: `metadata.annotations[${CLASS}]`,
        message: 'annotation kubernetes.io/ingress.class "nginx" contradicts spec.ingressClassName "traefik"; remove the deprecated annotation',
      },
    ]);
  });
});
