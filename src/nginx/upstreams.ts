import { createHash } from 'node:crypto';
import { forbiddenExternalName } from '../k8s/external-name.js';
import type { ClusterSnapshot } from '../k8s/snapshot.js';
import type { EndpointSlice, IngressBackend, Service, ServiceBackendPort, ServicePort } from '../k8s/types.js';
import { escapeFor } from './escape.js';
import type { Action, BackendProtocol, Endpoint, UpstreamBalance, UpstreamModel } from './model.js';

/** A backend resolved against the cluster: the action, and the upstream it needs (if any). */
export interface ResolvedBackend {
  readonly action: Action;
  readonly upstream?: UpstreamModel;
}

/** Why a backend reference cannot be rendered at all (the Ingress is skipped). */
export interface UnrenderableBackend {
  readonly error: string;
}

const SERVICE_UNAVAILABLE: ResolvedBackend = Object.freeze({ action: Object.freeze({ kind: 'status', code: 503 }) });

function findServicePort(svc: Service, port: ServiceBackendPort | undefined): ServicePort | undefined {
  const ports = svc.spec?.ports ?? [];
  if (port?.name) return ports.find((p) => p.name === port.name);
  if (port?.number !== undefined) return ports.find((p) => p.port === port.number);
  return ports.length === 1 ? ports[0] : undefined;
}

/** Ready per EndpointSlice semantics: a nil `ready` means ready. https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/#conditions */
function isReady(conditions: { ready?: boolean } | undefined): boolean {
  return conditions?.ready !== false;
}

/**
 * The Service port's target, resolved per slice: slices carry the endpoint port under the
 * Service port's name (empty for a single unnamed port), so named targetPorts and pods that
 * disagree on the number both resolve correctly.
 */
function slicePort(slice: EndpointSlice, sp: ServicePort): number | undefined {
  const wanted = sp.name ?? '';
  const match = (slice.ports ?? []).find((p) => (p.name ?? '') === wanted);
  const port = match?.port;
  return port !== undefined && Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

/** The ClusterIP and Service port, or nothing for a headless Service. */
function clusterIpEndpoint(svc: Service, sp: ServicePort): Endpoint[] {
  const ip = svc.spec?.clusterIP;
  const host = ip && ip !== 'None' ? escapeFor('address', ip) : undefined;
  return host === undefined ? [] : [{ host, port: sp.port }];
}

function endpointsOf(cluster: ClusterSnapshot, svc: Service, sp: ServicePort, serviceUpstream: boolean): Endpoint[] {
  const ns = svc.metadata.namespace ?? '';
  const name = svc.metadata.name ?? '';
  const found: Endpoint[] = [];
  // https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#service-upstream
  // (a headless Service has no ClusterIP: its endpoints are used, as ingress-nginx does).
  const viaClusterIp = serviceUpstream ? clusterIpEndpoint(svc, sp) : [];
  if (viaClusterIp.length > 0) return viaClusterIp;
  if (cluster.covers('EndpointSlice')) {
    for (const slice of cluster.endpointSlicesFor(ns, name)) {
      // FQDN slices would make nginx resolve names at load time: one that does not resolve
      // fails `nginx -t` for everyone.
      if (slice.addressType === 'FQDN') continue;
      const port = slicePort(slice, sp);
      if (port === undefined) continue;
      for (const ep of slice.endpoints ?? []) {
        if (!isReady(ep.conditions)) continue;
        for (const raw of ep.addresses) {
          // Only IP literals: a name would make nginx resolve it when loading the configuration,
          // and one that does not resolve fails `nginx -t` for everyone. (The API server refuses
          // names in IPv4/IPv6 slices; a snapshot file does not.)
          const host = escapeFor('ip', raw);
          if (host !== undefined) found.push({ host, port });
        }
      }
    }
  } else {
    // A static snapshot without EndpointSlices (`gatehouse render` on manifests): the ClusterIP
    // is the only address known, and kube-proxy balances behind it.
    found.push(...clusterIpEndpoint(svc, sp));
  }
  // Sorted, then without repeats (an address in two slices, or listed twice): no map keyed by
  // `host:port` strings built per endpoint (40,000 per render at 10,000 Services).
  found.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.port - b.port));
  return found.filter((e, i) => i === 0 || e.host !== found[i - 1]!.host || e.port !== found[i - 1]!.port);
}

