// GlobalConfig → nginx directives that only appear when a value differs from what nginx.conf had
// before the ConfigMap existed, so a cluster without one renders byte for byte as before. The
// directives render.ts always writes (timeouts, server_tokens, ssl_protocols, worker settings)
// read GlobalConfig fields in place. Every value here was validated by its entry's schema
// (parse-configmap.ts): sizes and numbers only, the cipher list without nginx syntax characters.
import { quoted } from '../nginx/escape.js';
import type { GlobalConfig } from './global-config.js';
import { DEFAULT_GLOBAL_CONFIG } from './parse-configmap.js';

const D = DEFAULT_GLOBAL_CONFIG;

/** The Strict-Transport-Security value, or undefined when HSTS is off. https://www.rfc-editor.org/rfc/rfc6797#section-6.1 */
export function hstsValue(g: GlobalConfig): string | undefined {
  if (!g.hsts) return undefined;
  return [`max-age=${g.hstsMaxAge}`, ...(g.hstsIncludeSubdomains ? ['includeSubDomains'] : []), ...(g.hstsPreload ? ['preload'] : [])].join('; ');
}

/**
 * The header line. `add_header` in a location replaces every inherited one, so locations whose
 * features add headers (CORS, cookie affinity) repeat it (render-location.ts).
 * https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header
 */
export const HSTS_HEADER_LINE = 'add_header Strict-Transport-Security $gh_hsts always;';

/** Lines of the `http` block for non-default global settings (after the proxy and TLS defaults). */
export function globalHttpLines(g: GlobalConfig): string[] {
  const lines: string[] = [];
  // gRPC backends get the ConfigMap's timeouts too; nginx's own grpc defaults stay otherwise.
  if (g.proxyConnectTimeout !== D.proxyConnectTimeout) lines.push(`grpc_connect_timeout ${g.proxyConnectTimeout}s;`);
  if (g.proxySendTimeout !== D.proxySendTimeout) lines.push(`grpc_send_timeout ${g.proxySendTimeout}s;`);
  if (g.proxyReadTimeout !== D.proxyReadTimeout) lines.push(`grpc_read_timeout ${g.proxyReadTimeout}s;`);
  if (g.proxyBodySize !== D.proxyBodySize) lines.push(`client_max_body_size ${g.proxyBodySize};`);
  if (g.proxyBufferSize !== D.proxyBufferSize || g.proxyBuffersNumber !== D.proxyBuffersNumber) {
    lines.push(`proxy_buffer_size ${g.proxyBufferSize};`, `proxy_buffers ${g.proxyBuffersNumber} ${g.proxyBufferSize};`);
  }
  if (g.clientBodyBufferSize !== D.clientBodyBufferSize) lines.push(`client_body_buffer_size ${g.clientBodyBufferSize};`);
  if (g.clientHeaderBufferSize !== D.clientHeaderBufferSize) lines.push(`client_header_buffer_size ${g.clientHeaderBufferSize};`);
  if (g.largeClientHeaderBuffers !== D.largeClientHeaderBuffers) lines.push(`large_client_header_buffers ${g.largeClientHeaderBuffers};`);
  if (g.keepAlive !== D.keepAlive) lines.push(`keepalive_timeout ${g.keepAlive}s;`);
  if (g.keepAliveRequests !== D.keepAliveRequests) lines.push(`keepalive_requests ${g.keepAliveRequests};`);
  if (g.sslCiphers !== '') lines.push(`ssl_ciphers ${quoted(g.sslCiphers)};`, 'ssl_prefer_server_ciphers on;');
  const hsts = hstsValue(g);
  if (hsts !== undefined) {
    // Only HTTPS responses carry it (RFC 6797 section 7.2): an empty value sends no header.
    lines.push(`map $scheme $gh_hsts {`, `    https ${quoted(hsts)};`, '    default "";', '}', HSTS_HEADER_LINE);
  }
  return lines;
}

/** Lines inside each `upstream` block after `server` lines. */
export function upstreamKeepaliveLines(g: GlobalConfig, connections = g.upstreamKeepaliveConnections): string[] {
  // `keepalive 0` is refused by nginx: no line disables the cache.
  if (connections === 0) return [];
  return [
    `keepalive ${connections};`,
    ...(g.upstreamKeepaliveTimeout !== D.upstreamKeepaliveTimeout ? [`keepalive_timeout ${g.upstreamKeepaliveTimeout}s;`] : []),
    ...(g.upstreamKeepaliveRequests !== D.upstreamKeepaliveRequests ? [`keepalive_requests ${g.upstreamKeepaliveRequests};`] : []),
  ];
}
