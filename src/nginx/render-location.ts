// Location bodies: the annotation features' directives (annotations/features/) and the action.
// Every value here came out of escape.ts; this file only quotes and arranges. Order matters:
// `set`/`if`/`return`/`rewrite` run in the rewrite phase in the order written, before the access
// phase (`allow`/`deny`, `auth_request`).
import type { LocationContext as FeatureLocationContext } from '../annotations/feature.js';
import { locationDirectivesOf } from '../annotations/features/index.js';
import { URI_WITHOUT_TRAILING_SLASH } from '../annotations/features/ssl-redirect.js';
import { HSTS_HEADER_LINE } from '../configmap/render-global.js';
import { labelLines } from './access-log.js';
import { quoted } from './escape.js';
import type { Action, CanaryModel, LocationModel, UpstreamModel } from './model.js';
import { CHECK_ENDPOINTS_LINE } from './dynamic-upstreams.js';
import { dynamicPersistentPass, persistentCookie, persistentPass } from './persistent-affinity.js';
import { inheritedHeaders, type HttpLevelHeaders } from './proxy-headers.js';

export interface LocationContext {
  readonly upstreams: ReadonlyMap<string, UpstreamModel>;
  /** Upstreams whose endpoints come through the Lua channel: proxied even when empty (its 503). */
  readonly dynamic?: ReadonlySet<string>;
  /** `:8443` when HTTPS is not on 443, for the HTTP→HTTPS redirect. */
  readonly httpsPortSuffix: string;
  /** Absolute directory of the SecretFiles. */
  readonly secretsDir: string;
  /** The upstream of the default backend (`defaultAction`), when it proxies to one with endpoints. */
  readonly defaultUpstream?: string;
  /** The ConfigMap turned HSTS on: locations that add headers repeat the http-level header. */
  readonly hsts?: boolean;
  /** Set the Ingress's labels for the access and traffic logs (access-log.ts). */
  readonly logLabels?: boolean;
  /** The scheme the client used: `$scheme`, or a trusted load balancer's X-Forwarded-Proto (client-ip.ts). */
  readonly clientScheme?: string;
  /** The http level's request headers as rendered (client-ip.ts decides the X-Forwarded-* values). */
  readonly httpHeaders?: HttpLevelHeaders;
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

/**
 * `checkEmpty`: on the endpoint channel, answer a request for an empty upstream in the rewrite
 * phase (a 503 nginx generates, which every `error_page` sees, as `return 503` does) rather than
 * from the placeholder upstream; needed where the placeholder cannot answer (TLS, gRPC) or where
 * custom error pages must see the 503 (annotations/features/custom-errors.ts).
 */
function actionParts(action: Action, ctx: LocationContext, featureDirectives: readonly string[] = [], checkEmpty = false): ActionParts {
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
      // Unless proxy-ssl-server-name (features/backend-tls.ts) says otherwise: nginx takes it once.
      const sniDirective = `${directive === 'grpc_pass' ? 'grpc' : 'proxy'}_ssl_server_name`;
      const own = featureDirectives.some((d) => d.startsWith(`${sniDirective} `));
      const sni = (scheme === 'https' || scheme === 'grpcs') && !own ? [`${sniDirective} on;`] : [];
      return { rewritePhase: [`set $gh_external ${quoted(`${action.host}:${action.port}`)};`], content: [...sni, `${directive} ${scheme}://$gh_external;`] };
    }
    case 'proxy': {
      const upstream = ctx.upstreams.get(action.upstream);
      // An `upstream {}` without servers fails `nginx -t`: a Service with no ready endpoint
      // answers 503 instead, as ingress-nginx does.
      if (!upstream || (upstream.endpoints.length === 0 && !onEndpointChannel(action, ctx))) return { rewritePhase: ['return 503;'], content: [] };
      const [directive, scheme] = PASS_SCHEME[action.protocol];
      const dynamic = onEndpointChannel(action, ctx);
      // On the endpoint channel, a location the 503 placeholder cannot answer (it speaks plain
      // HTTP/1) names its upstream for Lua, which answers 503 itself when there is no endpoint;
      // grpc_pass has no $proxy_host, so the balancer reads the same variable.
      const check = dynamic && (action.protocol !== 'HTTP' || checkEmpty);
      const rewritePhase = check ? [`set $gh_upstream ${upstream.name};`] : [];
      const pass = persistentCookie(upstream) === undefined
        ? [`${directive} ${scheme}://${upstream.name};`]
        : dynamic ? dynamicPersistentPass(upstream, directive, scheme) : persistentPass(upstream, directive, scheme);
      return { rewritePhase, content: [...(check ? [CHECK_ENDPOINTS_LINE] : []), ...pass] };
    }
  }
}

/**
 * The upstream a proxy action reaches, when it has one to reach (an empty one answers 503; one on
 * the endpoint channel is reached even empty, its 503 coming from there, so that endpoints coming
 * and going do not change nginx.conf).
 */
function reachable(action: Action, ctx: LocationContext): Extract<Action, { kind: 'proxy' }> | undefined {
  if (action.kind !== 'proxy') return undefined;
  return (ctx.upstreams.get(action.upstream)?.endpoints.length ?? 0) > 0 || onEndpointChannel(action, ctx) ? action : undefined;
}

function when(condition: string, lines: readonly string[]): string[] {
  return lines.length === 0 ? [] : [`if (${condition}) {`, ...lines.map((l) => `    ${l}`), '}'];
}

/**
 * A route split between its main and its canary backend by `$gh_canary` (set by the canary
 * feature's rewrite-phase lines, annotations/features/canary.ts). `proxy_pass` with a variable
 * looks the name up among the `upstream` blocks first, and only otherwise resolves it by DNS:
 * `$gh_upstream` only ever holds the name of an upstream that is rendered (one with endpoints);
 * a side without endpoints answers 503 by `return` instead, as it does without a canary.
 * https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass
 */