export interface ResolveOptions {
  readonly protocol: BackendProtocol;
  /** Balancing other than round robin (a separate upstream per balancing). */
  readonly balance?: UpstreamBalance;
  /**
   * Backend TLS settings (features/backend-tls.ts backendTlsIdentity, hex): a separate upstream
   * per setting, because nginx reuses keepalive connections and TLS sessions per upstream, and a
   * connection verified with one CA or authenticated with one client certificate must not serve a
   * location that asks for another.
   */
  readonly tlsIdentity?: string;
  /** service-upstream: the ClusterIP and Service port are the one endpoint. */
  readonly serviceUpstream?: boolean;
}

/**
 * Resolves `namespace`'s backend to what nginx does with it. A missing Service, port or ready
 * endpoint is not an error: the route exists and answers 503, as the Service may appear later.
 */
export function resolveBackend(
  cluster: ClusterSnapshot,
  namespace: string,
  backend: IngressBackend,
  options: ResolveOptions,
  cache?: BackendCache,
): ResolvedBackend | UnrenderableBackend {
  return cache ? backendResolver(cluster, namespace, options, cache)(backend) : resolveUncached(cluster, namespace, backend, options);
}

/**
 * `resolveBackend` for the backends of one Ingress (one namespace, one set of options), sharing
 * `cache` with the others: the options' part of the cache key is built once per Ingress, not per
 * path (20,000 paths per render at 10,000 Ingresses).
 */
export function backendResolver(
  cluster: ClusterSnapshot,
  namespace: string,
  options: ResolveOptions,
  cache: BackendCache,
): (backend: IngressBackend) => ResolvedBackend | UnrenderableBackend {
  // Two levels: the Ingress's namespace and options once, then each backend by a short key.
  const optionsKey = `${namespace}\0${options.protocol}\0${balanceSuffix(options.balance)}\0${options.serviceUpstream ? 's' : ''}\0${options.tlsIdentity ?? ''}`;
  let resolved = cache.get(optionsKey);
  if (!resolved) cache.set(optionsKey, (resolved = new Map()));
  const byBackend = resolved;
  return (backend) => {
    const ref = backend.service;
    const key = `${ref?.name ?? ''}\0${ref?.port?.name ?? ''}\0${ref?.port?.number ?? ''}${backend.resource ? '\0r' : ''}`;
    let hit = byBackend.get(key);
    if (!hit) byBackend.set(key, (hit = resolveUncached(cluster, namespace, backend, options, `${optionsKey}\0${key}`)));
    return hit;
  };
}

/** Resolutions within one build: many paths share a backend, and endpoints are sorted once. */
export type BackendCache = Map<string, Map<string, ResolvedBackend | UnrenderableBackend>>;

/**
 * Resolutions of earlier renders, by Service object: snapshot objects are immutable (an update
 * replaces the object), so the same Service, EndpointSlice list (the snapshot's view array is
 * replaced when a slice changes) and backend key resolve to the same upstream. The controller
 * renders the whole cluster on every change, and most Services did not change.
 */
const RESOLVED = new WeakMap<Service, MemoEntry[]>();

/** One resolution of a Service (a Service has a few: per port and balancing), and the slice list it read. */
interface MemoEntry {
  readonly key: string;
  slices: readonly EndpointSlice[] | undefined;
  result: ResolvedBackend | UnrenderableBackend;
}

function resolveUncached(
  cluster: ClusterSnapshot,
  namespace: string,
  backend: IngressBackend,
  options: ResolveOptions,
  /** The backend and its options as a string (backendResolver), to reuse an earlier render's resolution. */
  memoKey?: string,
): ResolvedBackend | UnrenderableBackend {
  const ref = backend.service;
  if (!ref) return { error: 'resource backends are not supported by the Gatehouse controller' };
  const ns = escapeFor('identifier', namespace);
  const name = escapeFor('identifier', ref.name);
  if (ns === undefined || name === undefined) return { error: `Service name ${JSON.stringify(ref.name)} cannot be rendered` };
  const svc = cluster.service(namespace, ref.name);
  if (!svc) return SERVICE_UNAVAILABLE;
  if (memoKey === undefined) return resolveService(cluster, namespace, backend, options, svc, ns, name);
  const slices = cluster.covers('EndpointSlice') ? cluster.endpointSlicesFor(namespace, ref.name) : undefined;
  let entries = RESOLVED.get(svc);
  if (!entries) RESOLVED.set(svc, (entries = []));
  const earlier = entries.find((e) => e.key === memoKey);
  if (earlier && earlier.slices === slices) return earlier.result;
  const result = resolveService(cluster, namespace, backend, options, svc, ns, name);
  if (earlier) [earlier.slices, earlier.result] = [slices, result];
  else entries.push({ key: memoKey, slices, result });
  return result;
}

