// The request headers nginx sets towards backends, at the `http` level. A location with a
// `proxy_set_header` (or `grpc_set_header`) of its own inherits none of the http level's
// (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header), so
// render-location.ts repeats these in a location whose features set headers.

/** The values of the X-Forwarded-* headers: nginx variables chosen by client-ip.ts. */
export interface ForwardedValues {
  readonly forwardedFor: string;
  readonly forwardedProto: string;
  readonly forwardedHost: string;
  readonly forwardedPort: string;
}

/** No trusted load balancer (the default): what the client sent is overwritten. */
export const UNTRUSTED_FORWARDING: ForwardedValues = { forwardedFor: '$remote_addr', forwardedProto: '$scheme', forwardedHost: '$host', forwardedPort: '$server_port' };

/** `proxy_set_header` lines of the http level. */
export function proxyHeaderLines(f: ForwardedValues = UNTRUSTED_FORWARDING): string[] {
  return [
    // nginx defaults to `Host: $proxy_host` (the upstream name): it breaks name-based backends.
    'proxy_set_header Host $host;',
    'proxy_set_header Connection $connection_upgrade;',
    'proxy_set_header Upgrade $http_upgrade;',
    'proxy_set_header X-Request-ID $request_id;',
    'proxy_set_header X-Real-IP $remote_addr;',
    // Client-sent X-Forwarded-* is believed only from trusted peers (client-ip.ts); by default
    // it is overwritten.
    `proxy_set_header X-Forwarded-For ${f.forwardedFor};`,
    `proxy_set_header X-Forwarded-Host ${f.forwardedHost};`,
    `proxy_set_header X-Forwarded-Port ${f.forwardedPort};`,
    `proxy_set_header X-Forwarded-Proto ${f.forwardedProto};`,
    `proxy_set_header X-Forwarded-Scheme ${f.forwardedProto};`,
    // httpoxy: https://httpoxy.org/
    'proxy_set_header Proxy "";',
  ];
}

/** `grpc_set_header` lines of the http level. */
export function grpcHeaderLines(f: ForwardedValues = UNTRUSTED_FORWARDING): string[] {
  return ['grpc_set_header X-Real-IP $remote_addr;', `grpc_set_header X-Forwarded-For ${f.forwardedFor};`, `grpc_set_header X-Forwarded-Proto ${f.forwardedProto};`];
}

/** The http level's headers without a trusted load balancer. */
export const PROXY_HEADERS: readonly string[] = proxyHeaderLines();
export const GRPC_HEADERS: readonly string[] = grpcHeaderLines();

/** The http level's header lines of both modules, as rendered. */
export interface HttpLevelHeaders {
  readonly proxy: readonly string[];
  readonly grpc: readonly string[];
}

const SET_HEADER = /^(proxy|grpc)_set_header (\S+) /;

/**
 * The http level's header lines a location must repeat because its own `directives` set headers
 * (`pass` says which module); a header the location sets itself is not repeated.
 */
export function inheritedHeaders(pass: 'proxy' | 'grpc', directives: readonly string[], httpLevel: HttpLevelHeaders = { proxy: PROXY_HEADERS, grpc: GRPC_HEADERS }): string[] {
  const own = new Set<string>();
  for (const d of directives) {
    const m = SET_HEADER.exec(d);
    if (m?.[1] === pass) own.add(m[2]!.toLowerCase());
  }
  if (own.size === 0) return [];
  return httpLevel[pass].filter((line) => !own.has(line.split(' ')[1]!.toLowerCase()));
}
