import { createHash } from 'node:crypto';
import { escapeFor } from '../../nginx/escape.js';
import type { UpstreamModel } from '../../nginx/model.js';
import { isUnrenderable, resolveBackend } from '../../nginx/upstreams.js';
import { BOOLEAN, BOOLEAN_MAX_LENGTH, listSchema, patternSchema, type AnnotationEntry } from '../entry.js';
import { defineFeature, type ParseContext } from '../feature.js';
import { Unrenderable } from '../reader.js';

// ingress-nginx: internal/ingress/annotations/{customhttperrors,defaultbackend}/main.go, the
// template's CUSTOM_ERRORS named locations, and controller.go's custom-default-backend upstream.
// https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#custom-http-errors

const NEEDS_CODES = { key: 'custom-http-errors' } as const;

/** Custom error pages and a per-Ingress default backend. */
export const CUSTOM_ERRORS_ANNOTATIONS = [
  {
    key: 'custom-http-errors',
    controller: 'renders',
    kind: 'list',
    schema: listSchema({ type: 'string', pattern: '^[45][0-9]{2}$' }, 200),
    maxLength: 1024,
    risk: 'low',
    doc: 'Responses with these status codes (the backend\'s, or nginx\'s own) are replaced by what the default backend answers to `/`, sent X-Code, X-Format, X-Original-URI, X-Namespace, X-Ingress-Name and X-Request-ID headers. The default backend is the default-backend annotation\'s, else the controller\'s.',
    expects: 'HTTP status codes from 400 to 599 separated by commas, like 404, 503',
    examples: ['404, 503', '500'],
    differs:
      'X-Service-Name and X-Service-Port are not sent; without any default backend (annotation or --default-backend-service) the codes get nginx\'s own error page instead of the backend\'s.',
  },
  {
    key: 'default-backend',
    controller: 'renders',
    kind: 'string',
    // A Service name (DNS-1035 label), in the Ingress's namespace.
    schema: patternSchema('^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$', 63),
    maxLength: 63,
    risk: 'low',
    doc: 'A Service of the Ingress\'s namespace (its first port) that answers, with X-Code 503, when a path\'s Service has no ready endpoint, and that custom-http-errors sends errors to. Ignored while it has no ready endpoint.',
    expects: 'a Service name in the Ingress\'s namespace, like error-pages',
    examples: ['error-pages'],
  },
  {
    key: 'disable-proxy-intercept-errors',
    controller: 'renders',
    kind: 'boolean',
    schema: BOOLEAN,
    maxLength: BOOLEAN_MAX_LENGTH,
    risk: 'low',
    doc: '`true`: the backend\'s own error responses pass through; custom-http-errors then only replaces errors nginx itself answers (503 without endpoints, rate limits).',
    expects: '"true" or "false"',
    examples: ['true'],
    requires: NEEDS_CODES,
  },
] as const satisfies readonly AnnotationEntry[];

export interface CustomErrorsConfig {
  /** Names this Ingress's error locations (hash of the Ingress and the config). */
  readonly id: string;
  /** Escaped identifiers, sent as X-Namespace and X-Ingress-Name ('' when unknown). */
  readonly namespace: string;
  readonly ingress: string;
  /** Status codes sent to the default backend (sorted, distinct). */
  readonly codes: readonly number[];
  /** Whether the backend's own responses with those codes are intercepted. */
  readonly intercept: boolean;
  /** The default-backend annotation: the Service, and its upstream while it has ready endpoints. */
  readonly defaultBackend?: { readonly service: string; readonly upstream?: UpstreamModel };
}

/** The default-backend Service's upstream (its first port, as ingress-nginx), when it has ready endpoints. */
function defaultBackendUpstream(context: ParseContext, service: string): UpstreamModel | undefined {
  const svc = context.cluster?.service(context.namespace, service);
  const port = svc?.spec?.ports?.[0];
  if (!context.cluster || !port || svc?.spec?.type === 'ExternalName') return undefined;
  const resolved = resolveBackend(context.cluster, context.namespace, { service: { name: service, port: { number: port.port } } }, { protocol: 'HTTP' });
  if (isUnrenderable(resolved)) return undefined;
  return resolved.upstream && resolved.upstream.endpoints.length > 0 ? resolved.upstream : undefined;
}

