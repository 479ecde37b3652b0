import { createHash } from 'node:crypto';
import { integerSchema, listSchema, unimplemented, type AnnotationEntry } from '../entry.js';
import { defineFeature } from '../feature.js';

// ingress-nginx's rate limits: internal/ingress/annotations/ratelimit/main.go and the template's
// buildRateLimitZones/buildRateLimit (rootfs/etc/nginx/template/nginx.tmpl).
// https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#rate-limiting

const ALLOWLIST = listSchema({ type: 'string', format: 'ip-or-cidr' }, 1000);
const ALLOWLIST_EXPECTS = 'IPv4/IPv6 addresses or CIDR ranges separated by commas, like 10.0.0.0/8, 2001:db8::/32';
const ALLOWLIST_DOC = 'Client addresses/ranges exempt from limit-rps, limit-rpm and limit-connections.';

/**
 * Shared memory per zone. ingress-nginx takes 5m per zone, three zones per Ingress; 1m holds the
 * state of about 16,000 client addresses (nginx evicts the least recently used when full) and
 * keeps a thousand rate-limited Ingresses within a few GB of address space.
 * https://nginx.org/en/docs/http/ngx_http_limit_req_module.html#limit_req_zone
 */
export const RATE_LIMIT_ZONE_SIZE = '1m';

/** ingress-nginx's default burst: five times the rate. */
const DEFAULT_BURST_MULTIPLIER = 5;

/** Rate and connection limits. */
export const RATE_LIMIT_ANNOTATIONS = [
  {
    key: 'limit-rps',
    controller: 'renders',
    kind: 'integer',
    schema: integerSchema(0, 1000000),
    maxLength: 7,
    risk: 'low',
    doc: 'Requests per second each client address may make to the Ingress (all its paths share the budget); excess requests get 503. 0 = no limit.',
    expects: 'a whole number of requests from 0 to 1000000',
    examples: ['10', '1'],
    differs: `Zones take ${RATE_LIMIT_ZONE_SIZE} of shared memory each (ingress-nginx: 5m).`,
  },
  {
    key: 'limit-rpm',
    controller: 'renders',
    kind: 'integer',
    schema: integerSchema(0, 60000000),
    maxLength: 8,
    risk: 'low',
    doc: 'Requests per minute each client address may make to the Ingress; excess requests get 503. 0 = no limit.',
    expects: 'a whole number of requests from 0 to 60000000',
    examples: ['300', '1'],
    differs: `Zones take ${RATE_LIMIT_ZONE_SIZE} of shared memory each (ingress-nginx: 5m).`,
  },
  {
    key: 'limit-connections',
    controller: 'renders',
    kind: 'integer',
    schema: integerSchema(0, 100000),
    maxLength: 6,
    risk: 'low',
    doc: 'Concurrent connections each client address may hold to the Ingress; more get 503. 0 = no limit.',
    expects: 'a whole number of connections from 0 to 100000',
    examples: ['10', '1'],
  },
  {
    key: 'limit-burst-multiplier',
    controller: 'renders',
    kind: 'integer',
    schema: integerSchema(0, 1000),
    maxLength: 4,
    risk: 'low',
    doc: 'Burst size of limit-rps and limit-rpm, as a multiple of the rate (default 5); bursts are served without delay.',
    expects: 'a whole number from 0 to 1000',
    examples: ['3', '1'],
  },
  {
    key: 'limit-allowlist',
    controller: 'renders',
    kind: 'list',
    schema: ALLOWLIST,
    maxLength: 32768,
    risk: 'low',
    doc: `${ALLOWLIST_DOC} Takes precedence over limit-whitelist.`,
    expects: ALLOWLIST_EXPECTS,
    examples: ['10.0.0.0/8, 192.168.0.0/16', '2001:db8::/32'],
  },
  {
    key: 'limit-whitelist',
    controller: 'renders',
    kind: 'list',
    schema: ALLOWLIST,
    maxLength: 32768,
    risk: 'low',
    doc: 'Older name of limit-allowlist; ignored when limit-allowlist is set.',
    expects: ALLOWLIST_EXPECTS,
    examples: ['10.0.0.0/8, 192.168.0.0/16', '127.0.0.1'],
  },
  {
    key: 'limit-rate',
    controller: 'renders',
    kind: 'integer',
    schema: integerSchema(0, 10485760),
    maxLength: 8,
    risk: 'low',
    doc: 'Response bandwidth per request, in kilobytes per second (nginx `limit_rate`). 0 = no limit.',
    expects: 'whole kilobytes per second from 0 to 10485760',
    examples: ['100', '1024'],
  },
  {
    key: 'limit-rate-after',
    controller: 'renders',
    kind: 'integer',
    schema: integerSchema(0, 1073741824),
    maxLength: 10,
    risk: 'low',
    doc: 'Kilobytes of each response sent at full speed before limit-rate applies (nginx `limit_rate_after`).',
    expects: 'whole kilobytes from 0 to 1073741824',
    examples: ['1024', '10'],
  },
] as const satisfies readonly AnnotationEntry[];

/**
 * ingress-nginx's global rate limit (a memcached-backed Lua limiter, removed in 1.12) is not
 * rendered: serving the Ingress without it would take unlimited requests.
 */
export const RATE_LIMIT_UNIMPLEMENTED = unimplemented('refuses', 'global rate limiting (memcached)', [
  'global-rate-limit',
  'global-rate-limit-window',
  'global-rate-limit-key',
  'global-rate-limit-ignored-cidrs',
]);

/** A request-rate zone: `rate` requests per `per`, with a burst served without delay. */
export interface RequestLimit {
  readonly rate: number;
  readonly per: 's' | 'm';
  readonly burst: number;
}

