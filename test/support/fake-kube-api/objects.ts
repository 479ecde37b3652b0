// Stored object shape and the request routing of the fake API server.
import { resourceByPath, type ResourceType } from './resources.js';

export interface Meta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  [key: string]: unknown;
}

/** An object as stored: apiVersion, kind and metadata always set. */
export interface StoredObject {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  [key: string]: unknown;
}

/** What a resource URL addresses. */
export interface Route {
  readonly res: ResourceType;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: 'status' | undefined;
}

/** Which requests an injected failure applies to; omitted fields match anything. */
export interface RequestMatcher {
  readonly method?: string;
  /** Exact path (no query) or a pattern tested against it. */
  readonly path?: string | RegExp;
  /** true: only watches; false: only non-watch requests. */
  readonly watch?: boolean;
}

/** RFC 3339 at seconds precision, as metav1.Time is written. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** /api/v1/[namespaces/{ns}/]{plural}[/{name}[/status]] and the same under /apis/{group}/{version}. */
export function parseRoute(pathname: string): Route | undefined {
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(.+)$/.exec(pathname);
  if (!m) return undefined;
  const group = m[1] ? '' : m[2]!;
  const version = m[1] ?? m[3]!;
  const parts = m[4]!.split('/').map(decodeURIComponent);
  let namespace: string | undefined;
  // `/api/v1/namespaces/x` is a Namespace; `/api/v1/namespaces/x/services` a namespaced collection.
  if (parts[0] === 'namespaces' && parts.length >= 3 && resourceByPath(group, version, parts[2]!)?.namespaced) {
    namespace = parts[1];
    parts.splice(0, 2);
  }
  const [plural, name, sub, ...rest] = parts;
  const res = resourceByPath(group, version, plural!);
  if (!res || rest.length > 0 || (sub !== undefined && (sub !== 'status' || !res.statusSubresource))) return undefined;
  if (res.namespaced && name !== undefined && namespace === undefined) return undefined;
  return { res, namespace, name, subresource: sub as 'status' | undefined };
}

export function matches(m: RequestMatcher, method: string, path: string, watch: boolean): boolean {
  if (m.method !== undefined && m.method.toUpperCase() !== method) return false;
  if (m.watch !== undefined && m.watch !== watch) return false;
  if (m.path === undefined) return true;
  return typeof m.path === 'string' ? m.path === path : m.path.test(path);
}
