import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { admit } from '../../src/admission/admit.js';
import { handleMutate, handleValidate, type AdmissionDeps } from '../../src/admission/handler.js';
import type { AdmissionRequest } from '../../src/admission/review.js';
import { RULES } from '../../src/rules/index.js';
import { DEFAULT_RULE_OPTIONS } from '../../src/rules/types.js';
import { ingress, shopCluster } from '../fixtures/builders.js';

const deps: AdmissionDeps = { cluster: shopCluster(), synced: () => true, rules: RULES, options: DEFAULT_RULE_OPTIONS, logger: pino({ level: 'silent' }), now: () => new Date('2026-01-01T00:00:00Z') };

function create(object: unknown): AdmissionRequest {
  return { uid: '00000000-0000-4000-8000-000000000000', kind: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' }, namespace: 'shop', operation: 'CREATE', object };
}

/** Every path to a value in a JSON tree. */
function paths(node: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (node === null || typeof node !== 'object') return [prefix];
  const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
  return [prefix, ...keys.flatMap((k) => paths((node as Record<string | number, unknown>)[k], [...prefix, k]))];
}

function replaced(object: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(object) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
  return copy;
}

describe('admit: the API server sequence, /mutate then /validate', () => {
  test('validates the mutated object: the class annotation is converted before the rules run', () => {
    const subject = ingress({ className: null, annotations: { 'kubernetes.io/ingress.class': 'nginx' } });
    const result = admit(create(subject), deps);
    expect(result.judged).toBe(true);
    expect(result.decision.allowed).toBe(true);
    expect(result.patch).toContainEqual({ op: 'add', path: '/spec/ingressClassName', value: 'nginx' });
    expect(result.findings.map((f) => f.rule)).toContain('deprecated-class-annotation');
  });

  test('another controller\'s Ingress is not judged', () => {
    expect(admit(create(ingress({ className: 'other' })), deps)).toMatchObject({ judged: false, decision: { allowed: true } });
  });

  test('spec.rules: "not-a-list" is a 400 with the field path, not a rule crash (500)', () => {
    const subject = replaced(ingress(), ['spec', 'rules'], 'not-a-list');
    expect(handleValidate(create(subject), deps)).toMatchObject({ allowed: false, code: 400, message: 'request.object is not a valid Ingress: spec.rules: must be a list, not a string' });
    expect(handleMutate(create(subject), deps)).toMatchObject({ allowed: false, code: 400 });
    expect(admit(create(subject), deps)).toMatchObject({
      decision: { code: 400 },
      findings: [{ rule: 'malformed', severity: 'deny', path: 'spec.rules', message: 'must be a list, not a string' }],
    });
  });

  // Every field of a full Ingress swapped for each wrong JSON type: decoding must answer (400) or
  // the rules must judge it (403/allowed); a rule crash (500) would be a 400 reported as our bug.
  const full = ingress({
    annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/', 'kubernetes.io/ingress.class': 'nginx' },
    tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
    defaultBackend: { service: 'web', port: 'http' },
  });
  const cases = paths(full).flatMap((p) => ['x', 5, -1.5, true, [], {}, [1], null].map((v) => [p.join('.') || '(root)', p, v] as const));
  // networking.k8s.io/v1beta1's own fields (normalize-ingress.ts converts them).
  const legacy = {
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      ingressClassName: 'nginx',
      backend: { serviceName: 'web', servicePort: 'http' },
      rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', backend: { serviceName: 'web', servicePort: 80 } }] } }],
    },
  };
  const legacyCases = paths(legacy).flatMap((p) => ['x', 5, true, [], {}, null].map((v) => [p.join('.') || '(root)', p, v] as const));
  test.for(legacyCases)('v1beta1 %s = %j never crashes a rule', ([, path, value]) => {
    const request = { ...create(replaced(legacy, [...path], value)), kind: { group: 'networking.k8s.io', version: 'v1beta1', kind: 'Ingress' } };
    for (const decision of [handleMutate(request, deps), handleValidate(request, deps), admit(request, deps).decision]) {
      expect(decision.code ?? 200).not.toBe(500);
    }
  });

  test.for(cases)('%s = %j never crashes a rule', ([, path, value]) => {
    const request = create(replaced(full, [...path], value));
    for (const decision of [handleMutate(request, deps), handleValidate(request, deps), admit(request, deps).decision]) {
      expect(decision.code ?? 200).not.toBe(500);
    }
  });
});
