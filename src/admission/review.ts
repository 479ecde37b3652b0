// AdmissionReview as the API server sends it.
// https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#request

export const REVIEW_API_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;
export type ReviewApiVersion = (typeof REVIEW_API_VERSIONS)[number];

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
const OPERATIONS: readonly string[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** `request` of an AdmissionReview, trimmed to what Gatehouse reads. */
export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: GroupVersionKind;
  readonly resource?: { readonly group: string; readonly version: string; readonly resource: string };
  readonly subResource?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly operation: Operation;
  readonly userInfo?: { readonly username?: string };
  readonly object?: unknown;
  readonly oldObject?: unknown;
  readonly dryRun?: boolean;
}

export interface AdmissionReview {
  readonly apiVersion: ReviewApiVersion;
  readonly kind: 'AdmissionReview';
  readonly request: AdmissionRequest;
}

/** Why a body is not an AdmissionReview we can answer; `uid` when it was readable. */
export interface ReviewRejection {
  readonly status: number;
  readonly message: string;
  readonly apiVersion: ReviewApiVersion;
  readonly uid: string;
}

// RFC 4122 textual form; the API server uses random (v4) UUIDs.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the envelope of a decoded body; the object inside is judged later by the rules. */
export function parseReview(body: unknown): { review: AdmissionReview } | { rejection: ReviewRejection } {
  const reject = (message: string, apiVersion: ReviewApiVersion = 'admission.k8s.io/v1', uid = '') => ({
    rejection: { status: 400, message, apiVersion, uid },
  });
  if (!isRecord(body)) return reject('body is not a JSON object');
  const apiVersion = body['apiVersion'];
  if (body['kind'] !== 'AdmissionReview') return reject('kind must be AdmissionReview');
  if (!REVIEW_API_VERSIONS.includes(apiVersion as ReviewApiVersion)) {
    return reject(`apiVersion must be one of ${REVIEW_API_VERSIONS.join(', ')}`);
  }
  const version = apiVersion as ReviewApiVersion;
  const request = body['request'];
  if (!isRecord(request)) return reject('AdmissionReview has no request', version);
  const uid = request['uid'];
  if (typeof uid !== 'string' || !UUID.test(uid)) {
    return reject('request.uid must be a UUID', version, typeof uid === 'string' ? uid.slice(0, 64) : '');
  }
  const kind = request['kind'];
  if (!isRecord(kind) || typeof kind['kind'] !== 'string' || typeof kind['group'] !== 'string' || typeof kind['version'] !== 'string') {
    return reject('request.kind must have group, version and kind', version, uid);
  }
  if (!OPERATIONS.includes(request['operation'] as string)) {
    return reject(`request.operation must be one of ${OPERATIONS.join(', ')}`, version, uid);
  }
  return { review: { apiVersion: version, kind: 'AdmissionReview', request: request as unknown as AdmissionRequest } };
}
