import { routeIndexPath } from './ingress-route.js';
import type {
  ConfigMap,
  EndpointSlice,
  Ingress,
  IngressClass,
  KubeObject,
  Namespace,
  Secret,
  Service,
  SnapshotKind,
} from './types.js';
import { SERVICE_NAME_LABEL, SNAPSHOT_KINDS } from './types.js';

/**
 * Read-only, indexed view of the cluster objects Gatehouse reasons about. Every lookup is O(1)
 * (or O(result)); rules must never scan. Objects returned are shared: never mutate them.
 */
export interface ClusterSnapshot {
  namespace(name: string): Namespace | undefined;
  service(namespace: string, name: string): Service | undefined;
  /** Services with this name in any namespace (for "it lives in another namespace" hints). */
  servicesNamed(name: string): readonly Service[];
  secret(namespace: string, name: string): Secret | undefined;
  /** A ConfigMap labelled RESPONSE_HEADERS_LABEL (the only ones watched). */
  configMap(namespace: string, name: string): ConfigMap | undefined;
  ingressClass(name: string): IngressClass | undefined;
  ingressClasses(): readonly IngressClass[];
  ingress(namespace: string, name: string): Ingress | undefined;
  ingresses(): readonly Ingress[];
  /**
   * Ingresses with a rule for exactly this host ("" = any host) and a path equal to `path` up to
   * trailing slashes, of any pathType: every Ingress that may claim the same route as `path`
   * (k8s/ingress-route.ts), for the caller to compare routes.
   */
  ingressesClaiming(host: string, path: string): readonly Ingress[];
  /** Ingresses with any rule for exactly this host (for host ownership). */
  ingressesForHost(host: string): readonly Ingress[];
  /** EndpointSlices labelled for this Service. */
  endpointSlicesFor(namespace: string, service: string): readonly EndpointSlice[];
  /**
   * Whether the snapshot has data for a kind at all. A file snapshot without any Secret cannot
   * tell "missing" from "not exported", so rules skip checks against kinds it does not cover.
   */
  covers(kind: SnapshotKind): boolean;
  /** Object counts by kind, for metrics. */
  counts(): Readonly<Record<SnapshotKind, number>>;
}

const EMPTY: readonly never[] = Object.freeze([]);

/** `namespace/name`; cluster-scoped objects use just the name. */
export function objectKey(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}

/** Key of the host+path index (see `routeIndexPath`). */
export function claimKey(host: string, path: string | undefined): string {
  return `${host}\u0000${routeIndexPath(path)}`;
}

/** Every (host, path) an Ingress claims, as index keys. */
export function ingressClaims(ingress: Ingress): string[] {
  const keys: string[] = [];
  for (const rule of ingress.spec?.rules ?? []) {
    for (const p of rule.http?.paths ?? []) keys.push(claimKey(rule.host ?? '', p.path));
  }
  return keys;
}

/** The distinct non-empty hosts of an Ingress's rules. */
export function ingressHosts(ingress: Ingress): string[] {
  const hosts = new Set<string>();
  for (const rule of ingress.spec?.rules ?? []) if (rule.host) hosts.add(rule.host);
  return [...hosts];
}

/** The one value under a key, with its view (the array `get` answers). */
interface Single<T> {
  readonly id: string;
  readonly view: readonly T[];
}

/**
 * Map from a key to a set of values, with a cached array view per key. Most keys hold one value (a
 * Service name, a host, a route): that one is kept bare with its view, and a Map only from the
 * second value on. A Map per key cost ~300 bytes: at 10,000 Ingresses + Services the indexes held
 * 40,000 of them, ~10 MiB of the webhook's heap (docs/benchmarks.md, issue 13).
 */
class MultiIndex<T> {
  private readonly entries = new Map<string, Single<T> | Map<string, T>>();
  private readonly views = new Map<string, readonly T[]>();

  add(key: string, id: string, value: T): void {
    const entry = this.entries.get(key);
    if (entry === undefined || (!(entry instanceof Map) && entry.id === id)) {
      this.entries.set(key, { id, view: Object.freeze([value]) });
      return;
    }
    if (entry instanceof Map) entry.set(id, value);
    else this.entries.set(key, new Map([[entry.id, entry.view[0]!], [id, value]]));
    this.views.delete(key);
  }

  remove(key: string, id: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    if (!(entry instanceof Map)) {
      if (entry.id === id) this.entries.delete(key);
      return;
    }
    entry.delete(id);
    this.views.delete(key);
    if (entry.size === 0) this.entries.delete(key);
    else if (entry.size === 1) {
      const [only, value] = entry.entries().next().value!;
      this.entries.set(key, { id: only, view: Object.freeze([value]) });
    }
  }

  get(key: string): readonly T[] {
    const entry = this.entries.get(key);
    if (entry === undefined) return EMPTY;
    if (!(entry instanceof Map)) return entry.view;
    const cached = this.views.get(key);
    if (cached) return cached;
    const view = Object.freeze([...entry.values()]);
    this.views.set(key, view);
    return view;
  }
}

/**
 * The one ClusterSnapshot implementation: a store fed by files or informers through
 * `upsert`/`remove`, keeping its indexes current on every change.
 */
