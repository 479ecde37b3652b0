import { describe, expect, test } from 'vitest';
import { SHARE_HOST_ANNOTATION } from '../../src/k8s/host-ownership.js';
import type { Ingress } from '../../src/k8s/types.js';
import { hostOwnershipRule } from '../../src/rules/host-ownership.js';
import type { Finding } from '../../src/rules/types.js';
import { contextFor, ingress, namespace, service, shopCluster } from '../fixtures/builders.js';

const OLD = '2024-01-01T00:00:00Z';
const NEW = '2025-01-01T00:00:00Z';

/** The shop team's Ingress, which claimed shop.example.com first. */
const owner = (annotations?: Record<string, string>) =>
  ingress({ namespace: 'shop', name: 'storefront', creationTimestamp: OLD, paths: [{ path: '/' }], ...(annotations ? { annotations } : {}) });

function check(candidate: Ingress, existing: Ingress[], opts: { operation?: 'CREATE' | 'UPDATE'; hostOwnership?: 'strict' | 'shared' } = {}): Finding[] {
  const cluster = shopCluster(namespace('evil'), service('evil', 'web'), ...existing);
  return hostOwnershipRule.check(candidate, contextFor(cluster, { operation: opts.operation ?? 'CREATE', options: { hostOwnership: opts.hostOwnership ?? 'strict' } }));
}

const intruder = (extra: Partial<Parameters<typeof ingress>[0]> = {}) =>
  ingress({ namespace: 'evil', name: 'grab', paths: [{ path: '/api', pathType: 'Exact' }], ...extra });

describe('host-ownership rule', () => {
  test('denies another namespace adding a path to a host it does not own', () => {
    expect(check(intruder(), [owner()])).toEqual([
      {
        rule: 'host-ownership',
        severity: 'deny',
        path: 'spec.rules[0].host',
        message: `host "shop.example.com" belongs to namespace "shop" (Ingress "shop/storefront" claimed it first); another namespace may add paths only if an Ingress there lists "evil" in annotation ${SHARE_HOST_ANNOTATION}`,
      },
    ]);
  });

  test('denies a regex catch-all from another namespace as well', () => {
    const regex = intruder({ annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true' }, paths: [{ path: '/(?:zzzz)?.*', pathType: 'ImplementationSpecific' }] });
    expect(check(regex, [owner()]).map((f) => f.severity)).toEqual(['deny']);
  });

  test.for([
    ['the namespace', 'evil'],
    ['a list with the namespace', 'other, evil'],
    ['every namespace', '*'],
  ])('allows it when the owner shares the host with %s', ([, value]) => {
    expect(check(intruder(), [owner({ [SHARE_HOST_ANNOTATION]: value! })])).toEqual([]);
  });

  test('allows it with --host-ownership shared', () => {
    expect(check(intruder(), [owner()], { hostOwnership: 'shared' })).toEqual([]);
  });

  test('allows a second Ingress of the owning namespace', () => {
    expect(check(ingress({ namespace: 'shop', name: 'api', paths: [{ path: '/api' }] }), [owner()])).toEqual([]);
  });

  test('lets the older Ingress be updated although a newer one elsewhere shares its host', () => {
    const squatter = intruder({ creationTimestamp: NEW });
    expect(check(owner(), [owner(), squatter], { operation: 'UPDATE' })).toEqual([]);
  });

  test('leaves hostless rules alone (the default server is everyone)', () => {
    expect(check(intruder({ rules: [{ paths: [{ path: '/x' }] }] }), [ingress({ namespace: 'shop', name: 'nohost', creationTimestamp: OLD, rules: [{ paths: [{ path: '/' }] }] })])).toEqual([]);
  });

  test('ignores Ingresses another controller serves', () => {
    expect(check(intruder(), [ingress({ namespace: 'shop', name: 'traefik', className: 'traefik', creationTimestamp: OLD })])).toEqual([]);
  });

  test('warns when a regex path shares a host with another Ingress of the same namespace', () => {
    const regex = ingress({
      namespace: 'shop',
      name: 'catchall',
      annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true' },
      paths: [{ path: '/.*', pathType: 'ImplementationSpecific' }],
    });
    expect(check(regex, [owner()])).toEqual([
      {
        rule: 'host-ownership',
        severity: 'warn',
        path: 'spec.rules[0].http.paths[0].path',
        message: 'regex path on host "shop.example.com" is tried before the prefix paths of Ingress "shop/storefront" and may take their requests',
      },
    ]);
  });
});

describe('host-ownership rule: server-alias', () => {
  const ALIAS = 'nginx.ingress.kubernetes.io/server-alias';
  const aliasing = (alias: string, ns = 'evil') => ingress({ namespace: ns, name: 'alias', host: 'mine.example.com', annotations: { [ALIAS]: alias } });

  test.for(['evil', 'shop'])('denies an alias that is the host of another Ingress (alias from namespace %s)', (ns) => {
    expect(check(aliasing('www.example.com, shop.example.com', ns), [owner()])).toEqual([
      {
        rule: 'host-ownership',
        severity: 'deny',
        path: `metadata.annotations[${ALIAS}]`,
        message: 'server-alias "shop.example.com" is a host of Ingress "shop/storefront"; an alias never takes a host an Ingress has',
      },
    ]);
  });

  test('allows an alias no Ingress has as a host', () => {
    expect(check(aliasing('www.example.com'), [owner()])).toEqual([]);
  });

  test('allows an alias naming one of its own hosts (nothing to take)', () => {
    expect(check(aliasing('mine.example.com'), [owner()])).toEqual([]);
  });
});
