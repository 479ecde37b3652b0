// The request headers nginx sets towards every backend, at `http` level. nginx inherits
// `proxy_set_header` (and `grpc_set_header`) from the level above only when a level sets none of
// its own, so a location that adds one header must repeat all of these, or its backend loses Host,
// X-Forwarded-* and the httpoxy guard.
// https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header

/** `proxy_set_header` lines of the http level (render.ts), in order. */
export const PROXY_SET_HEADERS: readonly string[] = [
  // nginx defaults to `Host: $proxy_host` (the upstream name): it breaks name-based backends.
  'proxy_set_header Host $host;',
  // WebSocket upgrades pass through; every other request gets an empty Connection header so
  // upstream keepalive works (nginx's default `Connection: close` defeats it).
  'proxy_set_header Connection $connection_upgrade;',
  'proxy_set_header Upgrade $http_upgrade;',
  'proxy_set_header X-Request-ID $request_id;',
  'proxy_set_header X-Real-IP $remote_addr;',
  // Client-sent X-Forwarded-For is not trusted (no realip configuration): overwrite it.
  'proxy_set_header X-Forwarded-For $remote_addr;',
  'proxy_set_header X-Forwarded-Host $host;',
  'proxy_set_header X-Forwarded-Port $server_port;',
  'proxy_set_header X-Forwarded-Proto $scheme;',
  'proxy_set_header X-Forwarded-Scheme $scheme;',
  // httpoxy: https://httpoxy.org/
  'proxy_set_header Proxy "";',
];

/** `grpc_set_header` lines of the http level. */
export const GRPC_SET_HEADERS: readonly string[] = [
  'grpc_set_header X-Real-IP $remote_addr;',
  'grpc_set_header X-Forwarded-For $remote_addr;',
  'grpc_set_header X-Forwarded-Proto $scheme;',
];

/** The http-level headers of `pass` followed by a location's own (each `<pass>_set_header …;`). */
export function locationSetHeaders(pass: 'proxy' | 'grpc', own: readonly string[]): string[] {
  return [...(pass === 'proxy' ? PROXY_SET_HEADERS : GRPC_SET_HEADERS), ...own];
}
