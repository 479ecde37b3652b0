import type { KubeObject, SnapshotKind } from './types.js';

/** Secret keys Gatehouse reads (kubernetes.io/tls keys plus the optional CA); the rest is not cached. */
export const CACHED_SECRET_KEYS: readonly string[] = ['tls.crt', 'tls.key', 'ca.crt'];

/** kubectl's copy of the whole applied object; for a Secret it holds every key in clear text. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type Mutable = Record<string, unknown>;

/**
 * metav1.Time as the API server writes it (RFC 3339, seconds). The typed list clients of
 * @kubernetes/client-node turn timestamps into Date objects; watch events carry strings.
 */
function formatDate(d: Date): string {
  return d.getUTCMilliseconds() === 0 ? d.toISOString().replace(/\.000Z$/, 'Z') : d.toISOString();
}

/** Deep copy into plain JSON data (typed-client model instances and Dates become objects and strings). */
export function toPlainJson(value: unknown): unknown {
  if (value instanceof Date) return formatDate(value);
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (value && typeof value === 'object') {
    const out: Mutable = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toPlainJson(v);
    return out;
  }
  return value;
}

/**
 * Trims an object freshly received from the API (owned by the caller, mutated in place) to what the
 * cache needs: no managedFields and no last-applied annotation (large, unused), only the TLS keys of a
 * Secret. Sets apiVersion/kind, which the API server leaves out of list items.
 */
export function toCachedObject<T extends KubeObject>(kind: SnapshotKind, apiVersion: string, obj: T): T {
  const o = obj as unknown as Mutable;
  o.apiVersion ??= apiVersion;
  o.kind ??= kind;
  const metadata = o.metadata as Mutable | undefined;
  if (metadata) {
    delete metadata.managedFields;
    const annotations = metadata.annotations as Mutable | undefined;
    if (annotations && LAST_APPLIED in annotations) {
      const { [LAST_APPLIED]: _dropped, ...rest } = annotations;
      metadata.annotations = rest;
    }
  }
  if (kind === 'Secret') {
    delete o.stringData;
    const data = o.data as Record<string, string> | undefined;
    if (data) o.data = Object.fromEntries(Object.entries(data).filter(([k]) => CACHED_SECRET_KEYS.includes(k)));
  }
  return obj;
}
