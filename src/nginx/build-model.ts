import { exclusiveServerLinesOf, featureUpstreamsOf, secretFilesOf } from '../annotations/features/index.js';
import { parseAnnotations, type ParsedAnnotations } from '../annotations/validate.js';
import { hostRefusal, type HostOwnershipPolicy } from '../k8s/host-ownership.js';
import { routeKey } from '../k8s/ingress-route.js';
import { isOwned, type OwnershipOptions } from '../k8s/ownership.js';
import { ingressHosts, objectKey, type ClusterSnapshot } from '../k8s/snapshot.js';
import type { Ingress, ServiceBackendPort } from '../k8s/types.js';
import { backtrackingProblem, type RegexRedosMode } from '../pcre/backtracking.js';
import { DEFAULT_RULE_OPTIONS, type RuleOptions } from '../rules/types.js';
import { certificateFromSecret } from './certificates.js';
import { isCanaryIngress, type CanaryConfig } from '../annotations/features/canary.js';
import { extraHostNames } from './extra-host-names.js';
import { compileIngress, resolveOptionsOf, type CompiledIngress, type Route } from './compile-ingress.js';
import type { Action, CanaryModel, SecretFile, LocationModel, NginxModel, RedirectServerModel, ServerModel, UpstreamModel } from './model.js';
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
  /** Tests only (their auth service listens on loopback): see ParseContext.allowAuthUrlLoopback. */
  readonly allowAuthUrlLoopback?: boolean;
  /** The ConfigMap's `ssl-redirect` (default true): whether TLS hosts redirect HTTP unless an annotation says otherwise. */
  readonly sslRedirect?: boolean;
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

/** The canary merged into a route: its Ingress, its backend resolved with the main's options, its rules. */
interface CanaryDraft {
  readonly from: CompiledIngress;
  readonly action: CanaryModel['action'];
  readonly upstream?: UpstreamModel;
  readonly config: CanaryConfig;
}

interface RouteDraft {
  readonly route: Route;
  readonly from: CompiledIngress;
  canary?: CanaryDraft;
}

interface HostDraft {
  readonly routes: Map<string, RouteDraft>;
  /** Server-exclusive feature lines (features/index.ts exclusiveServerLinesOf) by feature id, and the Ingress that set them. */
  readonly exclusive: Map<string, { lines: string; owner: string }>;
}

/** The server-exclusive lines of `c`'s features, by feature id (computed once per Ingress). */
function exclusiveLinesOf(c: CompiledIngress): ReadonlyMap<string, string> {
  return exclusiveServerLinesOf(c.settings.features, { secretsDir: '' });
}

/** Why an Ingress with `lines` cannot join a host whose server-exclusive settings differ (the earlier Ingress keeps them), or undefined. */
function exclusiveClash(draft: HostDraft | undefined, lines: ReadonlyMap<string, string>): { winner: string; feature: string } | undefined {
  if (!draft) return undefined;
  for (const [id, own] of lines) {
    const held = draft.exclusive.get(id);
    if (held && held.lines !== own) return { winner: held.owner, feature: id };
  }
  return undefined;
}

function claimExclusive(draft: HostDraft, lines: ReadonlyMap<string, string>, owner: string): void {
  for (const [id, own] of lines) {
    if (!draft.exclusive.has(id)) draft.exclusive.set(id, { lines: own, owner });
  }
}

/** Code-unit order of strings (the model's deterministic order). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// One comparator per field: `a[field]` with a variable field is a slow keyed load, and sorts of
// 20,000 upstreams per render call these ~300,000 times.
const byName = (a: UpstreamModel, b: UpstreamModel): number => compareStrings(a.name, b.name);
const byHost = (a: ServerModel, b: ServerModel): number => compareStrings(a.host, b.host);
const byFile = (a: SecretFile, b: SecretFile): number => compareStrings(a.file, b.file);

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
    // A canary claims no host (k8s/host-ownership.ts hostClaimants): it joins a main Ingress's route.
    if (isCanaryIngress(ingress)) continue;
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

/**
 * The catalog's judgement of an Ingress's annotations, kept from earlier renders: it depends only
 * on the Ingress object (immutable in the snapshot: an update replaces it) and the two policy
 * flags, and the controller renders every Ingress again on every change.
 */
const PARSED = new WeakMap<Ingress, { readonly policy: string; readonly parsed: ParsedAnnotations }>();

