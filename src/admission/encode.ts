import type { Finding } from '../rules/types.js';
import { formatFinding, type Decision } from './decision.js';
import { admissionWarnings, cutText, MAX_STATUS_MESSAGE_CHARS, MAX_WARNING_CHARS, MAX_WARNINGS } from './response-limits.js';
import type { ReviewApiVersion } from './review.js';

/** The `response` object of an AdmissionReview. */
export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string; reason?: string };
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
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
 * One auditAnnotations entry per rule: its first MAX_WARNINGS findings, each cut to
 * MAX_WARNING_CHARS, one per line, then a count of the rest — bounded like warnings, since the API
 * server writes them into every audit event of the request. The key is the bare rule id: the API
 * server prefixes it with the webhook's name (`validate.ingress.gatehouse.dev/backend-port`).
 * https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#response
 */
export function auditAnnotationsOf(audited: readonly Finding[]): Record<string, string> {
  const byRule = new Map<string, { lines: string[]; more: number }>();
  for (const f of audited) {
    let entry = byRule.get(f.rule);
    if (!entry) byRule.set(f.rule, (entry = { lines: [], more: 0 }));
    if (entry.lines.length < MAX_WARNINGS) entry.lines.push(cutText(formatFinding(f), MAX_WARNING_CHARS));
    else entry.more += 1;
  }
  const annotations: Record<string, string> = {};
  for (const [rule, { lines, more }] of byRule) {
    if (more > 0) lines.push(`… and ${more} more`);
    annotations[rule] = lines.join('\n');
  }
  return annotations;
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
  if (decision.audited && decision.audited.length > 0) response.auditAnnotations = auditAnnotationsOf(decision.audited);
  if (decision.patch && decision.patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(decision.patch)).toString('base64');
  }
  return { apiVersion, kind: 'AdmissionReview', response };
}
