import { BOOLEAN, BOOLEAN_MAX_LENGTH, listSchema, patternSchema } from '../../annotations/entry.js';
import { clientIpProblem, DEFAULT_CLIENT_IP, type ClientIpOptions } from '../../nginx/client-ip.js';
import { entry, type ConfigMapGroup } from '../entry.js';
import type { GlobalConfig } from '../global-config.js';

/**
 * The client address behind a load balancer (nginx/client-ip.ts renders it). Each key, when set,
 * overrides the controller flag of the same name; absent, the flag decides (docs/controller.md,
 * "Client IP behind a load balancer").
 * https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#use-forwarded-headers
 */
export const clientIpGroup: ConfigMapGroup = {
  id: 'client-ip',
  title: 'Client IP behind a load balancer',
  entries: [
    entry({
      key: 'use-forwarded-headers',
      field: 'useForwardedHeaders',
      kind: 'boolean',
      schema: BOOLEAN,
      maxLength: BOOLEAN_MAX_LENGTH,
      default: 'false',
      flag: 'use-forwarded-headers',
      doc: 'Take the client address (and X-Forwarded-Proto/Host/Port) from the headers of peers in `proxy-real-ip-cidr`: nginx behind an L7 load balancer.',
      renders: '`real_ip_header`, `set_real_ip_from` and the X-Forwarded-* maps (http)',
      expects: 'true or false',
      examples: ['true', 'false'],
      refused: ['yes'],
      differs: 'X-Forwarded-Proto/Host/Port are believed only from peers in proxy-real-ip-cidr (ingress-nginx: from any peer)',
    }),
    entry({
      key: 'forwarded-for-header',
      field: 'forwardedForHeader',
      kind: 'string',
      schema: patternSchema('^[A-Za-z0-9-]{1,64}$', 64),
      maxLength: 64,
      default: 'X-Forwarded-For',
      flag: 'forwarded-for-header',
      doc: 'The header naming the client, with `use-forwarded-headers`.',
      renders: '`real_ip_header` (http)',
      expects: 'a header name of letters, digits and "-" (at most 64)',
      examples: ['X-Forwarded-For', 'CF-Connecting-IP'],
      refused: ['X Forwarded', 'X_Forwarded_For', ''],
    }),
    entry({
      key: 'compute-full-forwarded-for',
      field: 'computeFullForwardedFor',
      kind: 'boolean',
      schema: BOOLEAN,
      maxLength: BOOLEAN_MAX_LENGTH,
      default: 'false',
      flag: 'compute-full-forwarded-for',
      doc: "Append the peer's address to a trusted peer's X-Forwarded-For instead of replacing it.",
      renders: 'a `map` for `proxy_set_header X-Forwarded-For` (http)',
      expects: 'true or false',
      examples: ['true', 'false'],
      refused: ['append'],
      differs: 'an untrusted peer\'s list is dropped (ingress-nginx appends to any)',
    }),
    entry({
      key: 'proxy-real-ip-cidr',
      field: 'proxyRealIpCidr',
      kind: 'list',
      schema: listSchema({ type: 'string', format: 'ip-or-cidr' }, 100),
      maxLength: 4096,
      default: '0.0.0.0/0',
      flag: 'proxy-real-ip-cidr',
      doc: 'Peers (load balancers) whose forwarded headers or PROXY protocol addresses are believed; comma-separated.',
      renders: '`set_real_ip_from` and a `geo` (http)',
      expects: 'a comma-separated list of IP addresses or CIDR ranges (at most 100)',
      examples: ['0.0.0.0/0', '10.0.0.0/8, 192.168.0.0/16', '2001:db8::/32'],
      refused: ['10.0.0.0/33', 'lb.example.com', ''],
    }),
    entry({
      key: 'use-proxy-protocol',
      field: 'useProxyProtocol',
      kind: 'boolean',
      schema: BOOLEAN,
      maxLength: BOOLEAN_MAX_LENGTH,
      default: 'false',
      flag: 'use-proxy-protocol',
      doc: 'Every connection starts with a PROXY protocol header (v1 or v2) from a peer in `proxy-real-ip-cidr`: nginx behind an L4 load balancer.',
      renders: '`proxy_protocol` on the public `listen` lines, `real_ip_header proxy_protocol` (http)',
      expects: 'true or false',
      examples: ['true', 'false'],
      refused: ['v2'],
      differs: 'refused together with use-forwarded-headers, which ingress-nginx combines with a module plain nginx lacks',
    }),
  ],
};

/** The client-IP options in force: each ConfigMap key set overrides the flags' value. */
export function clientIpWith(flags: ClientIpOptions = DEFAULT_CLIENT_IP, g: GlobalConfig): ClientIpOptions {
  return Object.freeze({
    useForwardedHeaders: g.useForwardedHeaders ?? flags.useForwardedHeaders,
    forwardedForHeader: g.forwardedForHeader ?? flags.forwardedForHeader,
    computeFullForwardedFor: g.computeFullForwardedFor ?? flags.computeFullForwardedFor,
    proxyRealIpCidr: g.proxyRealIpCidr ?? flags.proxyRealIpCidr,
    useProxyProtocol: g.useProxyProtocol ?? flags.useProxyProtocol,
  });
}

/** Why the ConfigMap's client-IP keys cannot be rendered with these flags (one together with a flag), else undefined. */
export function clientIpConflict(flags: ClientIpOptions | undefined, g: GlobalConfig): string | undefined {
  const problem = clientIpProblem(clientIpWith(flags, g));
  return problem === undefined ? undefined : `${problem} (the ConfigMap's keys override the flags of the same names)`;
}