function parsedAnnotationsOf(ingress: Ingress, options: RuleOptions): ParsedAnnotations {
  const policy = `${options.annotationsRiskLevel}\0${options.allowSnippetAnnotations}`;
  const earlier = PARSED.get(ingress);
  if (earlier?.policy === policy) return earlier.parsed;
  const parsed = parseAnnotations(ingress, options);
  PARSED.set(ingress, { policy, parsed });
  return parsed;
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
    const parsed = parsedAnnotationsOf(ingress, ruleOptions);
    if (parsed.rejected) {
      const denied = parsed.findings.filter((f) => f.severity === 'deny').map((f) => `${f.path}: ${f.message}`);
      skipped.push({ ingress: key, reason: `annotations refused: ${denied.join('; ')}` });
      continue;
    }
    const result = compileIngress(ingress, cluster, parsed.values, cache, options.allowAuthUrlLoopback);
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
    if (result.settings.features.canary) {
      // ingress-nginx: "all the other non-canary annotations will be ignored (inherited from the corresponding main ingress)".
      const own = Object.keys(parsed.values).filter((k) => !k.startsWith('canary') && !result.settings.ignored.includes(k)).sort();
      if (own.length > 0) warnings.push({ ingress: key, message: `annotation ${own.join(', ')} of a canary Ingress is ignored: the main Ingress's annotations apply to the route` });
    }
  }

  const hosts = new Map<string, HostDraft>();
  const canaries: CompiledIngress[] = [];
  /** The named hosts each Ingress may serve (host ownership), for its aliases and www redirects. */
  const servedHosts = new Map<CompiledIngress, string[]>();
  for (const c of compiled) {
    // A canary serves nothing of its own: it joins main routes below, once they are all known.
    if (c.settings.features.canary) {
      canaries.push(c);
      continue;
    }
    const refusedHosts = new Map<string, string | undefined>();
    const exclusive = exclusiveLinesOf(c);
    for (const route of c.routes) {
      if (!refusedHosts.has(route.host)) {
        const refusal = hostRefusal(c.ingress, route.host, claimantsOf.get(route.host) ?? [], policy);
        // nginx takes some server settings once per host (a client CA): the older Ingress keeps them.
        const clash = refusal ? undefined : exclusiveClash(hosts.get(route.host), exclusive);
        refusedHosts.set(route.host, refusal?.ownerIngress ?? clash?.winner);
        if (refusal) conflicts.push({ winner: refusal.ownerIngress, loser: c.key, claim: `host ${route.host}, owned by namespace ${refusal.ownerNamespace}` });
        if (clash) conflicts.push({ winner: clash.winner, loser: c.key, claim: `host ${route.host || '*'}, ${clash.feature} settings (one per host)` });
        else if (route.host !== '') {
          const served = servedHosts.get(c);
          if (served) served.push(route.host);
          else servedHosts.set(c, [route.host]);
        }
        if (!refusal && !clash) {
          let draft = hosts.get(route.host);
          if (!draft) hosts.set(route.host, (draft = { routes: new Map(), exclusive: new Map() }));
          claimExclusive(draft, exclusive, c.key);
        }
      }
      if (refusedHosts.get(route.host) !== undefined) continue;
      const draft = hosts.get(route.host)!;
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
  for (const c of canaries) mergeCanary(c, hosts, { cluster, cache, claimantsOf, policy, conflicts, warnings });

  // TLS: every listed host redirects to HTTPS; the first (oldest) usable Secret serves it.
  const tlsHosts = new Set<string>();
  const certOf = new Map<string, SecretFile>();
  for (const c of compiled) {
    // ingress-nginx builds servers and certificates from main Ingresses only.
    if (c.settings.features.canary) continue;
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
    const locations: LocationModel[] = [];
    // Consecutive routes usually share one Ingress's features: their files and upstreams are added once.
    let previous: CompiledIngress['settings']['features'] | undefined;
    for (const { route, from, canary } of draft.routes.values()) {
      if (route.backend.upstream) upstreams.set(route.backend.upstream.name, route.backend.upstream);
      if (canary?.upstream) upstreams.set(canary.upstream.name, canary.upstream);
      const own = from.settings.features;
      // The route keeps the main Ingress's features; the canary adds its rules (keyed on the
      // affinity cookie when the route has one, so a session keeps its side).
      const features = canary ? { ...own, canary: { ...canary.config, ...(own.affinity ? { sticky: true } : {}) } } : own;
      if (features !== previous) {
        for (const file of secretFilesOf(features)) secretFiles.set(file.file, file);
        for (const u of featureUpstreamsOf(features)) upstreams.set(u.name, u);
        previous = features;
      }
      const ssl = features['ssl-redirect'];
      const sslRedirect = ssl?.force === true || (tls && (ssl?.sslRedirect ?? options.sslRedirect ?? true));
      // Assigned in place rather than spread: this runs per route (20,000 at 10,000 Ingresses).
      const location: { -readonly [K in keyof LocationModel]: LocationModel[K] } = {
        match: route.match,
        path: route.path,
        action: route.backend.action,
        settings: sslRedirect ? { features, sslRedirect: true } : { features },
        source: from.key,
      };
      if (canary) location.canary = { action: canary.action, source: canary.from.key };
      if (route.service !== undefined) location.service = route.service;
      locations.push(location);
    }
    locations.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.match < b.match ? -1 : a.match > b.match ? 1 : 0));
    return { host, ...(cert && host !== '' ? { certificate: cert.file } : {}), tls, locations };
  };

  const names = extraHostNames(compiled, servedHosts, claimantsOf);
  conflicts.push(...names.conflicts);
  warnings.push(...names.warnings);
  const servers = [...hosts.entries()]
    .filter(([h]) => h !== '')
    .map(([h, d]) => {
      const server = serverOf(h, d);
      const aliases = names.aliases.get(h);
      return aliases ? { ...server, aliases } : server;
    })
    .sort(byHost);
  const redirectServers = names.redirects.map(({ from, to }): RedirectServerModel => {
    const target = servers.find((s) => s.host === to);
    const cert = target?.tls ? (certOf.get(from) ?? (target.certificate ? secretFiles.get(target.certificate) : undefined)) : undefined;
    if (cert) secretFiles.set(cert.file, cert);
    return { from, to, tls: target?.tls === true, ...(cert ? { certificate: cert.file } : {}) };
  });
  const defaultServer = serverOf('', hosts.get('') ?? { routes: new Map(), exclusive: new Map() });

  let defaultBackend: ResolvedBackend | undefined;
  let defaultOwner = '';
  for (const c of compiled) {
    if (!c.defaultBackend) continue;
    if (c.settings.features.canary) {
      warnings.push({ ingress: c.key, message: 'the spec.defaultBackend of a canary Ingress is not served: Gatehouse splits the traffic of rules\' paths only' });
      continue;
    }
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
      ...(redirectServers.length > 0 ? { redirectServers } : {}),
      upstreams: [...upstreams.values()].sort(byName),
      secretFiles: [...secretFiles.values()].sort(byFile),
      defaultAction: defaultBackend?.action ?? NOT_FOUND,
    },
    owned: owned.length,
    skipped,
    rendered: compiled.map((c) => c.key),
    conflicts,
    warnings,
  };
}

