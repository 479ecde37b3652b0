import { describe, expect, test } from 'vitest';
import { toCachedObject, toPlainJson } from '../../src/k8s/cached-object.js';
import type { Secret } from '../../src/k8s/types.js';

describe('toPlainJson', () => {
  test.for([
    { name: 'whole seconds as the API server writes metav1.Time', date: '2024-05-01T10:20:30Z', expected: '2024-05-01T10:20:30Z' },
    { name: 'sub-second precision kept', date: '2024-05-01T10:20:30.250Z', expected: '2024-05-01T10:20:30.250Z' },
  ])('formats a Date: $name', ({ date, expected }) => {
    expect(toPlainJson({ metadata: { creationTimestamp: new Date(date) } })).toEqual({ metadata: { creationTimestamp: expected } });
  });

  test('turns class instances into plain objects and drops undefined fields', () => {
    class Model {
      name = 'web';
      uid = undefined;
    }
    const plain = toPlainJson({ items: [new Model()] }) as { items: object[] };
    expect(Object.getPrototypeOf(plain.items[0])).toBe(Object.prototype);
    expect(plain).toEqual({ items: [{ name: 'web' }] });
  });
});

describe('toCachedObject', () => {
  test('sets the apiVersion and kind that list items lack', () => {
    expect(toCachedObject('Ingress', 'networking.k8s.io/v1', { metadata: { name: 'web' } })).toMatchObject({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' });
  });

  test('drops managedFields and the last-applied annotation but keeps other annotations', () => {
    const obj = { metadata: { name: 'a', managedFields: [{}], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', x: 'y' } } };
    expect(toCachedObject('Service', 'v1', obj as never)).toEqual({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', annotations: { x: 'y' } } });
  });

  test('keeps only tls.crt, tls.key and ca.crt of a Secret', () => {
    const secret: Secret = { metadata: { name: 's' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'A', 'tls.key': 'B', 'ca.crt': 'C', extra: 'D' }, stringData: { more: 'E' } };
    const cached = toCachedObject('Secret', 'v1', secret);
    expect(cached.data).toEqual({ 'tls.crt': 'A', 'tls.key': 'B', 'ca.crt': 'C' });
    expect(cached).not.toHaveProperty('stringData');
  });
});
