import { describe, expect, test } from 'vitest';
import { DEFAULT_POLICY } from '../../src/policy/action.js';
import { parsePolicyFile, withOverrides } from '../../src/policy/policy-file.js';

const IDS = ['backend-port', 'tls'];

describe('parsePolicyFile', () => {
  test('reads mode, rules and exemptNamespaceLabel', () => {
    const text = 'mode: audit\nrules:\n  backend-port: warn\n  tls: off\nexemptNamespaceLabel: team.example/legacy\n';
    expect(parsePolicyFile(text, IDS)).toEqual({
      overrides: { mode: 'audit', rules: { 'backend-port': 'warn', tls: 'off' }, exemptNamespaceLabel: 'team.example/legacy' },
    });
  });

  test('an empty file overrides nothing', () => {
    expect(parsePolicyFile('', IDS)).toEqual({ overrides: {} });
  });

  test.for([
    ['YAML syntax', 'rules: [', /not valid YAML/],
    ['not a map', '- audit', /must be a map/],
    ['unknown key', 'mdoe: audit', /unknown key "mdoe"/],
    ['unknown mode', 'mode: dryrun', /mode must be one of enforce, audit/],
    ['unknown rule', 'rules: {backend-prot: warn}', /unknown rule "backend-prot"/],
    ['unknown action', 'rules: {tls: ignore}', /rules.tls: action must be one of deny, warn, audit, off/],
    ['rules not a map', 'rules: [tls]', /rules must be a map/],
    ['bad label key', 'exemptNamespaceLabel: "has space"', /exemptNamespaceLabel must be a label key/],
    ['duplicate key', 'mode: audit\nmode: enforce', /not valid YAML/],
    ['__proto__ as a rule', 'rules: {__proto__: off}', /unknown rule|rules must be a map/],
  ] as const)('refuses %s, saying why', ([, text, reason]) => {
    const result = parsePolicyFile(text, IDS);
    expect('error' in result && result.error).toMatch(reason);
  });
});

describe('withOverrides', () => {
  test('the file wins key by key; rule actions merge per rule', () => {
    const base = { mode: 'audit' as const, actions: { tls: 'warn' as const, 'backend-port': 'audit' as const }, exemptNamespaceLabel: 'a/b' };
    expect(withOverrides(base, { rules: { tls: 'off' } })).toEqual({ mode: 'audit', actions: { tls: 'off', 'backend-port': 'audit' }, exemptNamespaceLabel: 'a/b' });
    expect(withOverrides(DEFAULT_POLICY, { mode: 'audit' }).mode).toBe('audit');
  });
});
