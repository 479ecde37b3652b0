import type { ClusterSnapshot } from '../k8s/snapshot.js';
import { objectKey } from '../k8s/snapshot.js';
import type { HTTPIngressPath, Ingress } from '../k8s/types.js';
import { compileRegexLocation } from '../pcre/nginx-regex.js';
import { backendTlsIdentity } from '../annotations/features/backend-tls.js';
import { escapeFor } from './escape.js';
import { locationPathOf } from './location-path.js';
import { ingressSettingsOf, type AnnotationValues, type IngressSettings } from '../annotations/ingress-settings.js';
import type { FeatureConfigs } from '../annotations/features/index.js';
import type { MatchKind, UpstreamBalance } from './model.js';
import { backendResolver, isUnrenderable, resolveBackend, type BackendCache, type ResolveOptions, type ResolvedBackend } from './upstreams.js';

/** One host+path of an Ingress, escaped and resolved. Host '' = rules without a host. */
export interface Route {
  readonly host: string;
  readonly match: MatchKind;
  readonly path: string;
  readonly backend: ResolvedBackend;
  /** The backend as written: a canary's is resolved again with its main route's options (build-model.ts). */
  readonly backendRef: HTTPIngressPath['backend'];
  /** The backend Service's name, for log and metric labels. */
  readonly service?: string;
}

/** Everything one Ingress contributes, before merging with the others. */
export interface CompiledIngress {
  readonly key: string;
  /** The Ingress itself (read-only; host ownership looks at its namespace and age). */
  readonly ingress: Ingress;
  readonly settings: IngressSettings;
  readonly routes: readonly Route[];
  readonly defaultBackend?: ResolvedBackend;
  /** `spec.tls` entries: escaped hosts and the Secret name (if any). */
  readonly tls: readonly { readonly hosts: readonly string[]; readonly secretName?: string }[];
}

/**
 * How the Ingress's upstreams balance, in ingress-nginx's precedence (rootfs/etc/nginx/lua/
 * balancer.lua): cookie affinity, else upstream-hash-by, else load-balance.
 */
function balanceOf(features: FeatureConfigs): { balance?: UpstreamBalance } {
  const affinity = features.affinity;
  if (affinity) return { balance: { kind: 'cookie', cookie: affinity.name, ...(affinity.mode === 'persistent' ? { persistent: true } : {}) } };
  const lb = features['load-balance'];
  if (lb?.hashKey !== undefined) return { balance: { kind: 'hash', key: lb.hashKey } };
  if (lb?.method === 'ewma') return { balance: { kind: 'least-conn' } };
  return {};
}

/** How an Ingress's annotations shape the upstreams of its backends (protocol, balancing, service-upstream, backend TLS). */
export function resolveOptionsOf(features: FeatureConfigs): ResolveOptions {
  return {
    protocol: features['backend-protocol'] ?? 'HTTP',
    ...balanceOf(features),
    ...(features['service-upstream'] ? { serviceUpstream: true } : {}),
    ...(features['backend-tls']?.tls ? { tlsIdentity: backendTlsIdentity(features['backend-tls']) } : {}),
  };
}

/** The highest `$N` of a rewrite target the path does not capture (nginx -t would fail), if any. */
function captureRefsMissing(target: string | undefined, match: MatchKind, path: string): string | undefined {
  if (target === undefined) return undefined;
  const highest = Math.max(0, ...[...target.matchAll(/\$([1-9])/g)].map((m) => Number(m[1])));
  if (highest === 0) return undefined;
  const check = match === 'regex' ? compileRegexLocation(path) : undefined;
  const captures = check?.ok ? check.captureCount : 0;
  return highest > captures ? `$${highest}` : undefined;
}

/** The field path of a rule's path, for errors only (built when one is reported, not per path). */
function pathField(rule: number, path: number): string {
  return `spec.rules[${rule}].http.paths[${path}]`;
}

/**
 * Checks and resolves one Ingress. Any string that cannot be rendered safely makes the whole
 * Ingress unrenderable (`{ error }`): rendering part of it would route its traffic differently
 * from what its author wrote.
 */
export function compileIngress(
  ingress: Ingress,
  cluster: ClusterSnapshot,
  annotations: AnnotationValues,
  cache?: BackendCache,
  allowAuthUrlLoopback = false,
): CompiledIngress | { readonly error: string } {
  const key = objectKey(ingress);
  const namespace = ingress.metadata.namespace ?? '';
  // The key is rendered as a comment on each location: it must be plain too.
  if (escapeFor('identifier', namespace) === undefined || escapeFor('identifier', ingress.metadata.name ?? '') === undefined) {
    return { error: 'namespace/name cannot be rendered' };
  }
  const settings = ingressSettingsOf(annotations, { namespace, name: ingress.metadata.name ?? '', cluster, ...(allowAuthUrlLoopback ? { allowAuthUrlLoopback } : {}) });
  if ('error' in settings) return settings;
  const { features } = settings;
  const resolveOptions = resolveOptionsOf(features);
  const redirect = features.redirect;
  const resolveService = cache ? backendResolver(cluster, namespace, resolveOptions, cache) : (b: HTTPIngressPath['backend']) => resolveBackend(cluster, namespace, b, resolveOptions);
  const resolve = (backend: HTTPIngressPath['backend']): ResolvedBackend | { error: string } => (redirect ? { action: redirect } : resolveService(backend));

  const routes: Route[] = [];
  const spec = ingress.spec ?? {};
  const rules = spec.rules ?? [];
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]!;
    const host = rule.host ? escapeFor('host', rule.host) : '';
    if (host === undefined) return { error: `spec.rules[${r}].host ${JSON.stringify(rule.host)} cannot be rendered` };
    const paths = rule.http?.paths ?? [];
    for (let i = 0; i < paths.length; i++) {
      const p = paths[i]!;
      const location = locationPathOf(p.path, p.pathType, features.rewrite?.regex === true);
      if (!location.ok) return { error: `${pathField(r, i)}.path ${JSON.stringify(p.path)} cannot be rendered as a ${location.match} location: it ${location.reason}` };
      const { match, path } = location;
      const backend = resolve(p.backend);
      if (isUnrenderable(backend)) return { error: `${pathField(r, i)}.backend: ${backend.error}` };
      const refs = captureRefsMissing(features.rewrite?.target, match, path);
      if (refs) return { error: `${pathField(r, i)}.path ${JSON.stringify(p.path)} has no capture group ${refs} for rewrite-target` };
      const service = p.backend.service?.name !== undefined ? escapeFor('identifier', p.backend.service.name) : undefined;
      routes.push({ host, match, path, backend, backendRef: p.backend, ...(service !== undefined ? { service } : {}) });
    }
  }

  let defaultBackend: ResolvedBackend | undefined;
  if (spec.defaultBackend) {
    const resolved = resolve(spec.defaultBackend);
    if (isUnrenderable(resolved)) return { error: `spec.defaultBackend: ${resolved.error}` };
    defaultBackend = resolved;
  }

  const tls: { hosts: string[]; secretName?: string }[] = [];
  for (const [t, entry] of (spec.tls ?? []).entries()) {
    const hosts: string[] = [];
    for (const h of entry.hosts ?? []) {
      const host = escapeFor('host', h);
      if (host === undefined) return { error: `spec.tls[${t}].hosts: ${JSON.stringify(h)} cannot be rendered` };
      hosts.push(host);
    }
    tls.push({ hosts, ...(entry.secretName ? { secretName: entry.secretName } : {}) });
  }

  return { key, ingress, settings, routes, ...(defaultBackend ? { defaultBackend } : {}), tls };
}
