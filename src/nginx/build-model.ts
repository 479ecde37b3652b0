import { secretFilesOf } from '../annotations/features/index.js';
import { parseAnnotations } from '../annotations/validate.js';
import { hostRefusal, type HostOwnershipPolicy } from '../k8s/host-ownership.js';
import { routeKey } from '../k8s/ingress-route.js';
import { isOwned, type OwnershipOptions } from '../k8s/ownership.js';
import { ingressHosts, objectKey, type ClusterSnapshot } from '../k8s/snapshot.js';
import type { Ingress, ServiceBackendPort } from '../k8s/types.js';
import { backtrackingProblem, type RegexRedosMode } from '../pcre/backtracking.js';
import { DEFAULT_RULE_OPTIONS, type RuleOptions } from '../rules/types.js';
import { certificateFromSecret } from './certificates.js';
import { compileIngress, type CompiledIngress, type Route } from './compile-ingress.js';
import type { Action, SecretFile, LocationModel, NginxModel, ServerModel, UpstreamModel } from './model.js';
import { isUnrenderable, resolveBackend, type BackendCache, type ResolvedBackend } from './upstreams.js';

export interface BuildModelOptions {
  readonly ownership: OwnershipOptions;
  /** How the annotation catalog judges annotations (same flags as the webhook). */
  readonly annotations?: Pick<RuleOptions, 'annotationsRiskLevel' | 'allowSnippetAnnotations'>;
  /** `--host-ownership` (default strict): whether other namespaces may add paths to a host. */
  readonly hostOwnership?: HostOwnershipPolicy;
  /** `--regex-redos` (default deny): leave out Ingresses whose regex paths may backtrack catastrophically, or serve them with a warning. */
  readonly regexRedos?: RegexRedosMode;
  /** `--default-backend-service`: what unmatched requests get when no Ingress has a defaultBackend. */
  readonly defaultBackendService?: { readonly namespace: string; readonly name: string; readonly port?: ServiceBackendPort };
  /**
   * Owned Ingresses (`namespace/name`) to leave out, each reported in `skipped`: the controller's
   * quarantine of objects with which nginx rejects the configuration (src/controller/quarantine.ts).
   */
  readonly excluded?: ReadonlySet<string>;
}

/** An owned Ingress left out entirely, and why. */
export interface SkippedIngress {
  readonly ingress: string;
  readonly reason: string;
}

/** Two Ingresses claimed the same thing; the winner is older (then namespace/name first). */
export interface Conflict {
  readonly winner: string;
  readonly loser: string;
  /** What was claimed, e.g. `host shop.example.com, prefix path /api` or `the default backend`. */
  readonly claim: string;
}

/** A problem that did not stop the Ingress from being served (e.g. a missing TLS Secret). */
export interface ModelWarning {
  readonly ingress: string;
  readonly message: string;
}

export interface BuildModelResult {
  readonly model: NginxModel;
  /** Ingresses Gatehouse owns (including skipped ones). */
  readonly owned: number;
  readonly skipped: readonly SkippedIngress[];
  /** Owned Ingresses in the model (`namespace/name`), oldest first: neither skipped nor excluded. */
  readonly rendered: readonly string[];
  readonly conflicts: readonly Conflict[];
  readonly warnings: readonly ModelWarning[];
}

const NOT_FOUND: Action = Object.freeze({ kind: 'status', code: 404 });

interface HostDraft {
  readonly routes: Map<string, { route: Route; from: CompiledIngress }>;
}

function byString<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/** The TLS host entry covering `host`: itself, else a `*.` wildcard one label up. */
function tlsCovering(host: string, tlsHosts: ReadonlySet<string>): boolean {
  if (tlsHosts.has(host)) return true;
  const dot = host.indexOf('.');
  return !host.startsWith('*.') && dot > 0 && tlsHosts.has(`*${host.slice(dot)}`);
}

/** Host → the owned Ingresses with a rule for it (host ownership decides among them). */
function hostClaimantsIndex(owned: readonly Ingress[]): Map<string, Ingress[]> {
  const index = new Map<string, Ingress[]>();
  for (const ingress of owned) {
    for (const host of ingressHosts(ingress)) {
      let list = index.get(host);
      if (!list) index.set(host, (list = []));
      list.push(ingress);
    }
  }
  return index;
}

