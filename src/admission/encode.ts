import type { Decision } from './decision.js';
import type { ReviewApiVersion } from './review.js';

/** The `response` object of an AdmissionReview. */
export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string; reason?: string };
  warnings?: string[];
  patchType?: 'JSONPatch';
  patch?: string;
}

export interface AdmissionReviewResponse {
  apiVersion: ReviewApiVersion;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

// The API server truncates/rejects very long warnings; keep each one readable.
// https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#response
const MAX_WARNING_LENGTH = 512;

function reasonFor(code: number): string {
  if (code === 403) return 'Forbidden';
  if (code >= 500) return 'InternalError';
  return 'BadRequest';
}

/** Encodes a decision in the request's AdmissionReview version, echoing its uid. */
export function encodeReview(apiVersion: ReviewApiVersion, uid: string, decision: Decision): AdmissionReviewResponse {
  const response: AdmissionResponse = { uid, allowed: decision.allowed };
  if (!decision.allowed) {
    const code = decision.code ?? 403;
    response.status = { code, message: decision.message ?? 'denied', reason: reasonFor(code) };
  }
  if (decision.warnings.length > 0) {
    response.warnings = decision.warnings.map((w) => (w.length > MAX_WARNING_LENGTH ? `${w.slice(0, MAX_WARNING_LENGTH - 1)}…` : w));
  }
  if (decision.patch && decision.patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(decision.patch)).toString('base64');
  }
  return { apiVersion, kind: 'AdmissionReview', response };
}
