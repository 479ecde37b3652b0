// The nginx model: plain, JSON-shaped data between the cluster snapshot and nginx.conf text.
// Every string in it has already passed src/nginx/escape.ts; render.ts only arranges it.

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
  /** Cookie affinity: requests carrying this cookie stick to one endpoint (hash on the cookie). */
  readonly affinityCookie?: string;
}

/** Where a location sends its requests. */
export type Action =
  | { readonly kind: 'proxy'; readonly upstream: string; readonly protocol: BackendProtocol }
  /** ExternalName Service: proxied by DNS name at request time. */
  | { readonly kind: 'external'; readonly host: string; readonly port: number; readonly protocol: BackendProtocol }
  | { readonly kind: 'status'; readonly code: number }
  | { readonly kind: 'redirect'; readonly code: 301 | 302 | 303 | 307 | 308; readonly url: string };

/** Accepted annotation values that change a location, all already escaped. */
export interface LocationSettings {
  readonly rewriteTarget?: string;
  readonly appRoot?: string;
  /** Redirect plain-HTTP requests to HTTPS (ssl-redirect on a TLS host, or force-ssl-redirect). */
  readonly sslRedirect?: boolean;
  /** nginx size, e.g. `8m`. */
  readonly proxyBodySize?: string;
  /** nginx durations in seconds. */
  readonly proxyConnectTimeout?: number;
  readonly proxySendTimeout?: number;
  readonly proxyReadTimeout?: number;
  /** CIDRs allowed; everything else gets 403. */
  readonly allowSourceRanges?: readonly string[];
  readonly cors?: CorsSettings;
  /** Cookie affinity: the cookie set on first requests (the upstream hashes on it). */
  readonly sessionCookie?: SessionCookie;
}

export interface SessionCookie {
  readonly name: string;
  readonly path: string;
  readonly maxAge?: number;
  readonly sameSite?: string;
  readonly secure: boolean;
}

export interface CorsSettings {
  /** `*`, or origins (`https://a.com`, `https://*.b.com`); the request's Origin is echoed if listed. */
  readonly allowOrigins: readonly string[];
  readonly allowMethods: string;
  readonly allowHeaders: string;
  readonly allowCredentials: boolean;
  readonly exposeHeaders?: string;
  readonly maxAge: number;
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
}

/** A TLS certificate + key, written by apply.ts under the config dir as `certs/<file>`. */
export interface CertificateFile {
  /** `<sha256 of the content, 32 hex>.pem`. */
  readonly file: string;
  /** PEM: private key then certificate chain. Secret material: never log. */
  readonly pem: string;
}

/** One nginx `server` for one host (every Ingress naming the host merges into it). */
export interface ServerModel {
  /** Lowercase DNS name or `*.` wildcard matching exactly one extra label; '' = catch-all. */
  readonly host: string;
  /** Certificate file name (see CertificateFile); absent = the fallback certificate. */
  readonly certificate?: string;
  /** Whether the host is listed in some `spec.tls` (drives the default HTTPS redirect). */
  readonly tls: boolean;
  /** Locations sorted for rendering; see render.ts for nginx order. */
  readonly locations: readonly LocationModel[];
}

/** The complete model. Arrays are in deterministic order. */
export interface NginxModel {
  /** Named hosts, sorted by host. */
  readonly servers: readonly ServerModel[];
  /** The catch-all server (host ''): rules without a host, then `defaultAction`. */
  readonly defaultServer: ServerModel;
  readonly upstreams: readonly UpstreamModel[];
  readonly certificates: readonly CertificateFile[];
  /** What requests no server/location matches get. */
  readonly defaultAction: Action;
}
