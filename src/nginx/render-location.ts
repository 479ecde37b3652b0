// Location bodies: annotation settings and the action. Every value here came out of
// escape.ts; this file only quotes and arranges. Order matters: `set`/`if`/`return`/`rewrite`
// run in the rewrite phase in the order written, before the access phase (`allow`/`deny`).
import { corsOriginRegex } from '../annotations/entries/cors.js';
import { quoted, regexLiteral } from './escape.js';
import type { Action, CorsSettings, LocationModel, SessionCookie, UpstreamModel } from './model.js';

export interface LocationContext {
  readonly upstreams: ReadonlyMap<string, UpstreamModel>;
  /** `:8443` when HTTPS is not on 443, for the HTTP→HTTPS redirect. */
  readonly httpsPortSuffix: string;
}

const PASS_SCHEME = { HTTP: ['proxy_pass', 'http'], HTTPS: ['proxy_pass', 'https'], GRPC: ['grpc_pass', 'grpc'], GRPCS: ['grpc_pass', 'grpcs'] } as const;

/**
 * An action split by nginx phase: `return`/`set` run in the rewrite phase (in the order written,
 * and not at all after `rewrite … break`), `proxy_pass`/`grpc_pass` are the content handler.
 */
interface ActionParts {
  readonly rewritePhase: readonly string[];
  readonly content: readonly string[];
}

function actionParts(action: Action, ctx: LocationContext): ActionParts {
  switch (action.kind) {
    case 'status':
      return { rewritePhase: [`return ${action.code};`], content: [] };
    case 'redirect':
      return { rewritePhase: [`return ${action.code} ${quoted(action.url)};`], content: [] };
    case 'external': {
      // A variable makes nginx resolve the name per request (with `resolver`), so a name that
      // does not resolve cannot fail `nginx -t` for the whole configuration.
      const [directive, scheme] = PASS_SCHEME[action.protocol];
      // SNI for an HTTPS name: certificates of external services are issued for their name.
      const sni = scheme === 'https' || scheme === 'grpcs' ? [`${directive === 'grpc_pass' ? 'grpc' : 'proxy'}_ssl_server_name on;`] : [];
      return { rewritePhase: [`set $gh_external ${quoted(`${action.host}:${action.port}`)};`], content: [...sni, `${directive} ${scheme}://$gh_external;`] };
    }
    case 'proxy': {
      const upstream = ctx.upstreams.get(action.upstream);
      // An `upstream {}` without servers fails `nginx -t`: a Service with no ready endpoint
      // answers 503 instead, as ingress-nginx does.
      if (!upstream || upstream.endpoints.length === 0) return { rewritePhase: ['return 503;'], content: [] };
      const [directive, scheme] = PASS_SCHEME[action.protocol];
      return { rewritePhase: [], content: [`${directive} ${scheme}://${upstream.name};`] };
    }
  }
}

function corsLines(cors: CorsSettings): string[] {
  const lines: string[] = [];
  if (cors.allowOrigins.length === 1) {
    lines.push(`set $gh_cors_origin ${quoted(cors.allowOrigins[0]!)};`);
  } else {
    // The catalog refused lists whose regex is too long for nginx (annotations/entries/cors.ts).
    lines.push('set $gh_cors_origin "";', `if ($http_origin ~* ${quoted(corsOriginRegex(cors.allowOrigins))}) {`, '    set $gh_cors_origin $http_origin;', '}');
  }
  const headers = [
    `add_header Access-Control-Allow-Origin $gh_cors_origin always;`,
    `add_header Access-Control-Allow-Methods ${quoted(cors.allowMethods)} always;`,
    `add_header Access-Control-Allow-Headers ${quoted(cors.allowHeaders)} always;`,
    ...(cors.allowCredentials ? ['add_header Access-Control-Allow-Credentials "true" always;'] : []),
    ...(cors.exposeHeaders ? [`add_header Access-Control-Expose-Headers ${quoted(cors.exposeHeaders)} always;`] : []),
  ];
  // Preflight answered here, without the backend (as ingress-nginx does).
  lines.push(
    'if ($request_method = OPTIONS) {',
    ...headers.map((h) => `    ${h}`),
    `    add_header Access-Control-Max-Age ${cors.maxAge};`,
    '    add_header Content-Type "text/plain; charset=utf-8";',
    '    add_header Content-Length 0;',
    '    return 204;',
    '}',
    ...headers,
  );
  return lines;
}

