import { describe, expect, test } from 'vitest';
import { applyPolicy, DEFAULT_POLICY, isExemptNamespace, type AdmissionPolicy, type RuleAction } from '../../src/policy/action.js';
import type { Finding } from '../../src/rules/types.js';
import { namespace } from '../fixtures/builders.js';

const deny: Finding = { rule: 'backend-port', severity: 'deny', path: 'spec.rules[0]', message: 'no such port' };
const warn: Finding = { rule: 'backend-port', severity: 'warn', path: 'spec.rules[1]', message: 'named port' };
const other: Finding = { rule: 'tls', severity: 'deny', path: 'spec.tls[0]', message: 'no Secret' };

function policy(actions: Record<string, RuleAction>, mode: AdmissionPolicy['mode'] = 'enforce'): AdmissionPolicy {
  return { ...DEFAULT_POLICY, mode, actions };
}

const view = (r: { findings: readonly Finding[]; audited: readonly Finding[] }) => ({
  shown: r.findings.map((f) => `${f.severity} ${f.rule} ${f.path}`),
  audited: r.audited.map((f) => `${f.rule} ${f.path}`),
});

describe('applyPolicy: what a rule action does to its findings', () => {
  test.for([
    ['deny keeps denials and warnings', 'deny', ['deny backend-port spec.rules[0]', 'warn backend-port spec.rules[1]'], []],
    ['warn turns denials into warnings', 'warn', ['warn backend-port spec.rules[0]', 'warn backend-port spec.rules[1]'], []],
    ['audit records denials, keeps warnings', 'audit', ['warn backend-port spec.rules[1]'], ['backend-port spec.rules[0]']],
    ['off drops every finding of the rule', 'off', [], []],
  ] as const)('%s', ([, action, shown, audited]) => {
    const result = view(applyPolicy([deny, warn, other], policy({ 'backend-port': action })));
    expect(result).toEqual({ shown: [...shown, 'deny tls spec.tls[0]'], audited });
  });

  test('a rule not listed keeps its denials (the default action is deny)', () => {
    expect(view(applyPolicy([other], DEFAULT_POLICY))).toEqual({ shown: ['deny tls spec.tls[0]'], audited: [] });
  });

  test('mode audit turns every remaining denial into audit; warnings stay warnings', () => {
    const result = view(applyPolicy([deny, warn, other], policy({ tls: 'warn' }, 'audit')));
    expect(result).toEqual({ shown: ['warn backend-port spec.rules[1]', 'warn tls spec.tls[0]'], audited: ['backend-port spec.rules[0]'] });
  });

  test('mode audit does not revive a rule that is off', () => {
    expect(view(applyPolicy([other], policy({ tls: 'off' }, 'audit')))).toEqual({ shown: [], audited: [] });
  });

  test('an action keyed by an inherited property name never applies', () => {
    const f: Finding = { ...deny, rule: 'constructor' };
    expect(view(applyPolicy([f], DEFAULT_POLICY)).shown).toEqual(['deny constructor spec.rules[0]']);
  });
});

describe('isExemptNamespace', () => {
  const labelled = (labels: Record<string, string>) => ({ ...namespace('legacy'), metadata: { name: 'legacy', labels } });
  test.for([
    ['label set to "true"', labelled({ 'gatehouse.dev/exempt': 'true' }), true],
    ['label set to "false"', labelled({ 'gatehouse.dev/exempt': 'false' }), false],
    ['label absent', namespace('legacy'), false],
    ['Namespace unknown (not in the snapshot)', undefined, false],
  ] as const)('%s', ([, ns, exempt]) => {
    expect(isExemptNamespace(ns, DEFAULT_POLICY)).toBe(exempt);
  });

  test('the label key is configurable', () => {
    expect(isExemptNamespace(labelled({ 'team.example/legacy': 'true' }), { ...DEFAULT_POLICY, exemptNamespaceLabel: 'team.example/legacy' })).toBe(true);
  });
});
