import { controllerSupport } from '../annotations/catalog.js';
import { escapeFor, type EscapeContext } from './escape.js';
import type { Action, BackendProtocol, CorsSettings, LocationSettings, SessionCookie } from './model.js';

/**
 * Annotation values the catalog accepted, decoded and keyed without the
 * `nginx.ingress.kubernetes.io/` prefix (`{ 'proxy-body-size': '8m', 'use-regex': true }`).
 * Only accepted values ever get here: an annotation the catalog refuses is never rendered.
 */
export type AnnotationValues = Readonly<Record<string, unknown>>;

/** What the annotations of one Ingress mean for each of its locations. */
export interface IngressSettings {
  /** Prefix/ImplementationSpecific paths are regexes (use-regex, or rewrite-target). */
  readonly regex: boolean;
  readonly protocol: BackendProtocol;
  /** Cookie affinity: the cookie's name (its upstream hashes on it). */
  readonly affinityCookie?: string;
  /** service-upstream: proxy to the Service's ClusterIP, not its endpoints. */
  readonly serviceUpstream?: boolean;
  /** permanent-/temporal-redirect: replaces proxying. */
  readonly redirect?: Action;
  /** ssl-redirect as written (undefined = default: on for TLS hosts). */
  readonly sslRedirect?: boolean;
  readonly forceSslRedirect: boolean;
  readonly location: LocationSettings;
  /** Accepted annotations the catalog says the controller ignores (for warnings). */
  readonly ignored: readonly string[];
}

const PROTOCOLS: readonly BackendProtocol[] = ['HTTP', 'HTTPS', 'GRPC', 'GRPCS'];
/** ingress-nginx's CORS defaults. https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#enable-cors */
const CORS_DEFAULTS = {
  methods: 'GET, PUT, POST, DELETE, PATCH, OPTIONS',
  headers: 'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization',
  maxAge: 1728000,
};

class Unrenderable extends Error {}

/** Reads one value, passing every string through escapeFor; a refusal aborts the Ingress. */
class Reader {
  constructor(private readonly values: AnnotationValues) {}
  bool(key: string): boolean | undefined {
    const v = this.values[key];
    return typeof v === 'boolean' ? v : undefined;
  }
  int(key: string): number | undefined {
    const v = this.values[key];
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
  }
  str(key: string, context: EscapeContext): string | undefined {
    const v = this.values[key];
    if (v === undefined) return undefined;
    const escaped = typeof v === 'string' ? escapeFor(context, v) : undefined;
    if (escaped === undefined) throw new Unrenderable(`annotation ${key} cannot be rendered safely`);
    return escaped;
  }
  list(key: string, context: EscapeContext): string[] | undefined {
    const v = this.values[key];
    if (v === undefined) return undefined;
    const items = Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? escapeFor(context, x) : undefined)) : [undefined];
    if (items.some((x) => x === undefined)) throw new Unrenderable(`annotation ${key} cannot be rendered safely`);
    return items as string[];
  }
}

function corsOf(r: Reader): CorsSettings | undefined {
  if (r.bool('enable-cors') !== true) return undefined;
  const origins = r.list('cors-allow-origin', 'header') ?? ['*'];
  const expose = r.list('cors-expose-headers', 'header');
  return {
    allowOrigins: origins.includes('*') ? ['*'] : [...origins].sort(),
    allowMethods: r.list('cors-allow-methods', 'header')?.join(', ') ?? CORS_DEFAULTS.methods,
    allowHeaders: r.list('cors-allow-headers', 'header')?.join(',') ?? CORS_DEFAULTS.headers,
    allowCredentials: r.bool('cors-allow-credentials') ?? true,
    ...(expose ? { exposeHeaders: expose.join(',') } : {}),
    maxAge: r.int('cors-max-age') ?? CORS_DEFAULTS.maxAge,
  };
}

type RedirectCode = Extract<Action, { kind: 'redirect' }>['code'];

/** The catalog's enums: 302, 303 or 307 for temporal-redirect-code; 301 or 308 for permanent. */
function codeOf<C extends RedirectCode>(r: Reader, key: string, allowed: readonly C[], fallback: C): C {
  const wanted = r.int(key);
  return allowed.find((c) => c === wanted) ?? fallback;
}

/**
 * temporal-redirect first, then permanent-redirect, as ingress-nginx orders them
 * (internal/ingress/annotations/redirect/redirect.go: "the execution order is temporal and then
 * permanent"); each with its own code, 302 and 301 by default.
 */
