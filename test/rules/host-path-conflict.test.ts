import { describe, expect, test } from 'vitest';
import type { Ingress } from '../../src/k8s/types.js';
import { hostPathConflictRule } from '../../src/rules/host-path-conflict.js';
import type { RuleContext } from '../../src/rules/types.js';
import { contextFor, ingress, ingressClass, namespace, service, shopCluster } from '../fixtures/builders.js';

const USE_REGEX = 'nginx.ingress.kubernetes.io/use-regex';
const CANARY = { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '10' };

interface Case {
  name: string;
  existing: Ingress[];
  ingress: Ingress;
  operation?: RuleContext['operation'];
  expected: { path: string; message: string }[];
}

function check(existing: Ingress[], ing: Ingress, operation: RuleContext['operation'] = 'CREATE') {
  const cluster = shopCluster(namespace('prod'), service('prod', 'web'), ingressClass('other', 'example.com/other'), ...existing);
  return hostPathConflictRule.check(ing, contextFor(cluster, { operation }));
}

describe('host-path-conflict rule', () => {
  test.for<Case>([
    { name: 'no other Ingress', existing: [], ingress: ingress(), expected: [] },
    {
      name: 'another Gatehouse Ingress on the same host, path and pathType',
      existing: [ingress({ namespace: 'prod', name: 'storefront' })],
      ingress: ingress(),
      expected: [
        { path: 'spec.rules[0].http.paths[0].path', message: 'host "shop.example.com" path "/" (Prefix) is already served by Ingress "prod/storefront"' },
      ],
    },
    {
      name: 'same namespace, other name',
      existing: [ingress({ name: 'old-web' })],
      ingress: ingress(),
      expected: [
        { path: 'spec.rules[0].http.paths[0].path', message: 'host "shop.example.com" path "/" (Prefix) is already served by Ingress "shop/old-web"' },
      ],
    },
    {
      name: 'several owners, named sorted in one finding',
      existing: [ingress({ namespace: 'prod', name: 'b' }), ingress({ namespace: 'prod', name: 'a' })],
      ingress: ingress(),
      expected: [
        {
          path: 'spec.rules[0].http.paths[0].path',
          message: 'host "shop.example.com" path "/" (Prefix) is already served by Ingress "prod/a", "prod/b"',
        },
      ],
    },
    {
      name: 'a conflict on a rule without host ("any host")',
      existing: [ingress({ namespace: 'prod', rules: [{ paths: [{ path: '/api' }] }] })],
      ingress: ingress({ rules: [{ paths: [{ path: '/' }, { path: '/api' }] }] }),
      expected: [{ path: 'spec.rules[0].http.paths[1].path', message: 'any host path "/api" (Prefix) is already served by Ingress "prod/web"' }],
    },
    {
      name: 'the Ingress itself on UPDATE',
      existing: [ingress()],
      ingress: ingress({ paths: [{}, { path: '/new' }] }),
      operation: 'UPDATE',
      expected: [],
    },
    {
      name: 'a canary Ingress alongside its main one',
      existing: [ingress({ namespace: 'shop', name: 'web' })],
      ingress: ingress({ name: 'web-canary', annotations: CANARY }),
      expected: [],
    },
    {
      name: 'a main Ingress alongside an existing canary',
      existing: [ingress({ name: 'web-canary', annotations: CANARY })],
      ingress: ingress(),
      expected: [],
    },
    {
      name: 'canary "false" is no canary',
      existing: [ingress({ name: 'web-canary', annotations: { 'nginx.ingress.kubernetes.io/canary': 'false' } })],
      ingress: ingress(),
      expected: [
        { path: 'spec.rules[0].http.paths[0].path', message: 'host "shop.example.com" path "/" (Prefix) is already served by Ingress "shop/web-canary"' },
      ],
    },
    { name: 'another Ingress of class "other" (not Gatehouse\'s)', existing: [ingress({ namespace: 'prod', className: 'other' })], ingress: ingress(), expected: [] },
    { name: 'another Ingress without a class (not Gatehouse\'s by default)', existing: [ingress({ namespace: 'prod', className: null })], ingress: ingress(), expected: [] },
    { name: 'same host and path, other pathType', existing: [ingress({ namespace: 'prod', paths: [{ pathType: 'Exact' }] })], ingress: ingress(), expected: [] },
    { name: 'same path, other host', existing: [ingress({ namespace: 'prod', host: 'prod.example.com' })], ingress: ingress(), expected: [] },
    {
      name: 'Prefix "/foo/" against an existing Prefix "/foo": one route (a trailing slash is ignored)',
      existing: [ingress({ namespace: 'prod', paths: [{ path: '/foo' }] })],
      ingress: ingress({ paths: [{ path: '/foo/' }] }),
      expected: [
        {
          path: 'spec.rules[0].http.paths[0].path',
          message: 'host "shop.example.com" path "/foo/" (Prefix) is already served by Ingress "prod/web" (as Prefix "/foo", the same route)',
        },
      ],
    },
    {
      name: 'Prefix "/foo" against an existing Prefix "/foo/"',
      existing: [ingress({ namespace: 'prod', paths: [{ path: '/foo/' }] })],
      ingress: ingress({ paths: [{ path: '/foo' }] }),
      expected: [
        {
          path: 'spec.rules[0].http.paths[0].path',
          message: 'host "shop.example.com" path "/foo" (Prefix) is already served by Ingress "prod/web" (as Prefix "/foo/", the same route)',
        },
      ],
    },
    {
      name: 'Prefix against a non-regex ImplementationSpecific path spelt alike: one route',
      existing: [ingress({ namespace: 'prod', paths: [{ path: '/foo', pathType: 'ImplementationSpecific' }] })],
      ingress: ingress({ paths: [{ path: '/foo' }] }),
      expected: [
        {
          path: 'spec.rules[0].http.paths[0].path',
          message: 'host "shop.example.com" path "/foo" (Prefix) is already served by Ingress "prod/web" (as ImplementationSpecific "/foo", the same route)',
        },
      ],
    },
    {
      name: 'an empty ImplementationSpecific path against an existing Prefix "/"',
      existing: [ingress({ namespace: 'prod', paths: [{ path: '/' }] })],
      ingress: ingress({ paths: [{ path: '', pathType: 'ImplementationSpecific' }] }),
      expected: [
        {
          path: 'spec.rules[0].http.paths[0].path',
          message: 'host "shop.example.com" path "" (ImplementationSpecific) is already served by Ingress "prod/web" (as Prefix "/", the same route)',
        },
      ],
    },
    {
      name: 'Prefix against a regex ImplementationSpecific path spelt alike: not one route',
      existing: [ingress({ namespace: 'prod', annotations: { [USE_REGEX]: 'true' }, paths: [{ path: '/foo', pathType: 'ImplementationSpecific' }] })],
      ingress: ingress({ paths: [{ path: '/foo' }] }),
      expected: [],
    },
    {
      name: 'a regex path against an existing Prefix spelt alike: not one route',
      existing: [ingress({ namespace: 'prod', paths: [{ path: '/foo' }] })],
      ingress: ingress({ annotations: { [USE_REGEX]: 'true' }, paths: [{ path: '/foo', pathType: 'ImplementationSpecific' }] }),
      expected: [],
    },
    {
      name: 'the same regex on two regex Ingresses',
      existing: [ingress({ namespace: 'prod', annotations: { [USE_REGEX]: 'true' }, paths: [{ path: '/foo/', pathType: 'ImplementationSpecific' }] })],
      ingress: ingress({ annotations: { [USE_REGEX]: 'true' }, paths: [{ path: '/foo/', pathType: 'ImplementationSpecific' }] }),
      expected: [{ path: 'spec.rules[0].http.paths[0].path', message: 'host "shop.example.com" path "/foo/" (ImplementationSpecific) is already served by Ingress "prod/web"' }],
    },
    {
      name: 'regex "/foo" and "/foo/" are different routes',
      existing: [ingress({ namespace: 'prod', annotations: { [USE_REGEX]: 'true' }, paths: [{ path: '/foo', pathType: 'ImplementationSpecific' }] })],
      ingress: ingress({ annotations: { [USE_REGEX]: 'true' }, paths: [{ path: '/foo/', pathType: 'ImplementationSpecific' }] }),
      expected: [],
    },
    { name: 'Exact "/foo/" against an existing Exact "/foo": different routes', existing: [ingress({ namespace: 'prod', paths: [{ path: '/foo', pathType: 'Exact' }] })], ingress: ingress({ paths: [{ path: '/foo/', pathType: 'Exact' }] }), expected: [] },
    { name: 'Exact "/foo/" against an existing Prefix "/foo": different routes', existing: [ingress({ namespace: 'prod', paths: [{ path: '/foo' }] })], ingress: ingress({ paths: [{ path: '/foo/', pathType: 'Exact' }] }), expected: [] },
    {
      name: 'the same route on another host of the other Ingress (its path here is Exact)',
      existing: [ingress({ namespace: 'prod', rules: [{ host: 'other.example.com', paths: [{ path: '/foo/' }] }, { host: 'shop.example.com', paths: [{ path: '/foo', pathType: 'Exact' }] }] })],
      ingress: ingress({ paths: [{ path: '/foo' }] }),
      expected: [],
    },
  ])('$name', ({ existing, ingress: ing, operation, expected }) => {
    expect(check(existing, ing, operation)).toEqual(expected.map((e) => ({ rule: 'host-path-conflict', severity: 'deny', ...e })));
  });

  describe('canaries: one per route, and only beside a main Ingress', () => {
    const canary = (name: string, annotations: Record<string, string> = CANARY) => ingress({ name, annotations });

    test.for<{ name: string; existing: Ingress[]; ingress: Ingress; expected: { severity: 'deny' | 'warn'; message: string }[] }>([
      { name: 'a canary beside its main Ingress', existing: [ingress()], ingress: canary('web-canary'), expected: [] },
      {
        name: 'canary spelt "True" (Go ParseBool) beside its main Ingress',
        existing: [ingress()],
        ingress: canary('web-canary', { 'nginx.ingress.kubernetes.io/canary': 'True' }),
        expected: [],
      },
      {
        name: 'a canary without a main Ingress: warned, not served',
        existing: [],
        ingress: canary('web-canary'),
        expected: [{ severity: 'warn', message: 'no main (non-canary) Gatehouse Ingress serves host "shop.example.com" path "/" (Prefix): this canary is not served until one does' }],
      },
      {
        name: 'a second canary for the route is denied',
        existing: [ingress(), canary('web-canary')],
        ingress: canary('web-canary-2'),
        expected: [{ severity: 'deny', message: 'host "shop.example.com" path "/" (Prefix) already has a canary, Ingress "shop/web-canary": one canary per route' }],
      },
      {
        name: 'a main Ingress of another controller does not count as the main',
        existing: [ingress({ namespace: 'prod', className: 'other' })],
        ingress: canary('web-canary'),
        expected: [{ severity: 'warn', message: 'no main (non-canary) Gatehouse Ingress serves host "shop.example.com" path "/" (Prefix): this canary is not served until one does' }],
      },
    ])('$name', ({ existing, ingress: ing, expected }) => {
      expect(check(existing, ing)).toEqual(expected.map((e) => ({ rule: 'host-path-conflict', path: 'spec.rules[0].http.paths[0].path', ...e })));
    });
  });

  test('an Ingress whose IngressClass names Gatehouse\'s controller value conflicts', () => {
    const ours = ingressClass('edge');
    const other = ingress({ namespace: 'prod', className: 'edge' });
    const cluster = shopCluster(namespace('prod'), ours, other);
    expect(hostPathConflictRule.check(ingress(), contextFor(cluster)).map((f) => f.message)).toEqual([
      'host "shop.example.com" path "/" (Prefix) is already served by Ingress "prod/web"',
    ]);
  });

  test('a classless Ingress is Gatehouse\'s when its IngressClass is the default', () => {
    const cluster = shopCluster(namespace('prod'), ingressClass('gatehouse', 'gatehouse.dev/ingress-controller', true), ingress({ namespace: 'prod', className: null }));
    expect(hostPathConflictRule.check(ingress(), contextFor(cluster))).toHaveLength(1);
  });

  test('uses the host+path index, never a scan of all Ingresses', () => {
    const cluster = shopCluster(ingress({ namespace: 'prod', name: 'storefront' }));
    const scanning = new Proxy(cluster, {
      get(target, prop, receiver) {
        if (prop === 'ingresses') throw new Error('scanned all Ingresses');
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    expect(hostPathConflictRule.check(ingress(), contextFor(scanning))).toHaveLength(1);
  });
});