export class SnapshotStore implements ClusterSnapshot {
  private readonly byKind = new Map<SnapshotKind, Map<string, KubeObject>>(
    SNAPSHOT_KINDS.map((k) => [k, new Map()]),
  );
  /**
   * The same objects by namespace ('' when cluster-scoped), then name: lookups use the two strings
   * the caller has instead of building a `namespace/name` key each time, which every review did
   * for each backend in each of three rules (issue 13). byKind keeps the order lists are read in.
   */
  private readonly byNamespace = new Map<SnapshotKind, Map<string, Map<string, KubeObject>>>(
    SNAPSHOT_KINDS.map((k) => [k, new Map()]),
  );
  private readonly covered = new Set<SnapshotKind>();
  private readonly servicesByName = new MultiIndex<Service>();
  private readonly claims = new MultiIndex<Ingress>();
  private readonly byHost = new MultiIndex<Ingress>();
  private readonly slicesByService = new MultiIndex<EndpointSlice>();
  private readonly listViews = new Map<SnapshotKind, readonly KubeObject[]>();

  /** Marks kinds as covered even while empty (live informers see "none" as an answer). */
  markCovered(...kinds: SnapshotKind[]): void {
    for (const k of kinds) this.covered.add(k);
  }

  /** Inserts or replaces an object; its indexes follow. */
  upsert(kind: SnapshotKind, obj: KubeObject): void {
    const key = objectKey(obj);
    const map = this.byKind.get(kind)!;
    const previous = map.get(key);
    if (previous) this.unindex(kind, key, previous);
    map.set(key, obj);
    const byName = this.byNamespace.get(kind)!;
    const namespace = obj.metadata?.namespace || '';
    let names = byName.get(namespace);
    if (!names) byName.set(namespace, (names = new Map()));
    names.set(obj.metadata?.name ?? '', obj);
    this.index(kind, key, obj);
    this.covered.add(kind);
    this.listViews.delete(kind);
  }

  remove(kind: SnapshotKind, obj: KubeObject): void {
    const key = objectKey(obj);
    const map = this.byKind.get(kind)!;
    const previous = map.get(key);
    if (!previous) return;
    this.unindex(kind, key, previous);
    map.delete(key);
    const byName = this.byNamespace.get(kind)!;
    const namespace = obj.metadata?.namespace || '';
    const names = byName.get(namespace);
    names?.delete(obj.metadata?.name ?? '');
    if (names?.size === 0) byName.delete(namespace);
    this.listViews.delete(kind);
  }

  /** Drops every object of a kind (before a relist replaces them). */
  clear(kind: SnapshotKind): void {
    for (const obj of [...this.byKind.get(kind)!.values()]) this.remove(kind, obj);
  }

  private index(kind: SnapshotKind, key: string, obj: KubeObject): void {
    if (kind === 'Service') this.servicesByName.add(obj.metadata?.name ?? '', key, obj as Service);
    else if (kind === 'Ingress') {
      for (const c of ingressClaims(obj as Ingress)) this.claims.add(c, key, obj as Ingress);
      for (const h of ingressHosts(obj as Ingress)) this.byHost.add(h, key, obj as Ingress);
    } else if (kind === 'EndpointSlice') {
      const svc = obj.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (svc) this.slicesByService.add(`${obj.metadata?.namespace ?? ''}/${svc}`, key, obj as EndpointSlice);
    }
  }

  private unindex(kind: SnapshotKind, key: string, obj: KubeObject): void {
    if (kind === 'Service') this.servicesByName.remove(obj.metadata?.name ?? '', key);
    else if (kind === 'Ingress') {
      for (const c of ingressClaims(obj as Ingress)) this.claims.remove(c, key);
      for (const h of ingressHosts(obj as Ingress)) this.byHost.remove(h, key);
    } else if (kind === 'EndpointSlice') {
      const svc = obj.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (svc) this.slicesByService.remove(`${obj.metadata?.namespace ?? ''}/${svc}`, key);
    }
  }

  /** The object of this kind, namespace ('' when cluster-scoped) and name. */
  private get<T extends KubeObject>(kind: SnapshotKind, namespace: string, name: string): T | undefined {
    return this.byNamespace.get(kind)!.get(namespace)?.get(name) as T | undefined;
  }

  private list<T extends KubeObject>(kind: SnapshotKind): readonly T[] {
    let view = this.listViews.get(kind);
    if (!view) {
      view = Object.freeze([...this.byKind.get(kind)!.values()]);
      this.listViews.set(kind, view);
    }
    return view as readonly T[];
  }

  namespace(name: string): Namespace | undefined {
    return this.get('Namespace', '', name);
  }
  service(namespace: string, name: string): Service | undefined {
    return this.get('Service', namespace, name);
  }
  servicesNamed(name: string): readonly Service[] {
    return this.servicesByName.get(name);
  }
  secret(namespace: string, name: string): Secret | undefined {
    return this.get('Secret', namespace, name);
  }
  configMap(namespace: string, name: string): ConfigMap | undefined {
    return this.get('ConfigMap', namespace, name);
  }
  ingressClass(name: string): IngressClass | undefined {
    return this.get('IngressClass', '', name);
  }
  ingressClasses(): readonly IngressClass[] {
    return this.list('IngressClass');
  }
  ingress(namespace: string, name: string): Ingress | undefined {
    return this.get('Ingress', namespace, name);
  }
  ingresses(): readonly Ingress[] {
    return this.list('Ingress');
  }
  ingressesClaiming(host: string, path: string): readonly Ingress[] {
    return this.claims.get(claimKey(host, path));
  }
  ingressesForHost(host: string): readonly Ingress[] {
    return this.byHost.get(host);
  }
  endpointSlicesFor(namespace: string, service: string): readonly EndpointSlice[] {
    return this.slicesByService.get(`${namespace}/${service}`);
  }
  covers(kind: SnapshotKind): boolean {
    return this.covered.has(kind);
  }
  counts(): Readonly<Record<SnapshotKind, number>> {
    const out = {} as Record<SnapshotKind, number>;
    for (const k of SNAPSHOT_KINDS) out[k] = this.byKind.get(k)!.size;
    return out;
  }
}
