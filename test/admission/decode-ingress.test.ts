import { describe, expect, test } from 'vitest';
import { decodeIngress, ingressShapeProblem } from '../../src/admission/decode-ingress.js';
import { ingress } from '../fixtures/builders.js';

/** The builders' Ingress with one field replaced (a JSON-ish path of keys and indexes). */
function withField(path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(ingress()) as unknown as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
  return copy;
}

describe('ingressShapeProblem', () => {
  test('a well-typed Ingress has no problem', () => {
    expect(ingressShapeProblem(ingress({ tls: [{ hosts: ['a.example.com'], secretName: 's' }], annotations: { a: 'b' } }))).toBeUndefined();
  });

  test.for([
    [['spec', 'rules'], 'not-a-list', 'spec.rules', 'must be a list, not a string'],
    [['spec'], 'x', 'spec', 'must be an object, not a string'],
    [['spec', 'rules', 0, 'http', 'paths'], {}, 'spec.rules[0].http.paths', 'must be a list, not an object'],
    [['spec', 'rules', 0, 'http'], {}, 'spec.rules[0].http.paths', 'required'],
    [['spec', 'rules', 0, 'http', 'paths', 0, 'pathType'], 5, 'spec.rules[0].http.paths[0].pathType', 'must be a string, not a number'],
    [['spec', 'rules', 0, 'http', 'paths', 0, 'backend', 'service', 'port', 'number'], '80', 'spec.rules[0].http.paths[0].backend.service.port.number', 'must be an integer, not a string'],
    [['spec', 'tls'], [{ hosts: 'a.example.com' }], 'spec.tls[0].hosts', 'must be a list, not a string'],
    [['metadata', 'name'], { '{ .Release.Name }': null }, 'metadata.name', 'must be a string, not an object'],
    [['metadata', 'annotations'], { 'nginx.ingress.kubernetes.io/ssl-redirect': true }, 'metadata.annotations[nginx.ingress.kubernetes.io/ssl-redirect]', 'must be a string, not a boolean (quote it in YAML)'],
  ] as const)('%j = %j: %s %s', ([path, value, field, message]) => {
    expect(ingressShapeProblem(withField([...path], value))).toEqual({ path: field, message });
  });

  test('null fields count as absent, as the API server decodes them', () => {
    expect(ingressShapeProblem(withField(['spec', 'tls'], null))).toBeUndefined();
  });
});

describe('decodeIngress', () => {
  test('keeps what rules read, without nulls, and leaves out managedFields and status', () => {
    const sent = {
      ...ingress({ annotations: { a: 'b', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }),
      metadata: {
        ...ingress().metadata,
        annotations: { a: 'b', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
        labels: null,
        managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:spec': {} } }],
      },
      status: { loadBalancer: {} },
    };
    const decoded = decodeIngress(sent);
    expect(decoded).toEqual({ ingress: { apiVersion: sent.apiVersion, kind: sent.kind, metadata: { ...ingress().metadata, annotations: sent.metadata.annotations }, spec: sent.spec } });
    if (!('ingress' in decoded)) throw new Error('not decoded');
    // A field without nulls is not copied: rules read it where it is (the types are readonly).
    expect(decoded.ingress['spec']).toBe(sent.spec);
  });

  test.for([
    ['in spec', ['spec', 'tls'], [{ hosts: ['a.example.com'], secretName: null }], [{ hosts: ['a.example.com'] }]],
    ['in a list item', ['metadata', 'finalizers'], ['a', null, 'b'], ['a', null, 'b']],
    ['in metadata', ['metadata', 'ownerReferences'], [{ name: 'x', controller: null }], [{ name: 'x' }]],
  ] as const)('a null field %s is dropped from a copy (list items stay); the request keeps it', ([, path, value, expected]) => {
    const sent = withField([...path], value);
    const decoded = decodeIngress(sent);
    if (!('ingress' in decoded)) throw new Error('not decoded');
    const [top, field] = path;
    expect((decoded.ingress[top] as Record<string, unknown>)[field]).toEqual(expected);
    expect(((sent as Record<string, Record<string, unknown>>)[top]!)[field]).toEqual(value);
  });

  test('a deeply nested field neither overflows the stack nor is walked twice', () => {
    const depth = 100_000;
    const sent = JSON.parse(`{"metadata":{"name":"x"},"spec":{"x":${'['.repeat(depth)}1${']'.repeat(depth)}}}`) as Record<string, unknown>;
    const decoded = decodeIngress(sent);
    if (!('ingress' in decoded)) throw new Error('not decoded');
    expect(decoded.ingress['spec']).toBe(sent['spec']);
  });
});
