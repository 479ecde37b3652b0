import type { Decision } from './decision.js';
import { admissionWarnings, cutText, MAX_STATUS_MESSAGE_CHARS } from './response-limits.js';
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

function reasonFor(code: number): string {
  if (code === 403) return 'Forbidden';
  if (code === 503) return 'ServiceUnavailable';
  if (code >= 500) return 'InternalError';
  return 'BadRequest';
}

/**
 * Encodes a decision in the request's AdmissionReview version, echoing its uid. The answer is
 * bounded whatever the decision holds: status.message and warnings as response-limits.ts says.
 */
export function encodeReview(apiVersion: ReviewApiVersion, uid: string, decision: Decision): AdmissionReviewResponse {
  const response: AdmissionResponse = { uid, allowed: decision.allowed };
  if (!decision.allowed) {
    const code = decision.code ?? 403;
    response.status = { code, message: cutText(decision.message ?? 'denied', MAX_STATUS_MESSAGE_CHARS), reason: reasonFor(code) };
  }
  const warnings = admissionWarnings(decision.warnings, decision.omittedWarnings);
  if (warnings.length > 0) response.warnings = warnings;
  if (decision.patch && decision.patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(decision.patch)).toString('base64');
  }
  return { apiVersion, kind: 'AdmissionReview', response };
}
