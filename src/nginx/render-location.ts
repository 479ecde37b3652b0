// Location bodies: the annotation features' directives (annotations/features/) and the action.
// Every value here came out of escape.ts; this file only quotes and arranges. Order matters:
// `set`/`if`/`return`/`rewrite` run in the rewrite phase in the order written, before the access
// phase (`allow`/`deny`, `auth_request`).
import { locationDirectivesOf } from '../annotations/features/index.js';
import { labelLines } from './access-log.js';
import { quoted } from './escape.js';
import type { Action, LocationModel, UpstreamModel } from './model.js';
import { persistentCookie, persistentPass } from './persistent-affinity.js';

export interface LocationContext {
  readonly upstreams: ReadonlyMap<string, UpstreamModel>;
  /** `:8443` when HTTPS is not on 443, for the HTTP→HTTPS redirect. */
  readonly httpsPortSuffix: string;
  /** Absolute directory of the SecretFiles. */
  readonly secretsDir: string;
  /** Set the Ingress's labels for the access and traffic logs (access-log.ts). */
  readonly logLabels?: boolean;
  /** The scheme the client used: `$scheme`, or a trusted load balancer's X-Forwarded-Proto (client-ip.ts). */
  readonly clientScheme?: string;
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
      if (persistentCookie(upstream) !== undefined) return { rewritePhase: [], content: persistentPass(upstream, directive, scheme) };
      return { rewritePhase: [], content: [`${directive} ${scheme}://${upstream.name};`] };
    }
  }
}

/** Lines inside `location … { }` (unindented). */
export function locationBody(loc: LocationModel, ctx: LocationContext): string[] {
  const s = loc.settings;
  const lines: string[] = [`# ${loc.source}`];
  // First: a `return` or `rewrite … break` later in the rewrite phase would skip them.
  if (ctx.logLabels) lines.push(...labelLines(loc));
  // Behind a TLS-terminating load balancer nginx sees http: the redirect follows the client's scheme.
  if (s.sslRedirect) lines.push(`if (${ctx.clientScheme ?? '$scheme'} = http) {`, `    return 308 https://$host${ctx.httpsPortSuffix}$request_uri;`, '}');
  const action = actionParts(loc.action, ctx);
  const grpc = (loc.action.kind === 'proxy' || loc.action.kind === 'external') && loc.action.protocol.startsWith('GRPC');
  const features = locationDirectivesOf(s.features, {
    pass: grpc ? 'grpc' : 'proxy',
    proxies: action.content.length > 0,
    source: loc.source,
    secretsDir: ctx.secretsDir,
    match: loc.match,
    path: loc.path,
  });
  lines.push(...features.rewrite, ...action.rewritePhase);
  if (action.content.length > 0) lines.push(...features.rewriteLast);
  lines.push(...features.directives, ...action.content);
  return lines;
}

/** Body of a location that only performs an action (fallbacks). */
export function actionBody(action: Action, ctx: LocationContext): string[] {
  const parts = actionParts(action, ctx);
  return [...parts.rewritePhase, ...parts.content];
}
