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