function redirectOf(r: Reader): Action | undefined {
  const temporal = r.str('temporal-redirect', 'url');
  if (temporal !== undefined) return { kind: 'redirect', code: codeOf(r, 'temporal-redirect-code', [302, 303, 307], 302), url: temporal };
  const permanent = r.str('permanent-redirect', 'url');
  if (permanent !== undefined) return { kind: 'redirect', code: codeOf(r, 'permanent-redirect-code', [301, 308], 301), url: permanent };
  return undefined;
}

function timeout(r: Reader, key: string): number | undefined {
  const v = r.int(key);
  return v !== undefined && v > 0 ? v : undefined;
}

function sessionCookieOf(r: Reader, name: string): SessionCookie {
  const path = r.str('session-cookie-path', 'path');
  const maxAge = r.int('session-cookie-max-age') ?? r.int('session-cookie-expires');
  const sameSite = r.str('session-cookie-samesite', 'cookie');
  return {
    name,
    path: path ?? '/',
    ...(maxAge !== undefined ? { maxAge } : {}),
    ...(sameSite !== undefined ? { sameSite } : {}),
    secure: r.bool('session-cookie-secure') === true,
  };
}

/**
 * Interprets accepted annotation values; `{ error }` names the first value that cannot be rendered.
 * A value whose catalog entry does not say `renders` or `ignores` (a refused annotation, or a key
 * the catalog does not know) makes the whole Ingress unrenderable: it is never dropped silently.
 */
export function ingressSettingsOf(values: AnnotationValues): IngressSettings | { readonly error: string } {
  const keys = Object.keys(values).sort();
  const notRendered = keys.filter((k) => {
    const controller = controllerSupport(k)?.controller;
    return controller !== 'renders' && controller !== 'ignores';
  });
  if (notRendered.length > 0) return { error: `the controller does not implement annotation ${notRendered.join(', ')}` };
  const r = new Reader(values);
  try {
    const rewriteTarget = r.str('rewrite-target', 'rewrite');
    const protocolValue = values['backend-protocol'];
    const protocol = PROTOCOLS.find((p) => p === protocolValue) ?? 'HTTP';
    const cookie = values['affinity'] === 'cookie' ? (r.str('session-cookie-name', 'cookie') ?? 'INGRESSCOOKIE') : undefined;
    const ranges = r.list('allowlist-source-range', 'cidr') ?? r.list('whitelist-source-range', 'cidr');
    const cors = corsOf(r);
    const redirect = redirectOf(r);
    const bodySize = r.str('proxy-body-size', 'size');
    const appRoot = r.str('app-root', 'path');
    const connect = timeout(r, 'proxy-connect-timeout');
    const send = timeout(r, 'proxy-send-timeout');
    const read = timeout(r, 'proxy-read-timeout');
    const sslRedirect = r.bool('ssl-redirect');
    const location: LocationSettings = {
      ...(rewriteTarget !== undefined ? { rewriteTarget } : {}),
      ...(appRoot !== undefined ? { appRoot } : {}),
      ...(bodySize !== undefined ? { proxyBodySize: bodySize } : {}),
      ...(connect !== undefined ? { proxyConnectTimeout: connect } : {}),
      ...(send !== undefined ? { proxySendTimeout: send } : {}),
      ...(read !== undefined ? { proxyReadTimeout: read } : {}),
      ...(ranges !== undefined ? { allowSourceRanges: [...ranges].sort() } : {}),
      ...(cors ? { cors } : {}),
      ...(cookie ? { sessionCookie: sessionCookieOf(r, cookie) } : {}),
    };
    return {
      regex: r.bool('use-regex') === true || rewriteTarget !== undefined,
      protocol,
      ...(cookie ? { affinityCookie: cookie } : {}),
      ...(r.bool('service-upstream') === true ? { serviceUpstream: true } : {}),
      ...(redirect ? { redirect } : {}),
      ...(sslRedirect !== undefined ? { sslRedirect } : {}),
      forceSslRedirect: r.bool('force-ssl-redirect') === true,
      location,
      ignored: keys.filter((k) => controllerSupport(k)?.controller === 'ignores'),
    };
  } catch (err) {
    if (err instanceof Unrenderable) return { error: err.message };
    throw err;
  }
}
