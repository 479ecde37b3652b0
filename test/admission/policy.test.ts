import Fastify from 'fastify';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { admit } from '../../src/admission/admit.js';
import { encodeReview } from '../../src/admission/encode.js';
import { handleValidate, type AdmissionDeps } from '../../src/admission/handler.js';
import { MAX_WARNING_CHARS, MAX_WARNINGS } from '../../src/admission/response-limits.js';
import type { AdmissionRequest } from '../../src/admission/review.js';
import { registerAdmissionRoutes } from '../../src/admission/routes.js';
import { createWebhookMetrics } from '../../src/metrics.js';
import { DEFAULT_POLICY, type AdmissionPolicy } from '../../src/policy/action.js';
import { RULES } from '../../src/rules/index.js';
import { DEFAULT_RULE_OPTIONS, type Rule } from '../../src/rules/types.js';
import { ingress, namespace, shopCluster } from '../fixtures/builders.js';

const UID = '00000000-0000-4000-8000-000000000000';

function depsWith(policy: Partial<AdmissionPolicy>, extra: Partial<AdmissionDeps> = {}): AdmissionDeps {
  return {
    cluster: shopCluster({ ...namespace('legacy'), metadata: { name: 'legacy', labels: { 'gatehouse.dev/exempt': 'true' } } }),
    synced: () => true,
    rules: RULES,
    options: { ...DEFAULT_RULE_OPTIONS, policy: { ...DEFAULT_POLICY, ...policy } },
    logger: pino({ level: 'silent' }),
    now: () => new Date('2026-01-01T00:00:00Z'),
    ...extra,
  };
}

function create(object: unknown, ns = 'shop'): AdmissionRequest {
  return { uid: UID, kind: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' }, namespace: ns, operation: 'CREATE', object };
}

// Port 8080 does not exist on Service shop/web: a backend-port denial.
const wrongPort = ingress({ paths: [{ port: 8080 }] });

describe('the admission policy at /validate', () => {
  test('enforce (the default) denies', () => {
    expect(handleValidate(create(wrongPort), depsWith({}))).toMatchObject({ allowed: false, code: 403 });
  });

  test('mode audit admits, without warnings, and sends the denial as an auditAnnotations entry', () => {
    const decision = handleValidate(create(wrongPort), depsWith({ mode: 'audit' }));
    expect(decision).toMatchObject({ allowed: true, warnings: [] });
    const { response } = encodeReview('admission.k8s.io/v1', UID, decision);
    expect(response.allowed).toBe(true);
    expect(response.warnings).toBeUndefined();
    expect(Object.keys(response.auditAnnotations ?? {})).toEqual(['backend-port']);
    expect(response.auditAnnotations!['backend-port']).toMatch(/^\[backend-port\] spec\.rules\[0\]\.http\.paths\[0\]\.backend\.service\.port/);
  });

  test('--rule-action RULE=warn admits with the finding as a warning', () => {
    const decision = handleValidate(create(wrongPort), depsWith({ actions: { 'backend-port': 'warn' } }));
    expect(decision.allowed).toBe(true);
    expect(decision.warnings.some((w) => w.startsWith('[backend-port] '))).toBe(true);
  });

  test('--rule-action RULE=off admits without a word; other rules still deny', () => {
    expect(handleValidate(create(wrongPort), depsWith({ actions: { 'backend-port': 'off' } }))).toMatchObject({ allowed: true, warnings: [] });
    const twoProblems = ingress({ paths: [{ port: 8080 }, { path: '/b', service: 'missing' }] });
    const decision = handleValidate(create(twoProblems), depsWith({ actions: { 'backend-port': 'off' } }));
    expect(decision).toMatchObject({ allowed: false, code: 403 });
    expect(decision.message).toContain('[backend-service]');
    expect(decision.message).not.toContain('[backend-port]');
  });

  test('the policy read live (deps.policy, the policy file) wins over the flags', () => {
    let live: AdmissionPolicy = { ...DEFAULT_POLICY, mode: 'audit' };
    const deps = depsWith({}, { policy: () => live });
    expect(handleValidate(create(wrongPort), deps).allowed).toBe(true);
    live = DEFAULT_POLICY;
    expect(handleValidate(create(wrongPort), deps).allowed).toBe(false);
  });

  test('an Ingress in a Namespace labelled gatehouse.dev/exempt=true is admitted unchecked', () => {
    const legacy = ingress({ namespace: 'legacy', paths: [{ port: 8080 }] });
    expect(handleValidate(create(legacy, 'legacy'), depsWith({}))).toEqual({ allowed: true, warnings: [], rules: [] });
  });

  test('a rule that throws still answers 500 in audit mode: nothing unchecked is admitted', () => {
    const broken: Rule = { id: 'broken', doc: 'throws', check: () => { throw new Error('bug'); } };
    expect(handleValidate(create(wrongPort), depsWith({ mode: 'audit' }, { rules: [broken] }))).toMatchObject({ allowed: false, code: 500 });
  });

  test('audit annotations are bounded like warnings: first findings listed, each cut, the rest counted', () => {
    const many: Rule = {
      id: 'many',
      doc: 'many findings',
      check: () => Array.from({ length: 40 }, (_, i) => ({ rule: 'many', severity: 'deny' as const, path: `p${i}`, message: 'x'.repeat(1000) })),
    };
    const decision = handleValidate(create(wrongPort), depsWith({ mode: 'audit' }, { rules: [many] }));
    const value = encodeReview('admission.k8s.io/v1', UID, decision).response.auditAnnotations!['many']!;
    const lines = value.split('\n');
    expect(lines).toHaveLength(MAX_WARNINGS + 1);
    expect(lines.at(-1)).toBe(`… and ${40 - MAX_WARNINGS} more`);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(MAX_WARNING_CHARS);
  });

  test('check (admit) applies the same policy: audited, not a finding', () => {
    const result = admit(create(wrongPort), depsWith({ mode: 'audit' }));
    expect(result.decision.allowed).toBe(true);
    expect(result.findings.filter((f) => f.severity === 'deny')).toEqual([]);
    expect(result.audited.map((f) => f.rule)).toEqual(['backend-port']);
  });
});

describe('metrics', () => {
  test('audited findings are counted in gatehouse_audit_findings_total{rule}', async () => {
    const deps = depsWith({ mode: 'audit' });
    const metrics = createWebhookMetrics(() => deps.cluster);
    const app = Fastify();
    registerAdmissionRoutes(app, deps, metrics);
    const body = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: create(wrongPort) };
    const res = await app.inject({ method: 'POST', url: '/validate', payload: body });
    expect(res.json().response).toMatchObject({ allowed: true, auditAnnotations: { 'backend-port': expect.any(String) } });
    const text = await metrics.registry.metrics();
    expect(text).toContain('gatehouse_audit_findings_total{rule="backend-port"} 1');
    expect(text).not.toMatch(/gatehouse_rule_findings_total\{rule="backend-port",severity="deny"\}/);
    await app.close();
  });
});
