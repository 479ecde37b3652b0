import { describe, expect, test } from 'vitest';
import type { Ingress } from '../../src/k8s/types.js';
import { backendServiceRule } from '../../src/rules/backend-service.js';
import { contextFor, ingress, service, shopCluster, snapshotOf, namespace } from '../fixtures/builders.js';
import type { SnapshotStore } from '../../src/k8s/snapshot.js';

interface Case {
  name: string;
  ingress: Ingress;
  cluster?: SnapshotStore;
  expected: { path: string; message: string }[];
}

describe('backend-service rule', () => {
  test.for<Case>([
    { name: 'a Service in the Ingress namespace', ingress: ingress(), expected: [] },
    {
      name: 'a resource backend is not a Service and is not checked',
      ingress: {
        ...ingress(),
        spec: { ingressClassName: 'nginx', defaultBackend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static' } } },
      },
      expected: [],
    },
    {
      name: 'a missing Service',
      ingress: ingress({ paths: [{ service: 'api' }] }),
      expected: [{ path: 'spec.rules[0].http.paths[0].backend.service.name', message: 'service "api" not found in namespace "shop"' }],
    },
    {
      name: 'the Ingress in another namespace than its Service',
      ingress: ingress({ namespace: 'prod' }),
      cluster: shopCluster(namespace('prod')),
      expected: [
        {
          path: 'spec.rules[0].http.paths[0].backend.service.name',
          message:
            'service "web" not found in namespace "prod"; a Service of that name exists in namespace "shop", but an Ingress can only reach Services in its own namespace',
        },
      ],
    },
    {
      name: 'a Service of that name in several other namespaces, listed sorted and capped',
      ingress: ingress({ namespace: 'dev', paths: [{ service: 'api' }] }),
      cluster: shopCluster(...['d', 'b', 'a', 'c'].map((ns) => service(ns, 'api'))),
      expected: [
        {
          path: 'spec.rules[0].http.paths[0].backend.service.name',
          message:
            'service "api" not found in namespace "dev"; a Service of that name exists in namespaces "a", "b", "c" and 1 more, but an Ingress can only reach Services in its own namespace',
        },
      ],
    },
    {
      name: 'a missing defaultBackend Service',
      ingress: ingress({ defaultBackend: { service: 'fallback' } }),
      expected: [{ path: 'spec.defaultBackend.service.name', message: 'service "fallback" not found in namespace "shop"' }],
    },
    {
      name: 'every missing backend is reported, not just the first',
      ingress: ingress({ defaultBackend: { service: 'fallback' }, paths: [{ path: '/a', service: 'a' }, { path: '/b' }, { path: '/c', service: 'c' }] }),
      expected: [
        { path: 'spec.defaultBackend.service.name', message: 'service "fallback" not found in namespace "shop"' },
        { path: 'spec.rules[0].http.paths[0].backend.service.name', message: 'service "a" not found in namespace "shop"' },
        { path: 'spec.rules[0].http.paths[2].backend.service.name', message: 'service "c" not found in namespace "shop"' },
      ],
    },
    {
      name: 'a backend without a Service name',
      ingress: { ...ingress(), spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: '' } } }] } }] } },
      expected: [{ path: 'spec.rules[0].http.paths[0].backend.service.name', message: 'backend names no Service' }],
    },
    {
      name: 'nothing when the snapshot holds no Services (cannot tell missing from not exported)',
      ingress: ingress({ paths: [{ service: 'api' }] }),
      cluster: snapshotOf(namespace('shop')),
      expected: [],
    },
  ])('$name', ({ ingress: ing, cluster, expected }) => {
    const findings = backendServiceRule.check(ing, contextFor(cluster ?? shopCluster()));
    expect(findings).toEqual(expected.map((e) => ({ rule: 'backend-service', severity: 'deny', ...e })));
  });

  test('an Ingress without a namespace is judged in "default", as kubectl would create it', () => {
    const ing = ingress();
    const withoutNs: Ingress = { ...ing, metadata: { name: 'web' } };
    expect(backendServiceRule.check(withoutNs, contextFor(shopCluster(service('default', 'web'))))).toEqual([]);
  });
});
