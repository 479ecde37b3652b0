// The request headers nginx sets towards backends, at the `http` level. A location with a
// `proxy_set_header` (or `grpc_set_header`) of its own inherits none of the http level's
// (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header), so
// render-location.ts repeats these in a location whose features set headers.

/** `proxy_set_header` lines of the http level. */
export const PROXY_HEADERS: readonly string[] = [
  // nginx defaults to `Host: $proxy_host` (the upstream name): it breaks name-based backends.
  'proxy_set_header Host $host;',
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
export const GRPC_HEADERS: readonly string[] = [
  'grpc_set_header X-Real-IP $remote_addr;',
  'grpc_set_header X-Forwarded-For $remote_addr;',
  'grpc_set_header X-Forwarded-Proto $scheme;',
];

const SET_HEADER = /^(proxy|grpc)_set_header (\S+) /;

/**
 * The http level's header lines a location must repeat because its own `directives` set headers
 * (`pass` says which module); a header the location sets itself is not repeated.
 */
export function inheritedHeaders(pass: 'proxy' | 'grpc', directives: readonly string[]): string[] {
  const own = new Set<string>();
  for (const d of directives) {
    const m = SET_HEADER.exec(d);
    if (m?.[1] === pass) own.add(m[2]!.toLowerCase());
  }
  if (own.size === 0) return [];
  return (pass === 'proxy' ? PROXY_HEADERS : GRPC_HEADERS).filter((line) => !own.has(line.split(' ')[1]!.toLowerCase()));
}