/**
 * The first regex route that may backtrack catastrophically, as a message: the rewrite rule's own
 * judgement (pcre/backtracking.ts), so the controller leaves out what the webhook denies. An
 * analysis that cannot run counts as a problem.
 */
function regexRedosProblem(routes: readonly Route[]): string | undefined {
  for (const r of routes) {
    if (r.match !== 'regex') continue;
    let problem: string | undefined;
    try {
      problem = backtrackingProblem(r.path);
    } catch (err) {
      problem = `could not be analysed for catastrophic backtracking: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (problem) return `regex path ${JSON.stringify(r.path)} ${problem}`;
  }
  return undefined;
}

/** Snapshot + owned Ingresses → nginx model. Pure and deterministic; problems are data. */
export function buildModel(cluster: ClusterSnapshot, options: BuildModelOptions): BuildModelResult {
  const owned = cluster.ingresses().filter((i) => isOwned(i, cluster, options.ownership));
  // Precedence for conflicts: as ingressPrecedence (k8s/host-ownership.ts: oldest first, then namespace/name; an Ingress
  // without a creationTimestamp sorts after every dated one), the order host ownership uses too.
  // Keys are computed once, not per comparison (10,000 Ingresses per render).
  const ordered = owned
    .map((i) => ({ i, t: i.metadata.creationTimestamp ?? '\uffff', k: objectKey(i) }))
    .sort((a, b) => (a.t !== b.t ? (a.t < b.t ? -1 : 1) : a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((d) => d.i);
  const claimantsOf = hostClaimantsIndex(ordered);
  const policy = options.hostOwnership ?? 'strict';
  const cache: BackendCache = new Map();
  const skipped: SkippedIngress[] = [];
  const conflicts: Conflict[] = [];
  const warnings: ModelWarning[] = [];
  const compiled: CompiledIngress[] = [];
  const ruleOptions: RuleOptions = { ...DEFAULT_RULE_OPTIONS, ...options.annotations, ownership: options.ownership };
  for (const ingress of ordered) {
    const key = objectKey(ingress);
    if (options.excluded?.has(key)) {
      skipped.push({ ingress: key, reason: 'left out by the controller: nginx rejects the configuration with it' });
      continue;
    }
    // Only values the catalog accepted are rendered; an Ingress with a refused annotation is
    // skipped whole (dropping e.g. an allow-list would fail open).
    const parsed = parseAnnotations(ingress, ruleOptions);
    if (parsed.rejected) {
      const denied = parsed.findings.filter((f) => f.severity === 'deny').map((f) => `${f.path}: ${f.message}`);
      skipped.push({ ingress: key, reason: `annotations refused: ${denied.join('; ')}` });
      continue;
    }
    const result = compileIngress(ingress, cluster, parsed.values, cache);
    if ('error' in result) {
      skipped.push({ ingress: key, reason: result.error });
      continue;
    }
    const redos = regexRedosProblem(result.routes);
    if (redos && (options.regexRedos ?? 'deny') === 'deny') {
      skipped.push({ ingress: key, reason: redos });
      continue;
    }
    if (redos) warnings.push({ ingress: key, message: redos });
    compiled.push(result);
    for (const k of result.settings.ignored) warnings.push({ ingress: key, message: `annotation ${k} is accepted but ignored: the controller does not implement it` });
  }

  const hosts = new Map<string, HostDraft>();
  for (const c of compiled) {
    const refusedHosts = new Map<string, string | undefined>();
    for (const route of c.routes) {
      if (!refusedHosts.has(route.host)) {
        const refusal = hostRefusal(c.ingress, route.host, claimantsOf.get(route.host) ?? [], policy);
        refusedHosts.set(route.host, refusal?.ownerIngress);
        if (refusal) conflicts.push({ winner: refusal.ownerIngress, loser: c.key, claim: `host ${route.host}, owned by namespace ${refusal.ownerNamespace}` });
      }
      if (refusedHosts.get(route.host) !== undefined) continue;
      let draft = hosts.get(route.host);
      if (!draft) hosts.set(route.host, (draft = { routes: new Map() }));
      // One route, one location: which spellings are the same route is k8s/ingress-route.ts's
      // decision, the one the host-path-conflict rule denies by.
      const key = routeKey(route);
      const taken = draft.routes.get(key);
      if (taken) {
        if (taken.from !== c) {
          conflicts.push({ winner: taken.from.key, loser: c.key, claim: `host ${route.host || '*'}, ${route.match} path ${route.path}` });
        }
        continue;
      }
      draft.routes.set(key, { route, from: c });
    }
  }

  // TLS: every listed host redirects to HTTPS; the first (oldest) usable Secret serves it.
  const tlsHosts = new Set<string>();
  const certOf = new Map<string, SecretFile>();
  for (const c of compiled) {
    for (const entry of c.tls) {
      for (const h of entry.hosts) tlsHosts.add(h);
      if (!entry.secretName || entry.hosts.length === 0) continue;
      const [ns] = c.key.split('/');
      const secret = cluster.secret(ns ?? '', entry.secretName);
      const cert = secret ? certificateFromSecret(secret) : undefined;
      if (!cert || !cert.ok) {
        const why = cert ? cert.reason : 'does not exist';
        if (secret || cluster.covers('Secret')) warnings.push({ ingress: c.key, message: `TLS Secret ${entry.secretName} ${why}; its hosts use the fallback certificate` });
        continue;
      }
      for (const h of entry.hosts) if (!certOf.has(h)) certOf.set(h, cert.file);
    }
  }

  const upstreams = new Map<string, UpstreamModel>();
  const secretFiles = new Map<string, SecretFile>();
  const serverOf = (host: string, draft: HostDraft): ServerModel => {
    const tls = host !== '' && tlsCovering(host, tlsHosts);
    const dot = host.indexOf('.');
    const cert = certOf.get(host) ?? (dot > 0 && !host.startsWith('*.') ? certOf.get(`*${host.slice(dot)}`) : undefined);
    if (cert && host !== '') secretFiles.set(cert.file, cert);
    const locations: LocationModel[] = [...draft.routes.values()].map(({ route, from }) => {
      if (route.backend.upstream) upstreams.set(route.backend.upstream.name, route.backend.upstream);
      const { features } = from.settings;
      for (const file of secretFilesOf(features)) secretFiles.set(file.file, file);
      const ssl = features['ssl-redirect'];
      const sslRedirect = ssl?.force === true || (tls && ssl?.sslRedirect !== false);
      return {
        match: route.match,
        path: route.path,
        action: route.backend.action,
        settings: { features, ...(sslRedirect ? { sslRedirect: true } : {}) },
        source: from.key,
        ...(route.service !== undefined ? { service: route.service } : {}),
      };
    });
    locations.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.match < b.match ? -1 : a.match > b.match ? 1 : 0));
    return { host, ...(cert && host !== '' ? { certificate: cert.file } : {}), tls, locations };
  };

  const servers = [...hosts.entries()].filter(([h]) => h !== '').map(([h, d]) => serverOf(h, d)).sort(byString((s) => s.host));
  const defaultServer = serverOf('', hosts.get('') ?? { routes: new Map() });

  let defaultBackend: ResolvedBackend | undefined;
  let defaultOwner = '';
  for (const c of compiled) {
    if (!c.defaultBackend) continue;
    if (defaultBackend) conflicts.push({ winner: defaultOwner, loser: c.key, claim: 'the default backend' });
    else [defaultBackend, defaultOwner] = [c.defaultBackend, c.key];
  }
  if (!defaultBackend && options.defaultBackendService) {
    const { namespace, name, port } = options.defaultBackendService;
    const resolved = resolveBackend(cluster, namespace, { service: { name, ...(port ? { port } : {}) } }, { protocol: 'HTTP' });
    if (!isUnrenderable(resolved)) defaultBackend = resolved;
  }
  if (defaultBackend?.upstream) upstreams.set(defaultBackend.upstream.name, defaultBackend.upstream);

  return {
    model: {
      servers,
      defaultServer,
      upstreams: [...upstreams.values()].sort(byString((u) => u.name)),
      secretFiles: [...secretFiles.values()].sort(byString((c) => c.file)),
      defaultAction: defaultBackend?.action ?? NOT_FOUND,
    },
    owned: owned.length,
    skipped,
    rendered: compiled.map((c) => c.key),
    conflicts,
    warnings,
  };
}
