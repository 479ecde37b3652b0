import { describe, expect, test } from 'vitest';
import { inScope, labelSelectorProblem, scopedSnapshot } from '../../src/k8s/namespace-scope.js';
import { ingress, snapshotOf } from '../fixtures/builders.js';

const ns = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const cluster = snapshotOf(
  ns('shop', { team: 'shop', env: 'prod' }),
  ns('blog', { team: 'blog', env: 'dev' }),
  ingress({ namespace: 'shop', name: 'a', host: 'a.com' }),
  ingress({ namespace: 'blog', name: 'b', host: 'b.com' }),
  ingress({ namespace: 'ghost', name: 'c', host: 'c.com' }),
);

describe('label selectors', () => {
  test.for(['team=shop', 'team==shop', 'team!=shop', 'team', '!team', 'env in (prod,staging)', 'env notin (dev)', 'team=shop,env in (prod, dev)', 'example.com/tier=1'])('%s parses', (s) => {
    expect(labelSelectorProblem(s)).toBeUndefined();
  });
  test.for(['', 'team=sh op', 'team=a;b', 'env in prod', '=x', 'team=$x'])('%j is refused', (s) => {
    expect(labelSelectorProblem(s)).toBeDefined();
  });
});

describe('which Ingresses the controller serves', () => {
  const names = (scope: Parameters<typeof scopedSnapshot>[1]) => scopedSnapshot(cluster, scope).ingresses().map((i) => i.metadata.name).sort();

  test.for([
    [{ namespaces: [] }, ['a', 'b', 'c']],
    [{ namespaces: ['shop', 'ghost'] }, ['a', 'c']],
    [{ namespaces: [], selector: 'env=prod' }, ['a']],
    [{ namespaces: [], selector: 'env notin (prod)' }, ['b']],
    [{ namespaces: ['blog'], selector: 'team' }, ['b']],
  ] as const)('%j → %j', ([scope, expected]) => {
    expect(names(scope)).toEqual(expected);
  });

  test('a namespace the snapshot does not know is out of scope under a selector (nothing served on a guess)', () => {
    expect(inScope({ namespaces: [], selector: '!team' }, cluster, 'ghost')).toBe(false);
  });

  test('lookups by name and by host see the scope too', () => {
    const scoped = scopedSnapshot(cluster, { namespaces: ['shop'] });
    expect(scoped.ingress('blog', 'b')).toBeUndefined();
    expect(scoped.ingress('shop', 'a')?.metadata.name).toBe('a');
    expect(scoped.ingressesForHost('b.com')).toEqual([]);
    expect(scoped.service).toBeTypeOf('function');
  });
});