interface MergeContext {
  readonly cluster: ClusterSnapshot;
  readonly cache: BackendCache;
  readonly claimantsOf: ReadonlyMap<string, Ingress[]>;
  readonly policy: HostOwnershipPolicy;
  readonly conflicts: Conflict[];
  readonly warnings: ModelWarning[];
}

/**
 * Joins a canary Ingress's routes to the main routes they split (ingress-nginx
 * mergeAlternativeBackends: same host, same path and pathType — here the same `routeKey`). A
 * route without a main Ingress is not served, as in ingress-nginx, and reported; a route that
 * already has a canary keeps the older one ("a maximum of one canary ingress can be applied per
 * Ingress rule"), the other is a conflict. The canary's Service is resolved with the main route's
 * options: ingress-nginx ignores the canary's other annotations.
 */
function mergeCanary(c: CompiledIngress, hosts: ReadonlyMap<string, HostDraft>, ctx: MergeContext): void {
  const config = c.settings.features.canary;
  if (!config) return;
  const namespace = c.ingress.metadata.namespace ?? '';
  const refusedHosts = new Map<string, boolean>();
  for (const route of c.routes) {
    if (!refusedHosts.has(route.host)) {
      const refusal = hostRefusal(c.ingress, route.host, ctx.claimantsOf.get(route.host) ?? [], ctx.policy);
      refusedHosts.set(route.host, refusal !== undefined);
      if (refusal) ctx.conflicts.push({ winner: refusal.ownerIngress, loser: c.key, claim: `host ${route.host}, owned by namespace ${refusal.ownerNamespace}` });
    }
    if (refusedHosts.get(route.host)) continue;
    const where = `host ${route.host || '*'}, ${route.match} path ${route.path}`;
    const notServed = (why: string) => ctx.warnings.push({ ingress: c.key, message: `canary for ${where} is not served: ${why}` });
    const main = hosts.get(route.host)?.routes.get(routeKey(route));
    if (!main) {
      notServed('no main (non-canary) Ingress serves that route');
      continue;
    }
    if (main.canary) {
      if (main.canary.from !== c) ctx.conflicts.push({ winner: main.canary.from.key, loser: c.key, claim: `the canary of ${where}` });
      continue;
    }
    const mainKind = main.route.backend.action.kind;
    if (mainKind !== 'proxy' && mainKind !== 'status') {
      notServed(`the main Ingress ${main.from.key} ${mainKind === 'redirect' ? 'redirects it' : 'sends it to an ExternalName Service'}`);
      continue;
    }
    const resolved = resolveBackend(ctx.cluster, namespace, route.backendRef, resolveOptionsOf(main.from.settings.features), ctx.cache);
    if (isUnrenderable(resolved)) {
      notServed(resolved.error);
      continue;
    }
    const action = resolved.action;
    if (action.kind !== 'proxy' && action.kind !== 'status') {
      notServed('its backend is an ExternalName Service, which canaries do not support');
      continue;
    }
    main.canary = { from: c, action, ...(resolved.upstream ? { upstream: resolved.upstream } : {}), config };
  }
}
