// The typed global configuration: what the ConfigMap's keys become once accepted. render.ts and
// the controller read these fields, never the ConfigMap's strings.
import type { AccessLogFormat } from '../nginx/access-log.js';
import type { RiskLevel } from '../rules/types.js';

/**
 * Every field has a value (absent keys take their entry's default, catalog.ts), except those of keys
 * that override a controller flag: undefined there means "absent, the flag decides".
 */
export interface GlobalConfig {
  // timeouts.ts — seconds
  readonly proxyConnectTimeout: number;
  readonly proxyReadTimeout: number;
  readonly proxySendTimeout: number;
  // buffers.ts — nginx sizes (`8k`)
  readonly proxyBodySize: string;
  readonly proxyBufferSize: string;
  readonly proxyBuffersNumber: number;
  readonly clientBodyBufferSize: string;
  readonly clientHeaderBufferSize: string;
  /** `4 8k`: number and size. */
  readonly largeClientHeaderBuffers: string;
  // keep-alive.ts
  /** Seconds; 0 disables client keep-alive. */
  readonly keepAlive: number;
  readonly keepAliveRequests: number;
  /** Idle connections per upstream per worker; 0 disables upstream keep-alive. */
  readonly upstreamKeepaliveConnections: number;
  readonly upstreamKeepaliveTimeout: number;
  readonly upstreamKeepaliveRequests: number;
  // tls.ts
  readonly sslProtocols: readonly string[];
  /** OpenSSL cipher list; '' = nginx's default. */
  readonly sslCiphers: string;
  readonly hsts: boolean;
  readonly hstsMaxAge: number;
  readonly hstsIncludeSubdomains: boolean;
  readonly hstsPreload: boolean;
  readonly sslRedirect: boolean;
  readonly useHttp2: boolean;
  // workers.ts
  readonly serverTokens: boolean;
  readonly workerProcesses: number | 'auto';
  readonly maxWorkerConnections: number;
  // annotation-policy.ts — combined with the flags, the stricter wins (configmap/effective-rules.ts)
  readonly allowSnippetAnnotations: boolean;
  readonly annotationsRiskLevel: RiskLevel;
  // client-ip.ts — undefined: the flag of the same name decides
  readonly useForwardedHeaders: boolean | undefined;
  readonly forwardedForHeader: string | undefined;
  readonly computeFullForwardedFor: boolean | undefined;
  readonly proxyRealIpCidr: readonly string[] | undefined;
  readonly useProxyProtocol: boolean | undefined;
  // access-log.ts — undefined: --access-log / --access-log-format decide
  readonly disableAccessLog: boolean | undefined;
  readonly accessLogFormat: AccessLogFormat | undefined;
}
