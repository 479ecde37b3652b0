// The nginx model: plain, JSON-shaped data between the cluster snapshot and nginx.conf text.
// Every string in it has already passed src/nginx/escape.ts; render.ts only arranges it.
import type { FeatureConfigs } from '../annotations/features/index.js';

import type { RouteMatch } from '../k8s/ingress-route.js';

/** How a location matches, in Ingress terms (render.ts turns these into nginx locations). */
export type MatchKind = RouteMatch;

/** Protocol nginx speaks to the backend (`backend-protocol` annotation). */
export type BackendProtocol = 'HTTP' | 'HTTPS' | 'GRPC' | 'GRPCS';

/** One address nginx can connect to. `host` is an IPv4/IPv6 address or a DNS name. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** An `upstream` block. Empty `endpoints` is valid model data: render answers 503 instead. */
export interface UpstreamModel {
  /** nginx identifier, unique, `[a-z0-9_-]` only. */
  readonly name: string;
  /** Ready endpoints, sorted and de-duplicated. */
  readonly endpoints: readonly Endpoint[];
  /** How requests are spread over the endpoints; absent = round robin. */
  readonly balance?: UpstreamBalance;
}

/**
 * Balancing other than round robin, from the Ingress's annotations (annotations/features/
 * affinity.ts, load-balance.ts). Upstreams differ by name when their balancing differs.
 */
export type UpstreamBalance =
  /**
   * Cookie affinity: requests carrying the cookie stick to one endpoint. Balanced: consistent
   * hash on $gh_affinity. Persistent: the cookie names the endpoint (render.ts maps it back).
   */
  | { readonly kind: 'cookie'; readonly cookie: string; readonly persistent?: boolean }
  /** upstream-hash-by: consistent hash on an escaped key of request variables (nginx/hash-key.ts). */
  | { readonly kind: 'hash'; readonly key: string }
  /** load-balance ewma, approximated: the endpoint with the fewest active connections. */
  | { readonly kind: 'least-conn' };

/** Where a location sends its requests. */
export type Action =
  | { readonly kind: 'proxy'; readonly upstream: string; readonly protocol: BackendProtocol }
  /** ExternalName Service: proxied by DNS name at request time. */
  | { readonly kind: 'external'; readonly host: string; readonly port: number; readonly protocol: BackendProtocol }
  | { readonly kind: 'status'; readonly code: number }
  | { readonly kind: 'redirect'; readonly code: 301 | 302 | 303 | 307 | 308; readonly url: string };

/** What changes a location besides its action: the annotation features' configs (already escaped). */
export interface LocationSettings {
  /** Redirect plain-HTTP requests to HTTPS (ssl-redirect on a TLS host, or force-ssl-redirect). */
  readonly sslRedirect?: boolean;
  /** Each feature's config, by feature id (annotations/features/). */
  readonly features: FeatureConfigs;
}

/** A location of a host, in Ingress terms, with the Ingress that won it. */
export interface LocationModel {
  readonly match: MatchKind;
  /** Exact/prefix: a normalized path (prefix without trailing slash). Regex: the PCRE source. */
  readonly path: string;
  readonly action: Action;
  readonly settings: LocationSettings;
  /** `namespace/name` of the Ingress this location came from (rendered as a comment). */
  readonly source: string;
  /** Name of the backend Service (escaped), for log and metric labels; absent for resource backends. */
  readonly service?: string;
  /**
   * A canary Ingress for the same route (annotations/features/canary.ts): requests for which
   * `settings.features.canary` sets `$gh_canary` get this action instead of `action`.
   */
  readonly canary?: CanaryModel;
}

/** The canary half of a route: its backend, resolved with the main route's options. */
export interface CanaryModel {
  /** `proxy` to the canary's upstream, or the status its missing Service answers. */
  readonly action: Extract<Action, { readonly kind: 'proxy' | 'status' }>;
  /** `namespace/name` of the canary Ingress (rendered as a comment). */
  readonly source: string;
}

/**
 * A file made from Secret material (a TLS key + chain, a CA bundle, a password file), written by
 * apply.ts 0600 under the config dir as `certs/<file>` and removed when no longer named. Content-
 * hash names: a Secret's name never reaches nginx.conf, and a changed Secret is a new file.
 */
export interface SecretFile {
  /** `<sha256 of the content, 32 hex>.<ext>` (`.pem` for PEM, `.htpasswd` for passwords). */
  readonly file: string;
  /** Secret material: never log. */
  readonly content: string;
}

/** One nginx `server` for one host (every Ingress naming the host merges into it). */
export interface ServerModel {
  /** Lowercase DNS name or `*.` wildcard matching exactly one extra label; '' = catch-all. */
  readonly host: string;
  /** Certificate file name (a SecretFile); absent = the fallback certificate. */
  readonly certificate?: string;
  /** Whether the host is listed in some `spec.tls` (drives the default HTTPS redirect). */
  readonly tls: boolean;
  /** Locations sorted for rendering; see render.ts for nginx order. */
  readonly locations: readonly LocationModel[];
  /** More names of this server (server-alias), lowercase DNS names no Ingress has as a host. */
  readonly aliases?: readonly string[];
}

/** A server answering every request for `from` with a 308 to the same URI on `to` (from-to-www-redirect). */
export interface RedirectServerModel {
  readonly from: string;
  readonly to: string;
  /** Whether it listens for TLS too (when `to` does), and with which certificate (a SecretFile). */
  readonly tls: boolean;
  readonly certificate?: string;
}

/** The complete model. Arrays are in deterministic order. */
export interface NginxModel {
  /** Named hosts, sorted by host. */
  readonly servers: readonly ServerModel[];
  /** The catch-all server (host ''): rules without a host, then `defaultAction`. */
  readonly defaultServer: ServerModel;
  /** www redirect servers, sorted by `from`. */
  readonly redirectServers?: readonly RedirectServerModel[];
  readonly upstreams: readonly UpstreamModel[];
  readonly secretFiles: readonly SecretFile[];
  /** What requests no server/location matches get. */
  readonly defaultAction: Action;
}
