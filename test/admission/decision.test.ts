import { describe, expect, test } from 'vitest';
import { errored, fromFindings, patched } from '../../src/admission/decision.js';
import { encodeReview } from '../../src/admission/encode.js';
import { MAX_LISTED_PROBLEMS, MAX_PROBLEM_CHARS, MAX_STATUS_MESSAGE_CHARS, MAX_WARNINGS } from '../../src/admission/response-limits.js';
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

describe('fromFindings bounds what it reports', () => {
  const snippet = (i: number): Finding => ({
    rule: 'annotations',
    severity: 'deny',
    path: `metadata.annotations[nginx.ingress.kubernetes.io/a${i}-snippet]`,
    message: 'snippet annotations are disabled: they insert raw nginx configuration',
  });
  const unknown = (i: number): Finding => ({ rule: 'annotations', severity: 'warn', path: `metadata.annotations[nginx.ingress.kubernetes.io/k${i}]`, message: 'unknown annotation' });

  test('150,000 denials: still denied, every one counted, the first listed, the message bounded', () => {
    const findings = Array.from({ length: 150_000 }, (_, i) => snippet(i));
    const d = fromFindings(findings);
    expect(d.allowed).toBe(false);
    expect(d.message).toMatch(/^Ingress denied by Gatehouse \(150000 problems\):\n/);
    expect(d.message).toContain('[annotations] metadata.annotations[nginx.ingress.kubernetes.io/a0-snippet]');
    expect(d.message).toContain(`a${MAX_LISTED_PROBLEMS - 1}-snippet`);
    expect(d.message).not.toContain(`a${MAX_LISTED_PROBLEMS}-snippet`);
    expect(d.message!.endsWith(`… and ${150_000 - MAX_LISTED_PROBLEMS} more problems (gatehouse check lists them all)`)).toBe(true);
    expect(d.message!.length).toBeLessThanOrEqual(MAX_STATUS_MESSAGE_CHARS);
    expect(d.findings).toHaveLength(150_000);
  });

  test('the longest possible listing stays under the status.message ceiling', () => {
    const long = (i: number): Finding => ({ ...snippet(i), message: 'x'.repeat(10_000) });
    const d = fromFindings(Array.from({ length: 1000 }, (_, i) => long(i)));
    const lines = d.message!.split('\n');
    expect(lines).toHaveLength(1 + MAX_LISTED_PROBLEMS + 1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(MAX_PROBLEM_CHARS);
    expect(d.message!.length).toBeLessThanOrEqual(MAX_STATUS_MESSAGE_CHARS);
  });

  test('one long denial is cut too', () => {
    const d = fromFindings([{ ...PORT, message: 'y'.repeat(5000) }]);
    expect(d.message!.length).toBeLessThanOrEqual('Ingress denied by Gatehouse: '.length + MAX_PROBLEM_CHARS);
    expect(d.message!.endsWith('…')).toBe(true);
  });

  test('formats the first warnings only and counts the others', () => {
    const d = fromFindings(Array.from({ length: 20 }, (_, i) => unknown(i)));
    expect(d.allowed).toBe(true);
    expect(d.warnings).toHaveLength(MAX_WARNINGS);
    expect(d.omittedWarnings).toBe(20 - MAX_WARNINGS);
    expect(encodeReview('admission.k8s.io/v1', 'u', d).response.warnings?.at(-1)).toBe(`[gatehouse] … and ${20 - MAX_WARNINGS} more warnings (gatehouse check lists them all)`);
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

  test('cuts any status.message to the ceiling', () => {
    const out = encodeReview('admission.k8s.io/v1', 'u', errored(400, 'z'.repeat(MAX_STATUS_MESSAGE_CHARS * 2)));
    expect(out.response.status!.message.length).toBe(MAX_STATUS_MESSAGE_CHARS);
  });

  test('marks Gatehouse failures as 500 InternalError', () => {
    expect(encodeReview('admission.k8s.io/v1', 'u', errored(500, 'boom')).response.status).toEqual({ code: 500, message: 'boom', reason: 'InternalError' });
  });
});
