// custom-headers reads a labelled ConfigMap of the Ingress's namespace; every header it would add
// is judged (name, value, count) before anything is rendered.
import { describe, expect, test } from 'vitest';
import { customHeadersFeature, MAX_CUSTOM_HEADERS } from '../../../src/annotations/features/custom-headers.js';
import { AnnotationReader, Unrenderable } from '../../../src/annotations/reader.js';
import type { LocationContext } from '../../../src/annotations/feature.js';
import { SnapshotStore } from '../../../src/k8s/snapshot.js';
import type { ConfigMap } from '../../../src/k8s/types.js';

const LABEL = 'gatehouse.dev/response-headers';
const CTX: LocationContext = { pass: 'proxy', proxies: true, source: 'shop/web', secretsDir: '/c/certs', match: 'prefix', path: '/' };

function configMap(name: string, data: Record<string, string>, labelled = true, namespace = 'shop'): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name, ...(labelled ? { labels: { [LABEL]: '' } } : {}) }, data };
}

function parse(ref: { namespace?: string; name: string }, ...objects: ConfigMap[]) {
  const cluster = new SnapshotStore();
  cluster.markCovered('ConfigMap');
  for (const o of objects) cluster.upsert('ConfigMap', o);
  return customHeadersFeature.parse!(new AnnotationReader({ 'custom-headers': ref }), { namespace: 'shop', cluster });
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof Unrenderable) return err.message;
    throw err;
  }
  return 'accepted';
}

describe('custom-headers', () => {
  test('reads the headers, sorted by name, values quoted', () => {
    expect(parse({ name: 'h' }, configMap('h', { 'X-Frame-Options': 'DENY', 'Content-Security-Policy': "default-src 'self'; img-src *" }))).toEqual({
      configMap: 'shop/h',
      headers: [
        ['Content-Security-Policy', `"default-src 'self'; img-src *"`],
        ['X-Frame-Options', '"DENY"'],
      ],
    });
  });

  test.for<[string, ConfigMap[], { namespace?: string; name: string }, string]>([
    ['missing', [], { name: 'h' }, 'annotation custom-headers: ConfigMap shop/h not found with label gatehouse.dev/response-headers (the only ConfigMaps Gatehouse reads)'],
    ['unlabelled', [configMap('h', { A: 'b' }, false)], { name: 'h' }, 'annotation custom-headers: ConfigMap shop/h not found with label gatehouse.dev/response-headers (the only ConfigMaps Gatehouse reads)'],
    ['in another namespace', [configMap('h', { A: 'b' }, true, 'other')], { namespace: 'other', name: 'h' }, "annotation custom-headers: ConfigMap other/h is not in the Ingress's namespace shop"],
    ['a framing header', [configMap('h', { 'Content-Length': '0' })], { name: 'h' }, 'annotation custom-headers: ConfigMap shop/h: header Content-Length is set by nginx or HTTP itself and cannot be added'],
    ['a hop-by-hop header', [configMap('h', { 'transfer-encoding': 'chunked' })], { name: 'h' }, 'annotation custom-headers: ConfigMap shop/h: header transfer-encoding is set by nginx or HTTP itself and cannot be added'],
    ['a name with a space', [configMap('h', { 'X Bad': '1' })], { name: 'h' }, 'annotation custom-headers: ConfigMap shop/h: header name "X Bad" is not a token of letters, digits, "-" and "_" (at most 64)'],
    ['a quote in a value', [configMap('h', { X: 'a" always; return 200 "pwned' })], { name: 'h' }, `annotation custom-headers: ConfigMap shop/h: the value of header X must be printable ASCII without '"', '\\\\' or '$' (at most 2048 characters)`],
    ['a variable in a value', [configMap('h', { X: '$host' })], { name: 'h' }, `annotation custom-headers: ConfigMap shop/h: the value of header X must be printable ASCII without '"', '\\\\' or '$' (at most 2048 characters)`],
    ['a newline in a value', [configMap('h', { X: 'a\nadd_header Y z' })], { name: 'h' }, `annotation custom-headers: ConfigMap shop/h: the value of header X must be printable ASCII without '"', '\\\\' or '$' (at most 2048 characters)`],
    [
      'too many headers',
      [configMap('h', Object.fromEntries(Array.from({ length: MAX_CUSTOM_HEADERS + 1 }, (_, i) => [`X-${i}`, 'v'])))],
      { name: 'h' },
      `annotation custom-headers: ConfigMap shop/h has ${MAX_CUSTOM_HEADERS + 1} headers; at most ${MAX_CUSTOM_HEADERS}`,
    ],
  ])('refuses %s', ([, objects, ref, message]) => {
    expect(refusal(() => parse(ref, ...objects))).toBe(message);
  });

  test('a snapshot without ConfigMaps does not deny; the location answers 503 rather than serve without the headers', () => {
    const config = customHeadersFeature.parse!(new AnnotationReader({ 'custom-headers': { name: 'h' } }), { namespace: 'shop', cluster: new SnapshotStore() });
    expect(config).toEqual({ configMap: 'shop/h' });
    expect(customHeadersFeature.location!(config!, CTX)).toEqual({ rewrite: ['return 503;'] });
  });

  test('directives: the backend\'s header hidden, ours added on every status', () => {
    expect(customHeadersFeature.location!({ configMap: 'shop/h', headers: [['X-Frame-Options', '"DENY"']] }, { ...CTX, pass: 'grpc' }).directives).toEqual([
      'grpc_hide_header X-Frame-Options;',
      'add_header X-Frame-Options "DENY" always;',
    ]);
  });
});
