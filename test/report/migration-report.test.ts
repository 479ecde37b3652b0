import { describe, expect, test } from 'vitest';
import { NGINX_ANNOTATION_PREFIX, UNIMPLEMENTED_ANNOTATIONS } from '../../src/annotations/catalog.js';
import type { CheckResult, IngressReport } from '../../src/check/run-check.js';
import { migrationExitCode, migrationIngress, migrationReport, type MigrationOutcome } from '../../src/report/migration-report.js';
import { DEFAULT_RULE_OPTIONS, type Finding, type RuleOptions } from '../../src/rules/types.js';
import { ingress } from '../fixtures/builders.js';

const P = NGINX_ANNOTATION_PREFIX;
// Keys whose answer changes as features land are read from the catalog, not written here.
const REFUSED_KEY = UNIMPLEMENTED_ANNOTATIONS.find((e) => e.controller === 'refuses')!.key;
const IGNORED_KEY = UNIMPLEMENTED_ANNOTATIONS.find((e) => e.controller === 'ignores')!.key;

function checked(overrides: Partial<IngressReport> = {}): IngressReport {
  return { source: 'in.yaml', namespace: 'shop', name: 'web', owned: true, allowed: true, findings: [], audited: [], patch: [], ...overrides };
}

function report(annotations: Record<string, string>, check: Partial<IngressReport> = {}, options: Partial<RuleOptions> = {}) {
  return migrationIngress(checked(check), ingress({ annotations }), { ...DEFAULT_RULE_OPTIONS, ...options });
}

const deny = (rule: string, path: string, message: string): Finding => ({ rule, severity: 'deny', path, message });

describe('migrationIngress: the outcome of one Ingress', () => {
  test.for<{ name: string; annotations: Record<string, string>; check?: Partial<IngressReport>; outcome: MigrationOutcome }>([
    { name: 'no annotations', annotations: {}, outcome: 'served' },
    { name: 'only rendered annotations', annotations: { [`${P}proxy-read-timeout`]: '60' }, outcome: 'served' },
    { name: 'an annotation the controller ignores', annotations: { [`${P}${IGNORED_KEY}`]: 'x' }, outcome: 'served-ignoring' },
    { name: 'a key Gatehouse does not know', annotations: { [`${P}made-up`]: 'x' }, outcome: 'served-ignoring' },
    { name: 'an annotation the controller refuses', annotations: { [`${P}${REFUSED_KEY}`]: 'x' }, outcome: 'refused' },
    { name: 'a refused value', annotations: { [`${P}proxy-body-size`]: '10 MB' }, outcome: 'refused' },
    { name: 'a denial by another rule', annotations: {}, check: { allowed: false, findings: [deny('backend-service', 'spec.rules[0]', 'no Service')] }, outcome: 'refused' },
    { name: 'another controller\'s Ingress', annotations: { [`${P}${REFUSED_KEY}`]: 'x' }, check: { owned: false }, outcome: 'not-owned' },
    { name: 'a malformed Ingress', annotations: {}, check: { allowed: false, error: 400 }, outcome: 'error' },
  ])('$name: $outcome', ({ annotations, check, outcome }) => {
    expect(report(annotations, check).outcome).toBe(outcome);
  });

  test('an annotation refused under audit mode still makes the Ingress refused: the controller skips it whatever the policy', () => {
    expect(report({ [`${P}proxy-body-size`]: '10 MB' }, { allowed: true }).outcome).toBe('refused');
  });
});

