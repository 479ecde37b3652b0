import { describe, expect, test } from 'vitest';
import { errored, fromFindings, patched } from '../../src/admission/decision.js';
import { encodeReview } from '../../src/admission/encode.js';
import type { Finding } from '../../src/rules/types.js';

const PORT: Finding = {
  rule: 'backend-port',
  severity: 'deny',
  path: 'spec.rules[0].http.paths[1].backend.service.port.number',
  message: 'service "web" in namespace "shop" has no port 8080 (ports: 80/http, 443/https)',
};
const CLASS: Finding = { rule: 'deprecated-class-annotation', severity: 'warn', path: 'metadata.annotations[kubernetes.io/ingress.class]', message: 'use spec.ingressClassName' };
const SERVICE: Finding = { rule: 'backend-service', severity: 'deny', path: 'spec.rules[0].http.paths[0].backend.service.name', message: 'service "api" not found in namespace "shop"' };

describe('fromFindings', () => {
  test('lists every denial as [rule] path: message', () => {
    const d = fromFindings([PORT, CLASS, SERVICE]);
    expect(d.allowed).toBe(false);
    expect(d.code).toBe(403);
    expect(d.message).toContain(
      '[backend-port] spec.rules[0].http.paths[1].backend.service.port.number: service "web" in namespace "shop" has no port 8080 (ports: 80/http, 443/https)',
    );
    expect(d.message).toContain('[backend-service] spec.rules[0].http.paths[0].backend.service.name');
    expect(d.message).toContain('2 problems');
  });

  test('keeps warnings on allowed and denied answers alike', () => {
    expect(fromFindings([CLASS]).warnings).toEqual(['[deprecated-class-annotation] metadata.annotations[kubernetes.io/ingress.class]: use spec.ingressClassName']);
    expect(fromFindings([CLASS, PORT]).warnings).toHaveLength(1);
    expect(fromFindings([CLASS]).allowed).toBe(true);
  });
});

describe('encodeReview', () => {
  test('answers in the request version with its uid', () => {
    const out = encodeReview('admission.k8s.io/v1beta1', 'u-1', fromFindings([PORT]));
    expect(out).toMatchObject({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', response: { uid: 'u-1', allowed: false, status: { code: 403, reason: 'Forbidden' } } });
  });

  test('encodes a patch as base64 JSONPatch', () => {
    const ops = [{ op: 'remove', path: '/metadata/annotations/kubernetes.io~1ingress.class' }] as const;
    const out = encodeReview('admission.k8s.io/v1', 'u', patched([...ops], []));
    expect(out.response.patchType).toBe('JSONPatch');
    expect(JSON.parse(Buffer.from(out.response.patch!, 'base64').toString())).toEqual(ops);
  });

  test('omits status, warnings and patch on a plain allow', () => {
    expect(encodeReview('admission.k8s.io/v1', 'u', fromFindings([])).response).toEqual({ uid: 'u', allowed: true });
  });

  test('marks Gatehouse failures as 500 InternalError', () => {
    expect(encodeReview('admission.k8s.io/v1', 'u', errored(500, 'boom')).response.status).toEqual({ code: 500, message: 'boom', reason: 'InternalError' });
  });
});
