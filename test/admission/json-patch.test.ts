import { describe, expect, test } from 'vitest';
import { applyJsonPatch, escapePointer, pointer, unescapePointer } from '../../src/admission/json-patch.js';

describe('JSON Pointer escaping (RFC 6901)', () => {
  test.for([
    { token: 'kubernetes.io/ingress.class', escaped: 'kubernetes.io~1ingress.class' },
    { token: 'a~b', escaped: 'a~0b' },
    { token: '~1', escaped: '~01' },
    { token: '/~', escaped: '~1~0' },
    { token: 'plain', escaped: 'plain' },
  ])('$token ↔ $escaped', ({ token, escaped }) => {
    expect(escapePointer(token)).toBe(escaped);
    expect(unescapePointer(escaped)).toBe(token);
  });

  test('pointer joins escaped tokens', () => {
    expect(pointer('metadata', 'annotations', 'kubernetes.io/ingress.class')).toBe('/metadata/annotations/kubernetes.io~1ingress.class');
  });
});

describe('applyJsonPatch', () => {
  const doc = { metadata: { annotations: { 'a/b': 'x', 'c~d': 'y' } }, list: [1, 2] };

  test('add creates an object member', () => {
    expect(applyJsonPatch(doc, [{ op: 'add', path: '/spec', value: { ingressClassName: 'nginx' } }])).toMatchObject({
      spec: { ingressClassName: 'nginx' },
    });
  });

  test('add replaces an existing member', () => {
    expect(applyJsonPatch({ a: null }, [{ op: 'add', path: '/a', value: 1 }])).toEqual({ a: 1 });
  });

  test('add inserts into an array and appends with "-"', () => {
    expect(applyJsonPatch(doc, [{ op: 'add', path: '/list/0', value: 0 }, { op: 'add', path: '/list/-', value: 3 }]).list).toEqual([0, 1, 2, 3]);
  });

  test('remove deletes a member addressed with escaped tokens', () => {
    const out = applyJsonPatch(doc, [
      { op: 'remove', path: '/metadata/annotations/a~1b' },
      { op: 'remove', path: '/metadata/annotations/c~0d' },
    ]);
    expect(out.metadata.annotations).toEqual({});
  });

  test('replace changes an existing value', () => {
    expect(applyJsonPatch(doc, [{ op: 'replace', path: '/list/1', value: 9 }]).list).toEqual([1, 9]);
  });

  test('test passes on a deeply equal value', () => {
    expect(applyJsonPatch(doc, [{ op: 'test', path: '/list', value: [1, 2] }])).toEqual(doc);
  });

  test.for([
    { name: 'remove of a missing member', op: { op: 'remove', path: '/metadata/annotations/nope' } as const },
    { name: 'replace of a missing member', op: { op: 'replace', path: '/nope', value: 1 } as const },
    { name: 'add under a missing parent', op: { op: 'add', path: '/spec/ingressClassName', value: 'x' } as const },
    { name: 'a failed test', op: { op: 'test', path: '/list', value: [2, 1] } as const },
    { name: 'an array index past the end', op: { op: 'add', path: '/list/5', value: 1 } as const },
  ])('throws on $name', ({ op }) => {
    expect(() => applyJsonPatch(doc, [op])).toThrow();
  });

  test('leaves the input untouched', () => {
    const input = { a: { b: 1 } };
    applyJsonPatch(input, [{ op: 'remove', path: '/a/b' }]);
    expect(input).toEqual({ a: { b: 1 } });
  });
});
