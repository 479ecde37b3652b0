// metav1.Status bodies, shaped and worded as the API server writes them
// (k8s.io/apimachinery/pkg/api/errors). Clients branch on `code` and `reason`.
import { qualifiedName, type ResourceType } from './resources.js';

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string };
  code: number;
}

/** The `reason` the API server pairs with each HTTP status it uses. */
export const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function failure(code: number, message: string, reason = REASONS[code] ?? 'Unknown', details?: StatusBody['details']): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

function detailsOf(res: ResourceType, name: string): NonNullable<StatusBody['details']> {
  return { name, ...(res.group ? { group: res.group } : {}), kind: res.plural };
}

export function notFound(res: ResourceType, name: string): StatusBody {
  return failure(404, `${qualifiedName(res)} "${name}" not found`, 'NotFound', detailsOf(res, name));
}

export function alreadyExists(res: ResourceType, name: string): StatusBody {
  return failure(409, `${qualifiedName(res)} "${name}" already exists`, 'AlreadyExists', detailsOf(res, name));
}

export function conflict(res: ResourceType, name: string): StatusBody {
  const why = 'the object has been modified; please apply your changes to the latest version and try again';
  return failure(409, `Operation cannot be fulfilled on ${qualifiedName(res)} "${name}": ${why}`, 'Conflict', detailsOf(res, name));
}

export function invalid(res: ResourceType, name: string, message: string): StatusBody {
  return failure(422, `${res.kind} "${name}" is invalid: ${message}`, 'Invalid', { ...detailsOf(res, name), kind: res.kind });
}

/** What the watch cache sends (as an ERROR event) for a resourceVersion older than its window. */
export function expired(requested: number, oldest: number): StatusBody {
  return failure(410, `too old resource version: ${requested} (${oldest})`, 'Expired');
}

export function deleted(res: ResourceType, name: string, uid: string | undefined): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...detailsOf(res, name), ...(uid ? { uid } : {}) }, code: 200 };
}
