// The annotation features, in one explicit list (no discovery): the catalog, the webhook and the
// controller all read them from here. The order is nginx's: features' rewrite-phase directives run
// in the order written, so they are rendered in this order.
import type { SecretFile, UpstreamModel } from '../../nginx/model.js';
import type { AnnotationFeature, LevelContext, LocationContext, LocationDirectives, ParseContext } from '../feature.js';
import type { AnnotationReader } from '../reader.js';
import { accessFeature } from './access.js';
import { accessLogFeature } from './access-log.js';
import { affinityFeature } from './affinity.js';
import { authFeature } from './auth.js';
import { basicAuthFeature } from './basic-auth.js';
import { backendProtocolFeature } from './backend-protocol.js';
import { backendTlsFeature } from './backend-tls.js';
import { canaryFeature } from './canary.js';
import { clientCertificateFeature } from './client-certificate.js';
import { corsFeature } from './cors.js';
import { customErrorsFeature } from './custom-errors.js';
import { externalAuthFeature } from './external-auth.js';
import { modsecurityFeature } from './modsecurity.js';
import { observabilityFeature } from './observability.js';
import { loadBalanceFeature } from './load-balance.js';
import { proxyFeature } from './proxy.js';
import { rateLimitFeature } from './rate-limit.js';
import { redirectFeature } from './redirect.js';
import { rewriteFeature } from './rewrite.js';
import { routingFeature } from './routing.js';
import { serviceUpstreamFeature } from './service-upstream.js';
import { snippetsFeature } from './snippets.js';
import { sslRedirectFeature } from './ssl-redirect.js';
import { customHeadersFeature } from './custom-headers.js';
import { hostNamesFeature } from './host-names.js';
import { proxyBufferingFeature } from './proxy-buffering.js';
import { proxyRetriesFeature } from './proxy-retries.js';
import { responseRewritesFeature } from './response-rewrites.js';
import { upstreamHeadersFeature } from './upstream-headers.js';

export const FEATURES = [
  // First: its `set` must run before any feature's `return`.
  accessLogFeature,
  sslRedirectFeature,
  // First of the rewrite-phase checks: a request without the client certificate gets no other answer.
  clientCertificateFeature,
  backendProtocolFeature,
  serviceUpstreamFeature,
  redirectFeature,
  rewriteFeature,
  corsFeature,
  affinityFeature,
  loadBalanceFeature,
  accessFeature,
  proxyFeature,
  canaryFeature,
  authFeature,
  externalAuthFeature,
  basicAuthFeature,
  rateLimitFeature,
  backendTlsFeature,
  modsecurityFeature,
  snippetsFeature,
  routingFeature,
  customErrorsFeature,
  observabilityFeature,
  upstreamHeadersFeature,
  responseRewritesFeature,
  proxyBufferingFeature,
  proxyRetriesFeature,
  hostNamesFeature,
  customHeadersFeature,
] as const;

type Feature = (typeof FEATURES)[number];
type ConfigOf<F> = F extends AnnotationFeature<string, infer C> ? C : never;

/** The typed config of each feature that is on for an Ingress, by feature id (plain JSON data). */
export type FeatureConfigs = {
  readonly [F in Feature as unknown extends ConfigOf<F> ? never : F['id']]?: ConfigOf<F>;
};

/** A feature's hooks with its config type erased: FEATURES is heterogeneous, each entry of FeatureConfigs is its own feature's config. */
type ErasedFeature = AnnotationFeature<string, unknown>;
const ERASED = FEATURES as unknown as readonly ErasedFeature[];

function configOf(configs: FeatureConfigs, id: string): unknown {
  return (configs as Readonly<Record<string, unknown>>)[id];
}

/**
 * The features with each hook, in registry order: these run per Ingress and per location (20,000
 * locations at 10,000 Ingresses), and most features have only some hooks.
 */
const WITH = {
  parse: ERASED.filter((f) => f.parse),
  check: ERASED.filter((f) => f.check),
  location: ERASED.filter((f) => f.location),
  http: ERASED.filter((f) => f.http),
  server: ERASED.filter((f) => f.server),
  exclusive: ERASED.filter((f) => f.serverExclusive && f.server),
  files: ERASED.filter((f) => f.files),
  upstreams: ERASED.filter((f) => f.upstreams),
} as const;

/** The features that check combinations of their values (annotations/validate.ts). */
export const CHECKING_FEATURES: readonly ErasedFeature[] = WITH.check;

/** The keys whose presence turns a feature's `parse` on: its own (validated or not), and those it reads of others. */
export function parseGateOf(feature: Pick<ErasedFeature, 'entries' | 'unimplemented' | 'parseAlsoReads'>): ReadonlySet<string> {
  return new Set([...feature.entries.map((e) => e.key), ...(feature.unimplemented ?? []).map((e) => e.key), ...(feature.parseAlsoReads ?? [])]);
}

