// Who the client is when nginx sits behind a load balancer: nginx's realip module, with the
// semantics of ingress-nginx's ConfigMap keys of the same names
// (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#use-forwarded-headers,
// rootfs/etc/nginx/template/nginx.tmpl). One typed home: flags fill it today, a ConfigMap can later.
import { escapeFor } from './escape.js';

/** Operator settings for the client address; the default trusts nothing the client sends. */
export interface ClientIpOptions {
  /** `use-forwarded-headers`: take the client address (and X-Forwarded-Proto/Host/Port) from trusted peers' headers. */
  readonly useForwardedHeaders: boolean;
  /** `forwarded-for-header`: the header naming the client (default X-Forwarded-For). */
  readonly forwardedForHeader: string;
  /** `compute-full-forwarded-for`: append to the received X-Forwarded-For instead of replacing it. */
  readonly computeFullForwardedFor: boolean;
  /** `proxy-real-ip-cidr`: peers whose headers / PROXY protocol addresses are believed. */
  readonly proxyRealIpCidr: readonly string[];
  /** `use-proxy-protocol`: every connection starts with a PROXY protocol header (v1 or v2). */
  readonly useProxyProtocol: boolean;
}

export const DEFAULT_CLIENT_IP: ClientIpOptions = Object.freeze({
  useForwardedHeaders: false,
  forwardedForHeader: 'X-Forwarded-For',
  computeFullForwardedFor: false,
  // ingress-nginx's default: with use-forwarded-headers on, every peer is believed.
  proxyRealIpCidr: Object.freeze(['0.0.0.0/0']),
  useProxyProtocol: false,
});

/** An HTTP field name (RFC 9110 token), as nginx's `real_ip_header` takes it. */
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;

/** Why these options cannot be rendered, or undefined when they can. */
export function clientIpProblem(opts: ClientIpOptions): string | undefined {
  if (!HEADER_NAME.test(opts.forwardedForHeader)) return `forwarded-for-header ${JSON.stringify(opts.forwardedForHeader)} is not a header name of letters, digits and "-"`;
  for (const c of opts.proxyRealIpCidr) if (escapeFor('cidr', c) !== c) return `proxy-real-ip-cidr ${JSON.stringify(c)} is not an IP address or CIDR range`;
  if (opts.proxyRealIpCidr.length === 0) return 'proxy-real-ip-cidr is empty';
  // ingress-nginx combines them with its headers-more module (more_set_input_headers), which
  // Debian's nginx does not have: refused rather than served as if one were off.
  if (opts.useForwardedHeaders && opts.useProxyProtocol) return 'use-forwarded-headers and use-proxy-protocol together need a module plain nginx lacks; choose one';
  return undefined;
}

/** `$http_x_forwarded_for` for `X-Forwarded-For`. */
function headerVariable(header: string): string {
  return `$http_${header.toLowerCase().replaceAll('-', '_')}`;
}

/** What render.ts puts in `http {}` and on the listen lines. */
export interface ClientIpLines {
  /** http-level realip directives, geo and maps. */
  readonly http: readonly string[];
  /** Appended to the public `listen` lines (` proxy_protocol`). */
  readonly listenSuffix: string;
  /** Values of the proxy_set_header lines. */
  readonly forwardedFor: string;
  readonly forwardedProto: string;
  readonly forwardedHost: string;
  readonly forwardedPort: string;
}

/**
 * The directives for the options (throws on options clientIpProblem refuses: a config error).
 * Without use-forwarded-headers or use-proxy-protocol nothing the client sends is believed:
 * X-Forwarded-For and X-Real-IP are the peer's address. X-Forwarded-Proto/Host/Port are taken
 * from the request only when the peer is in proxy-real-ip-cidr (ingress-nginx believes them from
 * any peer once use-forwarded-headers is on), and only in their expected shapes.
 */
export function clientIpLines(opts: ClientIpOptions = DEFAULT_CLIENT_IP): ClientIpLines {
  const problem = clientIpProblem(opts);
  if (problem !== undefined) throw new TypeError(problem);
  const plain = { forwardedFor: '$remote_addr', forwardedProto: '$scheme', forwardedHost: '$host', forwardedPort: '$server_port' };
  if (!opts.useForwardedHeaders && !opts.useProxyProtocol) return { http: [], listenSuffix: '', ...plain };
  // realip runs in the post-read phase: $remote_addr (allow/deny, limit_req, logs) is the client.
  // https://nginx.org/en/docs/http/ngx_http_realip_module.html
  const http = [
    `real_ip_header ${opts.useProxyProtocol ? 'proxy_protocol' : opts.forwardedForHeader};`,
    'real_ip_recursive on;',
    ...opts.proxyRealIpCidr.map((c) => `set_real_ip_from ${c};`),
  ];
  if (opts.useProxyProtocol) return { http, listenSuffix: ' proxy_protocol', ...plain, forwardedPort: '$proxy_protocol_server_port' };
  http.push(
    '',
    // $realip_remote_addr is the peer before realip rewrote $remote_addr.
    'geo $realip_remote_addr $gh_trusted_peer {',
    '    default 0;',
    ...opts.proxyRealIpCidr.map((c) => `    ${c} 1;`),
    '}',
    'map "$gh_trusted_peer:$http_x_forwarded_proto" $gh_forwarded_proto {',
    '    default $scheme;',
    '    "~^1:(?<p>https?)$" $p;',
    '}',
    'map "$gh_trusted_peer:$http_x_forwarded_host" $gh_forwarded_host {',
    '    default $host;',
    '    "~^1:(?<h>[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?)$" $h;',
    '}',
    'map "$gh_trusted_peer:$http_x_forwarded_port" $gh_forwarded_port {',
    '    default $server_port;',
    '    "~^1:(?<p>[0-9]{1,5})$" $p;',
    '}',
  );
  let forwardedFor = '$remote_addr';
  if (opts.computeFullForwardedFor) {
    // $proxy_add_x_forwarded_for would append the already rewritten $remote_addr; ingress-nginx
    // appends the peer's own address. Only a trusted peer's list is kept.
    const received = headerVariable(opts.forwardedForHeader);
    http.push(`map "$gh_trusted_peer:${received}" $gh_full_forwarded_for {`, '    default $realip_remote_addr;', `    "~^1:(?<f>.+)$" "$f, $realip_remote_addr";`, '}');
    forwardedFor = '$gh_full_forwarded_for';
  }
  return { http, listenSuffix: '', forwardedFor, forwardedProto: '$gh_forwarded_proto', forwardedHost: '$gh_forwarded_host', forwardedPort: '$gh_forwarded_port' };
}