/**
 * The upstream hashes on $gh_affinity. A first request gets a fresh id, both as a cookie and as
 * the hash key right away, so it lands where the requests carrying the cookie will. An empty
 * add_header value sends no header, so returning clients get no Set-Cookie.
 */
function affinityLines(c: SessionCookie): string[] {
  const attributes = [
    `Path=${c.path}`,
    ...(c.maxAge !== undefined ? [`Max-Age=${c.maxAge}`] : []),
    ...(c.sameSite ? [`SameSite=${c.sameSite}`] : []),
    ...(c.secure ? ['Secure'] : []),
    'HttpOnly',
  ];
  return [
    `set $gh_affinity $cookie_${c.name};`,
    'set $gh_set_cookie "";',
    'if ($gh_affinity = "") {',
    '    set $gh_affinity $request_id;',
    `    set $gh_set_cookie ${quoted(`${c.name}=$request_id; ${attributes.join('; ')}`)};`,
    '}',
    'add_header Set-Cookie $gh_set_cookie;',
  ];
}

/** The regex `rewrite` matches: the location's own pattern, so `$1`.. are its capture groups. */
function rewritePattern(loc: LocationModel): string {
  return loc.match === 'regex' ? `(?i)^${loc.path}` : `^${regexLiteral(loc.path)}`;
}

/** Lines inside `location … { }` (unindented). */
export function locationBody(loc: LocationModel, ctx: LocationContext): string[] {
  const s = loc.settings;
  const lines: string[] = [`# ${loc.source}`];
  if (s.sslRedirect) lines.push('if ($scheme = http) {', `    return 308 https://$host${ctx.httpsPortSuffix}$request_uri;`, '}');
  if (s.appRoot) lines.push('if ($uri = /) {', `    return 302 ${quoted(s.appRoot)};`, '}');
  if (s.cors) lines.push(...corsLines(s.cors));
  if (s.sessionCookie) lines.push(...affinityLines(s.sessionCookie));
  const action = actionParts(loc.action, ctx);
  lines.push(...action.rewritePhase);
  // Last in the rewrite phase: `break` stops the rewrite directives after it.
  if (s.rewriteTarget !== undefined && action.content.length > 0) {
    lines.push(`rewrite ${quoted(rewritePattern(loc))} ${quoted(s.rewriteTarget)} break;`);
  }
  if (s.allowSourceRanges) lines.push(...s.allowSourceRanges.map((c) => `allow ${c};`), 'deny all;');
  if (s.proxyBodySize !== undefined) lines.push(`client_max_body_size ${s.proxyBodySize};`);
  const grpc = (loc.action.kind === 'proxy' || loc.action.kind === 'external') && loc.action.protocol.startsWith('GRPC');
  const prefix = grpc ? 'grpc' : 'proxy';
  if (s.proxyConnectTimeout !== undefined) lines.push(`${prefix}_connect_timeout ${s.proxyConnectTimeout}s;`);
  if (s.proxySendTimeout !== undefined) lines.push(`${prefix}_send_timeout ${s.proxySendTimeout}s;`);
  if (s.proxyReadTimeout !== undefined) lines.push(`${prefix}_read_timeout ${s.proxyReadTimeout}s;`);
  lines.push(...action.content);
  return lines;
}

/** Body of a location that only performs an action (fallbacks). */
export function actionBody(action: Action, ctx: LocationContext): string[] {
  const parts = actionParts(action, ctx);
  return [...parts.rewritePhase, ...parts.content];
}