/** Key → the features whose parse it turns on. */
const PARSERS_OF_KEY: ReadonlyMap<string, readonly ErasedFeature[]> = (() => {
  const index = new Map<string, ErasedFeature[]>();
  for (const f of WITH.parse) {
    for (const key of parseGateOf(f)) {
      let list = index.get(key);
      if (!list) index.set(key, (list = []));
      list.push(f);
    }
  }
  return index;
})();

/**
 * Each feature's config for one Ingress; throws Unrenderable (see AnnotationFeature.parse). Only
 * the features whose keys the Ingress sets are parsed: most Ingresses set a few annotations, and
 * parsing all ~30 features for each was a fifth of a render at 10,000 Ingresses.
 */
export function featureConfigsOf(read: AnnotationReader, context: ParseContext): FeatureConfigs {
  const configs: Record<string, unknown> = {};
  const on = new Set<ErasedFeature>();
  for (const key of read.keys()) for (const f of PARSERS_OF_KEY.get(key) ?? []) on.add(f);
  if (on.size === 0) return configs as FeatureConfigs;
  for (const f of WITH.parse) {
    if (!on.has(f)) continue;
    const config = f.parse!(read, context);
    if (config !== undefined) configs[f.id] = config;
  }
  return configs as FeatureConfigs;
}

/** Every feature's directives for one location, merged by phase in registry order. */
export function locationDirectivesOf(configs: FeatureConfigs, context: LocationContext): Required<LocationDirectives> {
  const rewrite: string[] = [];
  const rewriteLast: string[] = [];
  const directives: string[] = [];
  for (const f of locationFeaturesOf(configs)) {
    const d = f.location!(configOf(configs, f.id), context);
    if (d.rewrite) rewrite.push(...d.rewrite);
    if (d.rewriteLast) rewriteLast.push(...d.rewriteLast);
    if (d.directives) directives.push(...d.directives);
  }
  return { rewrite, rewriteLast, directives };
}

/** The last configs asked about, and their features with a `location` hook: consecutive locations usually share one Ingress's configs. */
let lastLocationConfigs: FeatureConfigs | undefined;
let lastLocationFeatures: readonly ErasedFeature[] = [];

function locationFeaturesOf(configs: FeatureConfigs): readonly ErasedFeature[] {
  if (configs !== lastLocationConfigs) {
    lastLocationFeatures = WITH.location.filter((f) => configOf(configs, f.id) !== undefined);
    lastLocationConfigs = configs;
  }
  return lastLocationFeatures;
}

/**
 * What the features of these configs need at one level (`http` or `server`): each hook's lines
 * are one unit (a zone, an internal location block), rendered once however many locations ask
 * for it, in first-seen order.
 */
export function levelLinesOf(level: 'http' | 'server', all: Iterable<FeatureConfigs>, context: LevelContext): string[] {
  const hooked = WITH[level];
  if (hooked.length === 0) return [];
  let units: Map<string, readonly string[]> | undefined;
  let previous: FeatureConfigs | undefined;
  for (const configs of all) {
    // Consecutive locations usually come from one Ingress (one configs object); a repeat further
    // on only finds its units already there.
    if (configs === previous) continue;
    previous = configs;
    for (const f of hooked) {
      const config = configOf(configs, f.id);
      if (config === undefined) continue;
      const lines = f[level]!(config, context);
      if (lines.length > 0) (units ??= new Map()).set(lines.join('\n'), lines);
    }
  }
  return units ? [...units.values()].flat() : [];
}

/** The SecretFiles the features of one Ingress's configs need written. */
export function secretFilesOf(configs: FeatureConfigs): SecretFile[] {
  const files: SecretFile[] = [];
  for (const f of WITH.files) {
    const config = configOf(configs, f.id);
    if (config !== undefined) files.push(...f.files!(config));
  }
  return files;
}

/** The upstreams the features of one Ingress's configs name besides its routes' own. */
export function featureUpstreamsOf(configs: FeatureConfigs): UpstreamModel[] {
  const upstreams: UpstreamModel[] = [];
  for (const f of WITH.upstreams) {
    const config = configOf(configs, f.id);
    if (config !== undefined) upstreams.push(...f.upstreams!(config));
  }
  return upstreams;
}

/**
 * The `server` lines of each server-exclusive feature on for one Ingress, by feature id: two
 * Ingresses on one host must agree on them (nginx/build-model.ts leaves the later one out).
 */
export function exclusiveServerLinesOf(configs: FeatureConfigs, context: LevelContext): ReadonlyMap<string, string> {
  let claims: Map<string, string> | undefined;
  for (const f of WITH.exclusive) {
    const config = configOf(configs, f.id);
    if (config === undefined) continue;
    const lines = f.server!(config, context);
    if (lines.length > 0) (claims ??= new Map()).set(f.id, lines.join('\n'));
  }
  return claims ?? NO_CLAIMS;
}

const NO_CLAIMS: ReadonlyMap<string, string> = new Map();
