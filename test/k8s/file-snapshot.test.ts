import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadFileSnapshot } from '../../src/k8s/file-snapshot.js';
import { parseManifestText } from '../../src/k8s/load-files.js';
import { GatehouseError } from '../../src/errors.js';

const SEEDS = join(import.meta.dirname, '../fixtures/seed-manifests');

describe('parseManifestText', () => {
  test('splits multi-document YAML', () => {
    expect(parseManifestText('kind: A\n---\nkind: B\n', 'x')).toHaveLength(2);
  });

  test('expands kind: List and typed *List, filling in item kinds', () => {
    const objs = parseManifestText(
      'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: a}}\n---\napiVersion: v1\nkind: ServiceList\nitems:\n- metadata: {name: b}\n',
      'x',
    );
    expect(objs.map((o) => [o.kind, o.metadata?.name])).toEqual([['Service', 'a'], ['Service', 'b']]);
  });

  test('reads JSON', () => {
    expect(parseManifestText('{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}}', 'x.json')[0]?.kind).toBe('Namespace');
  });

  test('names the file and line of a YAML error', () => {
    expect(() => parseManifestText('a: b\n  c: [d\n', 'bad.yaml')).toThrowError(/bad\.yaml:\d+/);
    expect(() => parseManifestText('a: [', 'bad.yaml')).toThrowError(GatehouseError);
  });

  test('names the file of a JSON error', () => {
    expect(() => parseManifestText('{"kind": ', 'dump.json')).toThrowError(/^dump\.json: /);
  });

  test('skips empty documents', () => {
    expect(parseManifestText('---\n---\n', 'x')).toEqual([]);
  });
});

describe('loadFileSnapshot', () => {
  test('loads a directory of the seed manifests and indexes it', async () => {
    const { store } = await loadFileSnapshot([SEEDS]);
    expect(store.service('flink', 'flink-jobmanager-rest')?.spec?.ports?.[0]?.port).toBe(8081);
    expect(store.ingress('flink', 'submodule-checker-ingress-flink')?.spec?.rules?.[0]?.http?.paths[0]?.backend.service).toEqual({
      name: 'flink-jobmanager-rest',
      port: { number: 8081 },
    });
    expect(store.ingressesClaiming('hello.nginx.com', '/').map((i) => i.metadata.name)).toEqual(['example-ingress']);
  });

  test('puts namespaced objects without a namespace into default', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gh-snap-'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'svc.yml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 80}]}\n');
    await writeFile(join(dir, 'notes.txt'), 'not yaml: [');
    const { store } = await loadFileSnapshot([dir]);
    expect(store.service('default', 'a')).toBeDefined();
    expect(store.covers('Service')).toBe(true);
    expect(store.covers('Secret')).toBe(false);
  });

  test('reports a missing path as a read error', async () => {
    await expect(loadFileSnapshot(['/nonexistent/x.yaml'])).rejects.toThrowError(/ENOENT/);
  });
});