function splitActionParts(main: Action, canary: CanaryModel, ctx: LocationContext, featureDirectives: readonly string[], checkEmpty: boolean): ActionParts {
  const mainParts = actionParts(main, ctx, featureDirectives, checkEmpty);
  // build-model merges canaries only into routes that proxy (or answer 503 for a missing Service).
  if (main.kind !== 'proxy' && main.kind !== 'status') return mainParts;
  const canaryParts = actionParts(canary.action, ctx, featureDirectives, checkEmpty);
  const m = reachable(main, ctx);
  const c = reachable(canary.action, ctx);
  if (m && c) {
    if (m.upstream === c.upstream) return mainParts;
    const [directive, scheme] = PASS_SCHEME[m.protocol];
    // $gh_upstream names the chosen side for Lua too (see actionParts).
    const check = (m.protocol !== 'HTTP' || checkEmpty) && (onEndpointChannel(m, ctx) || onEndpointChannel(c, ctx)) ? [CHECK_ENDPOINTS_LINE] : [];
    return { rewritePhase: [`set $gh_upstream ${m.upstream};`, ...when('$gh_canary', [`set $gh_upstream ${c.upstream};`])], content: [...check, `${directive} ${scheme}://$gh_upstream;`] };
  }
  // The reachable side's own rewrite-phase lines (naming its upstream for Lua) follow the other's `return`.
  if (m) return { rewritePhase: [...when('$gh_canary', canaryParts.rewritePhase), ...mainParts.rewritePhase], content: mainParts.content };
  if (c) return { rewritePhase: [...when('$gh_canary = ""', mainParts.rewritePhase), ...canaryParts.rewritePhase], content: canaryParts.content };
  return { rewritePhase: [...when('$gh_canary', canaryParts.rewritePhase), ...mainParts.rewritePhase], content: [] };
}

/** Lines inside `location … { }` (unindented). Runs per location (20,000 at 10,000 Ingresses): no spreads of arrays it builds. */
export function locationBody(loc: LocationModel, ctx: LocationContext): string[] {
  const s = loc.settings;
  const lines: string[] = [`# ${loc.source}`];
  if (loc.canary) lines.push(`# canary: ${loc.canary.source}`);
  // First: a `return` or `rewrite … break` later in the rewrite phase would skip them.
  if (ctx.logLabels) lines.push(...labelLines(loc));
  const uri = s.features['ssl-redirect']?.dropTrailingSlash ? URI_WITHOUT_TRAILING_SLASH : '$request_uri';
  // Behind a TLS-terminating load balancer nginx sees http: the redirect follows the client's scheme.
  if (s.sslRedirect) lines.push(`if (${ctx.clientScheme ?? '$scheme'} = http) {`, `    return 308 https://$host${ctx.httpsPortSuffix}${uri};`, '}');
  const grpc = (loc.action.kind === 'proxy' || loc.action.kind === 'external') && loc.action.protocol.startsWith('GRPC');
  const pass = grpc ? 'grpc' : 'proxy';
  // Custom error pages must see a missing endpoint's 503 as nginx's own (see actionParts).
  const checkEmpty = s.features['custom-errors'] !== undefined;
  const plain = loc.canary ? splitActionParts(loc.action, loc.canary, ctx, NO_LINES, checkEmpty) : actionParts(loc.action, ctx, NO_LINES, checkEmpty);
  const onChannel = onEndpointChannel(loc.action, ctx) || (loc.canary !== undefined && onEndpointChannel(loc.canary.action, ctx));
  const featureContext: { -readonly [K in keyof FeatureLocationContext]: FeatureLocationContext[K] } = {
    pass,
    proxies: plain.content.length > 0,
    source: loc.source,
    secretsDir: ctx.secretsDir,
    match: loc.match,
    path: loc.path,
  };
  if (onChannel) featureContext.onChannel = true;
  const features = locationDirectivesOf(s.features, featureContext);
  // Only an ExternalName action reads the features' directives (its SNI line; canaries never split one).
  const action = loc.action.kind === 'external' ? actionParts(loc.action, ctx, features.directives, checkEmpty) : plain;
  // Where Lua checks for endpoints, the named location it may send an empty upstream's request
  // to is this location's own (a custom-errors feature line below), never one an earlier location
  // of the same request set.
  if (action.content.includes(CHECK_ENDPOINTS_LINE)) lines.push('set $gh_no_endpoints "";');
  append(lines, features.rewrite);
  append(lines, action.rewritePhase);
  if (action.content.length > 0) append(lines, features.rewriteLast);
  if (features.directives.length > 0) append(lines, inheritedHeaders(pass, features.directives, ctx.httpHeaders));
  append(lines, features.directives);
  append(lines, action.content);
  // A location's own add_header hides every inherited one (configmap/render-global.ts).
  if (ctx.hsts && [features.rewrite, features.rewriteLast, features.directives].some((part) => part.some((d) => d.startsWith('add_header ')))) lines.push(HSTS_HEADER_LINE);
  return lines;
}

const NO_LINES: readonly string[] = [];

/** Whether `action` proxies to an upstream whose endpoints come through the Lua channel. */
function onEndpointChannel(action: Action, ctx: LocationContext): boolean {
  return action.kind === 'proxy' && ctx.dynamic?.has(action.upstream) === true;
}

function append(lines: string[], more: readonly string[]): void {
  for (const line of more) lines.push(line);
}

/** Body of a location that only performs an action (fallbacks). */
export function actionBody(action: Action, ctx: LocationContext): string[] {
  const parts = actionParts(action, ctx);
  return [...parts.rewritePhase, ...parts.content];
}