/** One Ingress's limits; `id` names its zones (from the Ingress and the limits, see zoneId). */
export interface RateLimitConfig {
  readonly id: string;
  readonly rps?: RequestLimit;
  readonly rpm?: RequestLimit;
  readonly connections?: number;
  /** Client addresses/ranges not limited (sorted). */
  readonly allowlist: readonly string[];
  /** Kilobytes per second, and kilobytes before the limit. */
  readonly rate?: number;
  readonly rateAfter?: number;
}

/**
 * Zones are per Ingress, as ingress-nginx's (`<namespace>_<name>_<uid>`): all paths of one Ingress
 * share a budget, two Ingresses never do. The hash also covers the limits, so a changed limit is a
 * new zone: nginx refuses to reload a zone whose rate or size changed under the same name.
 */
function zoneId(ingress: string, limits: object): string {
  return createHash('sha256').update(`${ingress}\0${JSON.stringify(limits)}`).digest('hex').slice(0, 16);
}

/** The variable the zones key on: the client address, or '' (not counted) for allow-listed clients. */
function keyOf(c: RateLimitConfig): string {
  return c.allowlist.length > 0 ? `$gh_limit_${c.id}` : '$binary_remote_addr';
}

const RATE_LIMIT_KEYS: readonly string[] = RATE_LIMIT_ANNOTATIONS.map((e) => e.key);

export const rateLimitFeature = defineFeature({
  id: 'rate-limit',
  entries: RATE_LIMIT_ANNOTATIONS,
  unimplemented: RATE_LIMIT_UNIMPLEMENTED,
  check(values) {
    const limited = ['limit-rps', 'limit-rpm', 'limit-connections'].some((k) => typeof values[k] === 'number' && values[k] > 0);
    const findings = [];
    if (values['limit-allowlist'] !== undefined && values['limit-whitelist'] !== undefined) {
      findings.push({ key: 'limit-whitelist', severity: 'warn' as const, drop: true, message: 'ignored: nginx.ingress.kubernetes.io/limit-allowlist is also set and takes precedence' });
    }
    for (const key of ['limit-burst-multiplier', 'limit-allowlist', 'limit-whitelist']) {
      if (values[key] !== undefined && !limited) {
        findings.push({ key, severity: 'warn' as const, message: 'has no effect without limit-rps, limit-rpm or limit-connections above 0' });
      }
    }
    return findings;
  },
  parse(read, context): RateLimitConfig | undefined {
    if (!RATE_LIMIT_KEYS.some((k) => read.has(k))) return undefined;
    const multiplier = read.int('limit-burst-multiplier') ?? DEFAULT_BURST_MULTIPLIER;
    const request = (rate: number | undefined, per: 's' | 'm'): RequestLimit | undefined => (rate ? { rate, per, burst: rate * multiplier } : undefined);
    const rps = request(read.int('limit-rps'), 's');
    const rpm = request(read.int('limit-rpm'), 'm');
    const connections = read.int('limit-connections') || undefined;
    const allowlist = [...(read.list('limit-allowlist', 'cidr') ?? read.list('limit-whitelist', 'cidr') ?? [])].sort();
    const rate = read.int('limit-rate') || undefined;
    const rateAfter = read.int('limit-rate-after') || undefined;
    const limits = {
      ...(rps ? { rps } : {}),
      ...(rpm ? { rpm } : {}),
      ...(connections ? { connections } : {}),
      allowlist,
      ...(rate ? { rate } : {}),
      ...(rateAfter ? { rateAfter } : {}),
    };
    return { id: zoneId(`${context.namespace}/${context.name ?? ''}`, limits), ...limits };
  },
  http(c) {
    const key = keyOf(c);
    const lines: string[] = [];
    if (c.allowlist.length > 0) {
      lines.push(
        `geo $remote_addr $gh_limit_exempt_${c.id} {`,
        '    default 0;',
        ...c.allowlist.map((cidr) => `    ${cidr} 1;`),
        '}',
        // An empty key is not counted: https://nginx.org/en/docs/http/ngx_http_limit_req_module.html#limit_req_zone
        `map $gh_limit_exempt_${c.id} ${key} {`,
        '    0 $binary_remote_addr;',
        '    1 "";',
        '}',
      );
    }
    if (c.connections) lines.push(`limit_conn_zone ${key} zone=gh_${c.id}_conn:${RATE_LIMIT_ZONE_SIZE};`);
    if (c.rps) lines.push(`limit_req_zone ${key} zone=gh_${c.id}_rps:${RATE_LIMIT_ZONE_SIZE} rate=${c.rps.rate}r/s;`);
    if (c.rpm) lines.push(`limit_req_zone ${key} zone=gh_${c.id}_rpm:${RATE_LIMIT_ZONE_SIZE} rate=${c.rpm.rate}r/m;`);
    return c.connections || c.rps || c.rpm ? lines : [];
  },
  location(c) {
    // Rejected requests and connections get nginx's default 503, ingress-nginx's default
    // limit-req-status-code and limit-conn-status-code.
    return {
      directives: [
        ...(c.connections ? [`limit_conn gh_${c.id}_conn ${c.connections};`] : []),
        ...(c.rps ? [`limit_req zone=gh_${c.id}_rps burst=${c.rps.burst} nodelay;`] : []),
        ...(c.rpm ? [`limit_req zone=gh_${c.id}_rpm burst=${c.rpm.burst} nodelay;`] : []),
        // ingress-nginx's units are kilobytes.
        ...(c.rateAfter ? [`limit_rate_after ${c.rateAfter}k;`] : []),
        ...(c.rate ? [`limit_rate ${c.rate}k;`] : []),
      ],
    };
  },
});
