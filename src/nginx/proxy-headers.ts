// The request headers nginx sends every backend. nginx inherits `proxy_set_header` (and
// `grpc_set_header`) from the http level only into locations that set none of their own
// (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header): a location that
// changes one header must repeat all the others, so the list lives here, for render.ts (http
// level) and for the features that override a header in a location.

/** `proxy_set_header` name and value (constants and nginx variables only), in render order. */
export const PROXY_HEADERS: readonly (readonly [string, string])[] = [
  // nginx defaults to `Host: $proxy_host` (the upstream name): it breaks name-based backends.
  ['Host', '$host'],
  // WebSocket upgrades pass through; every other request gets an empty Connection header so
  // upstream keepalive works (nginx's default `Connection: close` defeats it).
  ['Connection', '$connection_upgrade'],
  ['Upgrade', '$http_upgrade'],
  ['X-Request-ID', '$request_id'],
  ['X-Real-IP', '$remote_addr'],
  // Client-sent X-Forwarded-For is not trusted (no realip configuration): overwrite it.
  ['X-Forwarded-For', '$remote_addr'],
  ['X-Forwarded-Host', '$host'],
  ['X-Forwarded-Port', '$server_port'],
  ['X-Forwarded-Proto', '$scheme'],
  ['X-Forwarded-Scheme', '$scheme'],
  // httpoxy: https://httpoxy.org/
  ['Proxy', '""'],
];

/** `grpc_set_header` name and value, in render order. */
export const GRPC_HEADERS: readonly (readonly [string, string])[] = [
  ['X-Real-IP', '$remote_addr'],
  ['X-Forwarded-For', '$remote_addr'],
  ['X-Forwarded-Proto', '$scheme'],
];

/**
 * The full `<pass>_set_header` list of a location with `overrides` (name → value already escaped
 * and quoted): a base header of the same name (case-insensitive) takes the override's value in
 * place, the others are appended in the order given.
 */
export function setHeaderLines(pass: 'proxy' | 'grpc', overrides: readonly (readonly [string, string])[] = []): string[] {
  const base = pass === 'grpc' ? GRPC_HEADERS : PROXY_HEADERS;
  const byName = new Map(overrides.map(([n, v]) => [n.toLowerCase(), v]));
  const lines = base.map(([n, v]) => `${pass}_set_header ${n} ${byName.get(n.toLowerCase()) ?? v};`);
  const known = new Set(base.map(([n]) => n.toLowerCase()));
  for (const [n, v] of overrides) if (!known.has(n.toLowerCase())) lines.push(`${pass}_set_header ${n} ${v};`);
  return lines;
}
