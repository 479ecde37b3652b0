import { describe, expect, test } from 'vitest';
import { parseReview } from '../../src/admission/review.js';

const UID = '705ab4f5-6393-11e8-b7cc-42010a800002';

function review(overrides: Record<string, unknown> = {}, request: Record<string, unknown> = {}) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: UID,
      kind: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' },
      operation: 'CREATE',
      object: {},
      ...request,
    },
    ...overrides,
  };
}

describe('parseReview', () => {
  test.for(['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'])('accepts %s', (apiVersion) => {
    const parsed = parseReview(review({ apiVersion }));
    expect(parsed).toHaveProperty('review.apiVersion', apiVersion);
  });

  test.for([
    ['a non-object body', 'x', 'body is not a JSON object', ''],
    ['an array body', [], 'body is not a JSON object', ''],
    ['another kind', review({ kind: 'Pod' }), 'kind must be AdmissionReview', ''],
    ['an unknown version', review({ apiVersion: 'admission.k8s.io/v2' }), 'apiVersion must be one of', ''],
    ['no request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, 'AdmissionReview has no request', ''],
    ['a non-UUID uid', review({}, { uid: 'abc' }), 'request.uid must be a UUID', 'abc'],
    ['a numeric uid', review({}, { uid: 7 }), 'request.uid must be a UUID', ''],
    ['no kind', review({}, { kind: undefined }), 'request.kind must have', UID],
    ['an unknown operation', review({}, { operation: 'PATCH' }), 'request.operation must be one of', UID],
  ] as const)('rejects %s with 400', ([, body, message, uid]) => {
    const parsed = parseReview(body);
    expect(parsed).toHaveProperty('rejection');
    if (!('rejection' in parsed)) return;
    expect(parsed.rejection.status).toBe(400);
    expect(parsed.rejection.message).toContain(message);
    expect(parsed.rejection.uid).toBe(uid);
  });
});
