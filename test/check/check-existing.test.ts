import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { checkExisting, checkExitCode } from '../../src/check/run-check.js';
import { formatCheckHuman, formatCheckJson } from '../../src/check/format-check.js';
import { RULES } from '../../src/rules/index.js';
import { DEFAULT_RULE_OPTIONS, type Rule } from '../../src/rules/types.js';
import { ingress, namespace, shopCluster } from '../fixtures/builders.js';

const logger = pino({ level: 'silent' });
const input = { rules: RULES, options: DEFAULT_RULE_OPTIONS, logger };

describe('checkExisting: the Ingresses already in a cluster', () => {
  test('each is an UPDATE of itself, so it never conflicts with its own entry', () => {
    const seen: string[] = [];
    const spy: Rule = { id: 'spy', doc: '', check: (ing, ctx) => (seen.push(`${ctx.operation} ${ing.metadata.name} old=${ctx.oldIngress?.metadata.name}`), []) };
    const result = checkExisting(shopCluster(ingress({ name: 'b' }), ingress({ name: 'a', host: 'a.example.com' })), 'test', { ...input, rules: [spy] });
    expect(seen).toEqual(['UPDATE a old=a', 'UPDATE b old=b']);
    expect(result.reports.map((r) => r.source)).toEqual(['test', 'test']);
  });

  test('a clean Ingress is ok alone; two claiming the same host+path conflict with each other, not themselves', () => {
    const alone = checkExisting(shopCluster(ingress({ name: 'web' })), 'test', input);
    expect(alone.reports[0]).toMatchObject({ name: 'web', owned: true, allowed: true });
    expect(checkExitCode(alone)).toBe(0);
    const pair = checkExisting(shopCluster(ingress({ name: 'one' }), ingress({ name: 'two' })), 'test', input);
    expect(pair.reports.map((r) => [r.name, r.allowed, r.findings.map((f) => f.rule)])).toEqual([
      ['one', false, ['host-path-conflict']],
      ['two', false, ['host-path-conflict']],
    ]);
    expect(checkExitCode(pair)).toBe(1);
  });

  test('a Terminating namespace is no finding for an Ingress already in it (CREATE-only check)', () => {
    const store = shopCluster(ingress({ name: 'web' }));
    store.upsert('Namespace', namespace('shop', 'Terminating'));
    expect(checkExisting(store, 'test', input).reports[0]).toMatchObject({ allowed: true, findings: [] });
  });

  test('a missing Service is denied with its rule id; human and JSON output name the cluster', () => {
    const result = checkExisting(shopCluster(ingress({ name: 'bad', paths: [{ service: 'nope' }] })), 'API server https://x', input);
    expect(result.reports[0]).toMatchObject({ name: 'bad', allowed: false });
    expect(result.reports[0]!.findings.map((f) => f.rule)).toContain('backend-service');
    expect(formatCheckHuman(result)).toContain('shop/bad (API server https://x): denied');
    expect(JSON.parse(formatCheckJson(result))).toMatchObject({ denied: 1, cluster: 'API server https://x', ingresses: [{ namespace: 'shop', name: 'bad', allowed: false }] });
  });

  test('a cluster with no Ingress is exit 0 with a note (not "no Ingress in FILEs")', () => {
    const result = checkExisting(shopCluster(), 'test', input);
    expect(checkExitCode(result)).toBe(0);
    expect(formatCheckHuman(result)).not.toContain('FILEs');
    expect(result.notes).toEqual(['the cluster (test) holds no Ingress']);
  });
});
