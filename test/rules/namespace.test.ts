import { describe, expect, test } from 'vitest';
import type { SnapshotStore } from '../../src/k8s/snapshot.js';
import type { Ingress } from '../../src/k8s/types.js';
import { namespaceRule } from '../../src/rules/namespace.js';
import type { RuleContext } from '../../src/rules/types.js';
import { contextFor, ingress, namespace, service, shopCluster, snapshotOf } from '../fixtures/builders.js';

const AUTH_TLS = 'nginx.ingress.kubernetes.io/auth-tls-secret';
const PROXY_SSL = 'nginx.ingress.kubernetes.io/proxy-ssl-secret';

interface Case {
  name: string;
  ingress: Ingress;
  cluster?: SnapshotStore;
  operation?: RuleContext['operation'];
  expected: { path: string; message: string }[];
}

describe('namespace rule', () => {
  test.for<Case>([
    { name: 'an Ingress in an existing, active namespace', ingress: ingress(), expected: [] },
    {
      name: 'a namespace that does not exist',
      ingress: ingress({ namespace: 'shpo' }),
      expected: [{ path: 'metadata.namespace', message: 'namespace "shpo" does not exist' }],
    },
    {
      name: 'a CREATE in a Terminating namespace',
      ingress: ingress({ namespace: 'old' }),
      cluster: shopCluster(namespace('old', 'Terminating')),
      expected: [{ path: 'metadata.namespace', message: 'namespace "old" is Terminating; no new objects can be created in it' }],
    },
    {
      name: 'an UPDATE in a Terminating namespace (finalizer removal must not wedge the deletion)',
      ingress: ingress({ namespace: 'old' }),
      cluster: shopCluster(namespace('old', 'Terminating')),
      operation: 'UPDATE',
      expected: [],
    },
    {
      name: 'an annotation reference to an existing namespace',
      ingress: ingress({ annotations: { [AUTH_TLS]: 'default/client-ca' } }),
      expected: [],
    },
    {
      name: 'an annotation reference without a namespace (the Ingress namespace is meant)',
      ingress: ingress({ annotations: { [AUTH_TLS]: 'client-ca' } }),
      expected: [],
    },
    {
      name: 'annotation references to missing namespaces, each reported',
      ingress: ingress({ annotations: { [AUTH_TLS]: 'securty/client-ca', [PROXY_SSL]: 'mesh/upstream-tls' } }),
      expected: [
        { path: `metadata.annotations[${AUTH_TLS}]`, message: 'refers to "securty/client-ca", but namespace "securty" does not exist' },
        { path: `metadata.annotations[${PROXY_SSL}]`, message: 'refers to "mesh/upstream-tls", but namespace "mesh" does not exist' },
      ],
    },
    {
      name: 'a missing own namespace and a missing referenced one together',
      ingress: ingress({ namespace: 'gone', annotations: { [AUTH_TLS]: 'alsogone/ca' } }),
      expected: [
        { path: 'metadata.namespace', message: 'namespace "gone" does not exist' },
        { path: `metadata.annotations[${AUTH_TLS}]`, message: 'refers to "alsogone/ca", but namespace "alsogone" does not exist' },
      ],
    },
    {
      name: 'nothing when the snapshot holds no Namespaces',
      ingress: ingress({ namespace: 'anything', annotations: { [AUTH_TLS]: 'elsewhere/ca' } }),
      cluster: snapshotOf(service('anything', 'web')),
      expected: [],
    },
  ])('$name', ({ ingress: ing, cluster, operation, expected }) => {
    const ctx = contextFor(cluster ?? shopCluster(), { operation: operation ?? 'CREATE' });
    expect(namespaceRule.check(ing, ctx)).toEqual(expected.map((e) => ({ rule: 'namespace', severity: 'deny', ...e })));
  });
});

test('the initial namespaces exist even when a file snapshot does not list them', () => {
  const cluster = snapshotOf(namespace('flink'));
  for (const ns of ['default', 'kube-system']) {
    expect(namespaceRule.check(ingress({ namespace: ns }), contextFor(cluster))).toEqual([]);
  }
  expect(namespaceRule.check(ingress({ namespace: 'shpo' }), contextFor(cluster))).toHaveLength(1);
});