/** What the default backend is told, after the headers every proxied request gets (nginx/render.ts). */
function errorHeaders(c: CustomErrorsConfig, code: number): string[] {
  return [
    `proxy_set_header X-Code ${code};`,
    'proxy_set_header X-Format $http_accept;',
    'proxy_set_header X-Original-URI $request_uri;',
    ...(c.namespace ? [`proxy_set_header X-Namespace ${c.namespace};`] : []),
    ...(c.ingress ? [`proxy_set_header X-Ingress-Name ${c.ingress};`] : []),
    // A location's proxy_set_header replaces all inherited ones: the usual ones again.
    'proxy_set_header X-Request-ID $request_id;',
    'proxy_set_header Host $host;',
    'proxy_set_header X-Real-IP $remote_addr;',
    'proxy_set_header X-Forwarded-For $remote_addr;',
    'proxy_set_header X-Forwarded-Host $host;',
    'proxy_set_header X-Forwarded-Proto $scheme;',
    'proxy_set_header Connection "";',
    'proxy_set_header Proxy "";',
  ];
}

const errorLocation = (c: CustomErrorsConfig, code: number): string => `@gh_custom_error_${c.id}_${code}`;
const noEndpointsLocation = (c: CustomErrorsConfig): string => `@gh_default_backend_${c.id}`;

export const customErrorsFeature = defineFeature({
  id: 'custom-errors',
  entries: CUSTOM_ERRORS_ANNOTATIONS,
  parse(read, context): CustomErrorsConfig | undefined {
    const codes = read.list('custom-http-errors', 'identifier');
    const service = read.str('default-backend', 'identifier');
    if (codes === undefined && service === undefined) return undefined;
    const identifier = (value: string | undefined): string => {
      if (!value) return '';
      const escaped = escapeFor('identifier', value);
      if (escaped === undefined) throw new Unrenderable(`the namespace/name ${JSON.stringify(value)} cannot be rendered`);
      return escaped;
    };
    const upstream = service === undefined ? undefined : defaultBackendUpstream(context, service);
    const config = {
      namespace: identifier(context.namespace),
      ingress: identifier(context.name),
      codes: [...new Set((codes ?? []).map(Number))].sort((a, b) => a - b),
      intercept: read.bool('disable-proxy-intercept-errors') !== true,
      ...(service !== undefined ? { defaultBackend: { service, ...(upstream ? { upstream } : {}) } } : {}),
    };
    const id = createHash('sha256')
      .update(JSON.stringify({ ...config, defaultBackend: upstream?.name ?? '' }))
      .digest('hex')
      .slice(0, 16);
    return { id, ...config };
  },
  upstreams(c) {
    return c.defaultBackend?.upstream ? [c.defaultBackend.upstream] : [];
  },
  location(c, ctx) {
    const lines: string[] = [];
    // A path whose Service has no ready endpoint answers 503 itself (nginx/render-location.ts):
    // the default-backend annotation's Service answers instead, as ingress-nginx routes it there.
    const noEndpoints = !ctx.proxies && c.defaultBackend?.upstream !== undefined;
    if (noEndpoints) lines.push(`error_page 503 = ${noEndpointsLocation(c)};`);
    if (c.codes.length > 0 && c.intercept && ctx.proxies) lines.push(`${ctx.pass}_intercept_errors on;`);
    for (const code of c.codes) if (!(noEndpoints && code === 503)) lines.push(`error_page ${code} = ${errorLocation(c, code)};`);
    // On the endpoint channel an upstream turns out empty only per request: the Lua check sends
    // such a request to this named location itself (lua/gatehouse/endpoints.lua, check()), as an
    // `error_page 503` here would also catch the backend's own 503s.
    if (ctx.onChannel && ctx.proxies && c.defaultBackend?.upstream !== undefined) return { rewrite: [`set $gh_no_endpoints ${noEndpointsLocation(c)};`], directives: lines };
    return { directives: lines };
  },
  server(c, ctx) {
    const upstream = c.defaultBackend?.upstream?.name ?? ctx.defaultUpstream;
    const lines: string[] = [];
    for (const code of c.codes) {
      // Named locations keep the request's method and URI; the default backend is asked for `/`
      // with the original URI in X-Original-URI, as ingress-nginx does.
      const body = upstream
        ? [...errorHeaders(c, code), 'rewrite ^ / break;', `proxy_pass http://${upstream};`]
        : // No default backend anywhere: nginx's own page for the code, never the backend's.
          [`return ${code};`];
      lines.push(`location ${errorLocation(c, code)} {`, ...body.map((l) => `    ${l}`), '}');
    }
    if (c.defaultBackend?.upstream) {
      lines.push(`location ${noEndpointsLocation(c)} {`, ...[...errorHeaders(c, 503), `proxy_pass http://${c.defaultBackend.upstream.name};`].map((l) => `    ${l}`), '}');
    }
    return lines;
  },
});
