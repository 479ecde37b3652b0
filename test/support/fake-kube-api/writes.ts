// What POST, PUT and PATCH do to the stored state, as decisions (pure): the server commits them.
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Route, StoredObject } from './objects.js';
import { PatchError, jsonPatch, mergePatch } from './patch.js';
import { resourceByKind } from './resources.js';
import * as status from './status.js';

/** Refuse with a Status, store a new state, or answer with the unchanged object (a no-op write). */
export type Outcome = { readonly refuse: status.StatusBody } | { readonly commit: StoredObject } | { readonly unchanged: StoredObject };

function isObject(v: unknown): v is StoredObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const notAnObject: Outcome = { refuse: status.failure(400, 'the request body must be a JSON object') };

export interface CreateContext {
  readonly namespaceExists: boolean;
  taken(name: string): boolean;
}

export function create(route: Route, body: unknown, ctx: CreateContext): Outcome {
  const res = route.res;
  if (!isObject(body)) return notAnObject;
  if (body.kind !== undefined && body.kind !== res.kind) {
    return { refuse: status.failure(400, `the body kind ${body.kind} does not match the URL's ${res.kind}`) };
  }
  const metadata = { ...body.metadata };
  if (res.namespaced && metadata.namespace !== undefined && metadata.namespace !== route.namespace) {
    return { refuse: status.failure(400, 'the namespace of the provided object does not match the namespace sent on the request') };
  }
  if (res.namespaced) metadata.namespace = route.namespace;
  if (!metadata.name && metadata.generateName) metadata.name = metadata.generateName + randomBytes(3).toString('hex').slice(0, 5);
  const name = metadata.name;
  if (!name) return { refuse: status.invalid(res, '', 'metadata.name: Required value: name or generateName is required') };
  // The NamespaceLifecycle admission plugin, on in every real cluster.
  if (res.namespaced && !ctx.namespaceExists) return { refuse: status.notFound(resourceByKind('Namespace')!, route.namespace!) };
  if (ctx.taken(name)) return { refuse: status.alreadyExists(res, name) };
  delete metadata.resourceVersion;
  delete metadata.uid;
  delete metadata.creationTimestamp;
  return { commit: { ...body, metadata } };
}

function withoutResourceVersion(obj: StoredObject): unknown {
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** A PUT body or a patch result replacing `existing`. */
export function replace(route: Route, existing: StoredObject, next: unknown): Outcome {
  const { res, name } = route;
  if (!isObject(next)) return notAnObject;
  const metadata = { ...next.metadata };
  if (metadata.name !== name) {
    return { refuse: status.failure(400, `the name of the object (${String(metadata.name)}) does not match the name on the URL (${name})`) };
  }
  const rv = metadata.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== existing.metadata.resourceVersion) return { refuse: status.conflict(res, name!) };
  let candidate: StoredObject = { ...next, metadata };
  if (res.statusSubresource) {
    // https://kubernetes.io/docs/concepts/extend-kubernetes/api-extension/custom-resources/#status-subresource
    candidate = route.subresource === 'status' ? { ...existing, status: candidate.status } : { ...candidate, status: existing.status };
    if (candidate.status === undefined) delete candidate.status;
  }
  candidate = {
    ...candidate,
    apiVersion: existing.apiVersion,
    kind: existing.kind,
    metadata: { ...candidate.metadata, namespace: existing.metadata.namespace, resourceVersion: existing.metadata.resourceVersion },
  };
  if (!res.namespaced) delete candidate.metadata.namespace;
  if (isDeepStrictEqual(withoutResourceVersion(candidate), withoutResourceVersion(existing))) return { unchanged: existing };
  return { commit: candidate };
}

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

export function patch(route: Route, existing: StoredObject, contentType: string | undefined, body: unknown): Outcome {
  let next: unknown;
  try {
    if (contentType === PATCH_TYPES[0]) next = jsonPatch(existing, body);
    // Strategic merge differs from merge patch only for lists with patch-merge keys (containers,
    // ports…); the objects Gatehouse patches have none it relies on.
    else if (contentType === PATCH_TYPES[1] || contentType === PATCH_TYPES[2]) next = mergePatch(existing, body);
    else {
      const accepted = PATCH_TYPES.join(', ');
      return { refuse: status.failure(415, `the body of the request was in an unknown format - accepted media types include: ${accepted}`) };
    }
  } catch (err) {
    if (!(err instanceof PatchError)) throw err;
    return { refuse: status.invalid(route.res, route.name!, err.message) };
  }
  return replace(route, existing, next);
}