function resolveService(
  cluster: ClusterSnapshot,
  namespace: string,
  backend: IngressBackend,
  options: ResolveOptions,
  svc: Service,
  ns: string,
  name: string,
): ResolvedBackend | UnrenderableBackend {
  const ref = backend.service!;
  const sp = findServicePort(svc, ref.port);
  if (svc.spec?.type === 'ExternalName') {
    const forbidden = forbiddenExternalName(svc.spec.externalName ?? '');
    if (forbidden !== undefined) return { error: `ExternalName ${JSON.stringify(svc.spec.externalName ?? '')} of Service ${namespace}/${ref.name}: ${forbidden}` };
    const host = escapeFor('address', svc.spec.externalName ?? '');
    if (host === undefined) return { error: `ExternalName ${JSON.stringify(svc.spec.externalName ?? '')} of Service ${namespace}/${ref.name} cannot be rendered` };
    const port = sp?.port ?? ref.port?.number ?? 80;
    return { action: { kind: 'external', host, port, protocol: options.protocol } };
  }
  if (!sp) return SERVICE_UNAVAILABLE;
  const portKey = escapeFor('identifier', sp.name ? sp.name : String(sp.port));
  if (portKey === undefined) return { error: `port name ${JSON.stringify(sp.name)} of Service ${namespace}/${ref.name} cannot be rendered` };
  const upstreamName = `${ns}_${name}_${portKey}${balanceSuffix(options.balance)}${options.serviceUpstream ? '_svc' : ''}${options.tlsIdentity ? `_tls_${options.tlsIdentity}` : ''}`;
  const endpoints = endpointsOf(cluster, svc, sp, options.serviceUpstream === true);
  const upstream = new ServiceUpstream(upstreamName, endpoints, options.balance, { namespace, backend, options });
  return { action: { kind: 'proxy', upstream: upstreamName, protocol: options.protocol }, upstream };
}

interface UpstreamSource {
  readonly namespace: string;
  readonly backend: IngressBackend;
  readonly options: ResolveOptions;
}

/**
 * An upstream resolved from a Service, which remembers what it was resolved from, so its endpoints
 * can be resolved again from a newer snapshot without building the whole model
 * (controller/endpoint-publisher.ts: an EndpointSlice change reaches nginx in milliseconds, not
 * after a full render). The source is a private field: to tests, golden files and JSON the model
 * stays plain data (`name`, `endpoints`, `balance`). It used to sit in a WeakMap beside the model,
 * which cost ~5% of a render at 10,000 Ingresses.
 */
class ServiceUpstream implements UpstreamModel {
  declare readonly balance?: UpstreamBalance;
  readonly #source: UpstreamSource;

  constructor(
    readonly name: string,
    readonly endpoints: readonly Endpoint[],
    balance: UpstreamBalance | undefined,
    source: UpstreamSource,
  ) {
    if (balance) (this as { balance?: UpstreamBalance }).balance = balance;
    this.#source = source;
  }

  static sourceOf(upstream: UpstreamModel): UpstreamSource | undefined {
    return upstream instanceof ServiceUpstream ? upstream.#source : undefined;
  }
}

/**
 * `upstream` with its endpoints resolved again from `cluster`, or undefined when that needs a full
 * render: an upstream not made by resolveBackend, or whose Service or port now resolve to another
 * upstream (or none). Only the endpoints can differ from `upstream`.
 */
export function reresolveUpstream(cluster: ClusterSnapshot, upstream: UpstreamModel): UpstreamModel | undefined {
  const source = ServiceUpstream.sourceOf(upstream);
  if (!source) return undefined;
  const again = resolveUncached(cluster, source.namespace, source.backend, source.options);
  if (isUnrenderable(again) || again.upstream?.name !== upstream.name) return undefined;
  return again.upstream;
}

/** The upstream name's suffix for a balancing: two Ingresses balancing one Service differently get two upstreams. */
function balanceSuffix(balance: UpstreamBalance | undefined): string {
  switch (balance?.kind) {
    case undefined:
      return '';
    case 'cookie':
      return `_sticky_${balance.cookie}${balance.persistent ? '_p' : ''}`;
    case 'hash':
      return `_hash_${createHash('sha256').update(balance.key).digest('hex').slice(0, 12)}`;
    case 'least-conn':
      return '_lc';
  }
}

export function isUnrenderable(r: ResolvedBackend | UnrenderableBackend): r is UnrenderableBackend {
  return 'error' in r;
}
