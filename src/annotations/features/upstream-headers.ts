import { quoted } from '../../nginx/escape.js';
import { ABSOLUTE_PATH, patternSchema, type AnnotationEntry } from '../entry.js';
import { defineFeature } from '../feature.js';
import { optional } from '../optional.js';

/** A DNS name (or dotted IPv4) with an optional port: what a Host header may say. */
const HOST_PORT = '^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?$';

/** Request headers sent to the backend. http://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header */
export const UPSTREAM_HEADER_ANNOTATIONS = [
  {
    key: 'x-forwarded-prefix',
    controller: 'renders',
    kind: 'string',
    schema: patternSchema(ABSOLUTE_PATH, 256),
    maxLength: 256,
    risk: 'low',
    doc: 'Send the backend an `X-Forwarded-Prefix` header with this path (the prefix a rewrite removed).',
    expects: 'an absolute path like /api',
    examples: ['/api', '/'],
  },
  {
    key: 'upstream-vhost',
    controller: 'renders',
    kind: 'string',
    schema: patternSchema(HOST_PORT, 259),
    maxLength: 259,
    risk: 'medium',
    doc: 'Host header sent to the backend instead of the request\'s (`proxy_set_header Host`).',
    differs: 'Only a host name or IPv4 address with an optional port is accepted; ingress-nginx also takes nginx variables.',
    expects: 'a host name with an optional port, like internal.example.com or app.svc:8080',
    examples: ['internal.example.com', 'app.default.svc:8080'],
  },
  {
    key: 'connection-proxy-header',
    controller: 'renders',
    kind: 'string',
    schema: patternSchema('^[A-Za-z][A-Za-z-]{0,31}$', 32),
    maxLength: 32,
    risk: 'low',
    doc: 'Connection header sent to the backend instead of Gatehouse\'s (`upgrade` for WebSockets, empty otherwise, for keepalive).',
    expects: 'a token like keep-alive, close or upgrade',
    examples: ['keep-alive', 'close'],
  },
] as const satisfies readonly AnnotationEntry[];

/** Header values, escaped; absent keeps Gatehouse's header (nginx/proxy-headers.ts). */
export interface UpstreamHeadersConfig {
  readonly forwardedPrefix?: string;
  readonly host?: string;
  readonly connection?: string;
}

export const upstreamHeadersFeature = defineFeature({
  id: 'upstream-headers',
  entries: UPSTREAM_HEADER_ANNOTATIONS,
  parse(read): UpstreamHeadersConfig | undefined {
    const config: UpstreamHeadersConfig = {
      ...optional('forwardedPrefix', read.str('x-forwarded-prefix', 'path')),
      ...optional('host', read.str('upstream-vhost', 'header')),
      ...optional('connection', read.str('connection-proxy-header', 'header')),
    };
    return Object.keys(config).length > 0 ? config : undefined;
  },
  /**
   * The headers it sets; render-location.ts repeats the http level's others, which nginx drops in a
   * location that sets any (nginx/proxy-headers.ts). gRPC: the Host header becomes `:authority`.
   */
  location(c, { pass, proxies }) {
    if (!proxies) return {};
    const overrides: [string, string][] = [];
    if (c.host !== undefined) overrides.push(['Host', quoted(c.host)]);
    if (c.connection !== undefined && pass === 'proxy') overrides.push(['Connection', quoted(c.connection)]);
    if (c.forwardedPrefix !== undefined) overrides.push(['X-Forwarded-Prefix', quoted(c.forwardedPrefix)]);
    return overrides.length > 0 ? { directives: overrides.map(([name, value]) => `${pass}_set_header ${name} ${value};`) } : {};
  },
});