describe('migrationIngress: each annotation', () => {
  test('lists every nginx annotation with its status and reason, and no other annotation', () => {
    const r = report({
      [`${P}proxy-read-timeout`]: '60',
      'kubernetes.io/ingress.class': 'nginx',
      [`${P}server-snippet`]: 'return 200;',
      [`${P}rewrite-target`]: '/',
      [`${P}made-up`]: 'x',
    }, {}, { annotationsRiskLevel: 'low' });
    expect(r.annotations.map((a) => [a.annotation, a.status, a.reason])).toEqual([
      [`${P}proxy-read-timeout`, 'rendered', undefined],
      [`${P}server-snippet`, 'refused', 'snippets-disabled'],
      [`${P}rewrite-target`, 'refused', 'risk-level'],
      [`${P}made-up`, 'unknown', 'unknown'],
    ]);
  });

  test('a refused or ignored annotation names its feature; a rendered one carries no message', () => {
    const r = report({ [`${P}${REFUSED_KEY}`]: 'x', [`${P}proxy-read-timeout`]: '60' });
    const [refused, rendered] = r.annotations;
    expect(refused?.feature).toBe(UNIMPLEMENTED_ANNOTATIONS.find((e) => e.key === REFUSED_KEY)!.feature);
    expect(refused?.message).toContain('not implemented');
    expect(rendered).toEqual({ annotation: `${P}proxy-read-timeout`, status: 'rendered', findings: [] });
  });

  test('another rule\'s denial of a rendered annotation refuses it, naming the rule', () => {
    const path = `metadata.annotations[${P}rewrite-target]`;
    const r = report({ [`${P}rewrite-target`]: '/$2' }, { allowed: false, findings: [deny('rewrite', path, 'no capture group 2')] });
    expect(r.annotations[0]).toMatchObject({ status: 'refused', reason: 'denied-by-rule', message: '[rewrite] no capture group 2', findings: [] });
    // Shown on the annotation, not again among the Ingress's other findings.
    expect(r.findings).toEqual([]);
  });

  test('the annotations rule\'s own findings are not repeated: the verdicts carry them', () => {
    const path = `metadata.annotations[${P}proxy-body-size]`;
    const r = report({ [`${P}proxy-body-size`]: '10 MB' }, { allowed: false, findings: [deny('annotations', path, 'invalid value')] });
    expect(r.findings).toEqual([]);
    expect(r.annotations[0]?.findings).toEqual([]);
  });

  test('findings elsewhere in the Ingress stay with the Ingress', () => {
    const other: Finding = { rule: 'deprecated-class-annotation', severity: 'warn', path: 'metadata.annotations[kubernetes.io/ingress.class]', message: 'deprecated' };
    expect(report({}, { findings: [other] }).findings).toEqual([other]);
  });
});

describe('migrationReport: summary and exit code', () => {
  const result = (reports: IngressReport[], objects: Record<string, string>[], extra: Partial<CheckResult> = {}): CheckResult => ({
    reports,
    objects: objects.map((annotations) => ingress({ annotations })),
    denied: reports.filter((r) => !r.allowed).length,
    errors: [],
    withoutIngress: [],
    notes: [],
    ...extra,
  });

  test('counts Ingresses per outcome', () => {
    const r = result(
      [checked(), checked({ name: 'b' }), checked({ name: 'c' }), checked({ name: 'd', owned: false })],
      [{}, { [`${P}${IGNORED_KEY}`]: 'x' }, { [`${P}${REFUSED_KEY}`]: 'x' }, {}],
    );
    expect(migrationReport(r, DEFAULT_RULE_OPTIONS).summary).toEqual({ ingresses: 4, served: 1, servedIgnoring: 1, refused: 1, notOwned: 1, errors: 0 });
  });

  test.for<{ name: string; objects: Record<string, string>[]; extra?: Partial<CheckResult>; code: number }>([
    { name: 'served and ignored annotations pass', objects: [{ [`${P}${IGNORED_KEY}`]: 'x' }, { [`${P}made-up`]: 'x' }], code: 0 },
    { name: 'a refused Ingress fails', objects: [{}, { [`${P}${REFUSED_KEY}`]: 'x' }], code: 1 },
    { name: 'an input error is 2', objects: [{}], extra: { errors: [{ source: 'x.yaml', message: 'bad' }] }, code: 2 },
    { name: 'no Ingress in FILEs is 2', objects: [], code: 2 },
    { name: 'an empty cluster is 0', objects: [], extra: { cluster: 'API server https://127.0.0.1:6443' }, code: 0 },
  ])('$name: exit $code', ({ objects, extra, code }) => {
    const r = result(objects.map((_, i) => checked({ name: `i${i}` })), objects, extra);
    expect(migrationExitCode(r, migrationReport(r, DEFAULT_RULE_OPTIONS))).toBe(code);
  });
});
