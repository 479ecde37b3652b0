// The contract of one annotation feature (model: ingress-nginx internal/ingress/annotations/<x>/
// main.go): its keys declared as data, its typed interpretation with defaults, and its share of
// nginx.conf, in one module under features/, listed in features/index.ts.
import type { ClusterSnapshot } from '../k8s/snapshot.js';
import type { MatchKind, SecretFile, UpstreamModel } from '../nginx/model.js';
import type { AnnotationEntry, UnimplementedEntry } from './entry.js';
import type { AcceptedValues, AnnotationReader } from './reader.js';

/** Where a location's directives are rendered: what a feature may need to know about it. */
export interface LocationContext {
  /** `proxy` or `grpc`: the prefix of the content handler's directives (`proxy_read_timeout`). */
  readonly pass: 'proxy' | 'grpc';
  /** The location proxies to a backend (false when it returns a status or a redirect). */
  readonly proxies: boolean;
  /**
   * Its upstream is on the endpoint channel (nginx/dynamic-upstreams.ts): whether it has
   * endpoints is known per request, not when rendering.
   */
  readonly onChannel?: boolean;
  /** `namespace/name` of the Ingress the location comes from. */
  readonly source: string;
  /** Absolute directory of the SecretFiles (`<config dir>/certs`), to name them in directives. */
  readonly secretsDir: string;
  /** How the location matches, and its path (exact/prefix: normalized; regex: the PCRE source). */
  readonly match: MatchKind;
  readonly path: string;
}

/**
 * A feature's directives in one location. Every string came out of nginx/escape.ts (through
 * AnnotationReader) or is a constant of the feature.
 */
export interface LocationDirectives {
  /**
   * Rewrite-phase directives (`set`, `if`, `return`): nginx runs them in the order written, so
   * they are rendered in registry order, before the location's action.
   */
  readonly rewrite?: readonly string[];
  /**
   * Rewrite-phase directives after the action's own `return`/`set`: a `rewrite … break` ends the
   * phase, so it must come last.
   */
  readonly rewriteLast?: readonly string[];
  /** Declarative directives (`proxy_*`, `allow`, `auth_request`, `limit_req`, ...). */
  readonly directives?: readonly string[];
}

/** A problem between annotations of one feature (a weight above its total, two keys for one thing). */
export interface CrossCheckFinding {
  /** The annotation (without prefix) it is about. */
  readonly key: string;
  readonly severity: 'deny' | 'warn';
  readonly message: string;
  /** The value is not used: removed from the accepted values. */
  readonly drop?: boolean;
}

/** What `http` and `server` hooks may know. */
export interface LevelContext {
  readonly secretsDir: string;
  /** The upstream of the controller's default backend, when it proxies to one with endpoints. */
  readonly defaultUpstream?: string;
}

/** What a feature may read besides the annotation values: the Ingress's namespace and the cluster. */
export interface ParseContext {
  readonly namespace: string;
  /** The Ingress's name, for state scoped to one Ingress (its rate-limit zones). */
  readonly name?: string;
  readonly cluster?: ClusterSnapshot;
  /**
   * Lets auth-url name a loopback address (127.0.0.0/8, ::1). Off everywhere but in tests, whose
   * auth service listens on loopback: in a cluster, loopback is the controller's own host.
   */
  readonly allowAuthUrlLoopback?: boolean;
}

/**
 * One annotation feature. `entries` are the keys it validates; `unimplemented` the keys of its
 * topic the controller refuses or ignores whatever their value. A feature whose entries say
 * `renders` has `parse`; a test proves each such key changes what `parse` returns.
 */
export interface AnnotationFeature<Id extends string = string, Config = unknown> {
  /** Kebab-case name, also the key of its config in the nginx model. */
  readonly id: Id;
  readonly entries: readonly AnnotationEntry[];
  readonly unimplemented?: readonly UnimplementedEntry[];
  /** Checks between its accepted values, run at admission and by the controller (annotations/validate.ts). */
  readonly check?: (values: AcceptedValues) => readonly CrossCheckFinding[];
  /**
   * The typed config of one Ingress, defaults applied; undefined when the feature is off.
   * Throws Unrenderable (the reader does, for a string it cannot escape) for a value that cannot
   * be served: the whole Ingress is then left out, never served without it.
   */
  readonly parse?: (read: AnnotationReader, context: ParseContext) => Config | undefined;
  /**
   * Keys of other features that `parse` reads. `parse` runs only for an Ingress that sets one of
   * the feature's own keys or of these (features/index.ts parseGateOf), and must return undefined
   * when none is set (test/annotations/features/parse-gate.test.ts holds both).
   */
  readonly parseAlsoReads?: readonly string[];
  /** Its directives in each location of the Ingress. */
  readonly location?: (config: Config, context: LocationContext) => LocationDirectives;
  /** `http`-level lines it needs (a zone, a map): one unit, rendered once however many locations ask for it. */
  readonly http?: (config: Config, context: LevelContext) => readonly string[];
  /** `server`-level lines it needs in each server the location is in (an internal location): one unit, once per server. */
  readonly server?: (config: Config, context: LevelContext) => readonly string[];
  /**
   * The `server` lines are directives nginx takes once per server (`ssl_client_certificate`):
   * Ingresses on one host whose lines differ conflict, and the later one is left out of the host
   * (nginx/build-model.ts), never merged into a weaker or broader setting.
   */
  readonly serverExclusive?: boolean;
  /**
   * Files made from Secret material its directives name (a CA bundle, a password file): written
   * 0600 under `secretsDir` by the controller, content-hash names (nginx/model.ts SecretFile).
   */
  readonly files?: (config: Config) => readonly SecretFile[];
  /** Upstreams its directives name besides the routes' own (a default backend): added to the model. */
  readonly upstreams?: (config: Config) => readonly UpstreamModel[];
}

/** Declares a feature, keeping its id and config types for the registry. */
export function defineFeature<const Id extends string, Config>(feature: AnnotationFeature<Id, Config>): AnnotationFeature<Id, Config> {
  return feature;
}
