import { describe, expect, test } from 'vitest';
import { SnapshotStore } from '../../src/k8s/snapshot.js';
import { ingress, service } from '../fixtures/builders.js';

describe('SnapshotStore', () => {
  test('finds every Ingress that may claim a route: same host, path equal up to trailing slashes, any pathType', () => {
    const store = new SnapshotStore();
    store.upsert('Ingress', ingress({ name: 'a', host: 'x.com', paths: [{ path: '/a/' }] }));
    store.upsert('Ingress', ingress({ name: 'b', host: 'x.com', paths: [{ path: '/a', pathType: 'ImplementationSpecific' }] }));
    store.upsert('Ingress', ingress({ name: 'c', host: 'x.com', paths: [{ path: '/a//', pathType: 'Exact' }] }));
    store.upsert('Ingress', ingress({ name: 'd', host: 'y.com', paths: [{ path: '/a' }] }));
    store.upsert('Ingress', ingress({ name: 'e', host: 'x.com', paths: [{ path: '/ab' }] }));
    expect(store.ingressesClaiming('x.com', '/a').map((i) => i.metadata.name).sort()).toEqual(['a', 'b', 'c']);
    expect(store.ingressesClaiming('x.com', '/a/').map((i) => i.metadata.name).sort()).toEqual(['a', 'b', 'c']);
  });

  test('indexes Ingresses by host and path, and follows updates', () => {
    const store = new SnapshotStore();
    store.upsert('Ingress', ingress({ name: 'a', host: 'x.com', paths: [{ path: '/a' }] }));
    expect(store.ingressesClaiming('x.com', '/a')).toHaveLength(1);
    store.upsert('Ingress', ingress({ name: 'a', host: 'x.com', paths: [{ path: '/b' }] }));
    expect(store.ingressesClaiming('x.com', '/a')).toHaveLength(0);
    expect(store.ingressesClaiming('x.com', '/b')).toHaveLength(1);
    store.remove('Ingress', ingress({ name: 'a' }));
    expect(store.ingressesClaiming('x.com', '/b')).toHaveLength(0);
    expect(store.ingresses()).toHaveLength(0);
  });

  test('indexes Ingresses by host (once per Ingress), and follows updates', () => {
    const store = new SnapshotStore();
    store.upsert('Ingress', ingress({ name: 'a', rules: [{ host: 'x.com', paths: [{ path: '/a' }] }, { host: 'x.com', paths: [{ path: '/b' }] }] }));
    store.upsert('Ingress', ingress({ namespace: 'other', name: 'b', host: 'x.com' }));
    expect(store.ingressesForHost('x.com').map((i) => i.metadata.name).sort()).toEqual(['a', 'b']);
    store.upsert('Ingress', ingress({ name: 'a', host: 'y.com' }));
    expect(store.ingressesForHost('x.com').map((i) => i.metadata.name)).toEqual(['b']);
    expect(store.ingressesForHost('y.com').map((i) => i.metadata.name)).toEqual(['a']);
  });

  test('finds Services by name across namespaces', () => {
    const store = new SnapshotStore();
    store.upsert('Service', service('prod', 'api'));
    store.upsert('Service', service('dev', 'api'));
    expect(store.servicesNamed('api').map((s) => s.metadata.namespace).sort()).toEqual(['dev', 'prod']);
    expect(store.service('prod', 'api')).toBeDefined();
    expect(store.service('shop', 'api')).toBeUndefined();
  });

  // The index keeps one value bare and a Map from the second on: every step in between answers alike.
  test('follows Services with one name as they come and go: one, an update, two, back to one, none', () => {
    const store = new SnapshotStore();
    const named = () => store.servicesNamed('api').map((s) => `${s.metadata.namespace}:${s.spec?.ports?.[0]?.port}`);
    store.upsert('Service', service('prod', 'api'));
    expect(named()).toEqual(['prod:80']);
    store.upsert('Service', service('prod', 'api', [{ port: 81 }]));
    expect(named()).toEqual(['prod:81']);
    store.upsert('Service', service('dev', 'api'));
    expect(named()).toEqual(['prod:81', 'dev:80']);
    store.upsert('Service', service('dev', 'api', [{ port: 82 }]));
    expect(named()).toEqual(['prod:81', 'dev:82']);
    store.remove('Service', service('prod', 'api'));
    expect(named()).toEqual(['dev:82']);
    store.upsert('Service', service('qa', 'api'));
    expect(named()).toEqual(['dev:82', 'qa:80']);
    store.remove('Service', service('qa', 'api'));
    store.remove('Service', service('dev', 'api'));
    expect(named()).toEqual([]);
    store.remove('Service', service('dev', 'api'));
    expect(named()).toEqual([]);
  });

  test('counts objects by kind and knows which kinds it covers', () => {
    const store = new SnapshotStore();
    store.upsert('Service', service('a', 'b'));
    store.markCovered('Secret');
    expect(store.counts()).toMatchObject({ Service: 1, Secret: 0, Ingress: 0 });
    expect(store.covers('Secret')).toBe(true);
    expect(store.covers('Namespace')).toBe(false);
  });

  test('clear drops every object of a kind and its index entries', () => {
    const store = new SnapshotStore();
    store.upsert('Service', service('a', 'b'));
    store.clear('Service');
    expect(store.servicesNamed('b')).toHaveLength(0);
  });
});
