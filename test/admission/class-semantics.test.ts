import { describe, expect, test } from 'vitest';
import { handleMutate, handleValidate, type AdmissionDeps } from '../../src/admission/handler.js';
import { createLogger } from '../../src/log.js';
import { RULES } from '../../src/rules/index.js';
import { DEFAULT_RULE_OPTIONS } from '../../src/rules/types.js';
import type { AdmissionRequest } from '../../src/admission/review.js';
import { ingress, ingressClass, shopCluster } from '../fixtures/builders.js';

const CLASS = 'kubernetes.io/ingress.class';

function request(object: unknown, operation: 'CREATE' | 'UPDATE' = 'UPDATE'): AdmissionRequest {
  return {
    uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
    kind: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' },
    resource: { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses' },
    namespace: 'shop',
    name: 'web',
    operation,
    object,
    ...(operation === 'UPDATE' ? { oldObject: object } : {}),
  } as AdmissionRequest;
}

const deps: AdmissionDeps = {
  cluster: shopCluster(ingressClass('traefik', 'traefik.io/ingress-controller')),
  synced: () => true,
  rules: RULES,
  options: DEFAULT_RULE_OPTIONS,
  logger: createLogger('silent'),
};

// Issue 11 item 4, through the webhook's handlers.
describe('class semantics at the webhook', () => {
  test('annotation naming Gatehouse\'s class, field another class: denied with [ingress-class]', () => {
    const decision = handleValidate(request(ingress({ className: 'traefik', annotations: { [CLASS]: 'nginx' } })), deps);
    expect(decision.allowed).toBe(false);
    expect(decision.message).toContain('[ingress-class]');
  });

  test('another controller\'s Ingress with no Gatehouse class anywhere is still left alone', () => {
    expect(handleValidate(request(ingress({ className: 'traefik', paths: [{ port: 8080 }] })), deps).allowed).toBe(true);
  });

  test('the annotation naming another controller\'s existing IngressClass is converted', () => {
    const decision = handleMutate(request(ingress({ className: null, annotations: { [CLASS]: 'traefik' } }), 'CREATE'), deps);
    expect(decision.patch).toEqual([
      { op: 'add', path: '/spec/ingressClassName', value: 'traefik' },
      { op: 'remove', path: '/metadata/annotations/kubernetes.io~1ingress.class' },
    ]);
  });

  test('the annotation naming no IngressClass gets a warning', () => {
    const decision = handleMutate(request(ingress({ className: null, annotations: { [CLASS]: 'haproxy' } }), 'CREATE'), deps);
    expect(decision.patch ?? []).toEqual([]);
    expect(decision.warnings.join('\n')).toContain('no IngressClass "haproxy" exists');
  });
});
