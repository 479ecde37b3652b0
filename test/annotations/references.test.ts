import { expect, test } from 'vitest';
import { namespacedReferences } from '../../src/annotations/references.js';
import { ingress } from '../fixtures/builders.js';

const TLS = 'nginx.ingress.kubernetes.io/auth-tls-secret';
const PROXY = 'nginx.ingress.kubernetes.io/proxy-ssl-secret';

test.for<{ name: string; annotations: Record<string, string>; refs: { key: string; namespace: string; name: string }[] }>([
  { name: 'ns/name in auth-tls-secret', annotations: { [TLS]: 'certs/client-ca' }, refs: [{ key: TLS, namespace: 'certs', name: 'client-ca' }] },
  {
    name: 'both secret annotations',
    annotations: { [TLS]: 'certs/client-ca', [PROXY]: 'pki/backend' },
    refs: [
      { key: TLS, namespace: 'certs', name: 'client-ca' },
      { key: PROXY, namespace: 'pki', name: 'backend' },
    ],
  },
  { name: 'a bare name (the Ingress namespace)', annotations: { [TLS]: 'client-ca' }, refs: [] },
  { name: 'an invalid reference', annotations: { [TLS]: 'Certs/../x' }, refs: [] },
  { name: 'a hostile reference', annotations: { [TLS]: 'ns/x;\n}' }, refs: [] },
  { name: 'a slash in another annotation', annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': 'a/b' }, refs: [] },
])('$name', ({ annotations, refs }) => {
  expect(namespacedReferences(ingress({ annotations }))).toEqual(refs);
});

test('no annotations, no references', () => {
  expect(namespacedReferences(ingress())).toEqual([]);
});
