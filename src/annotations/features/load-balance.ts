import { HASH_KEY_MAX_LENGTH, hashKeyProblem } from '../../nginx/hash-key.js';
import { enumSchema, patternSchema, unimplemented, type AnnotationEntry } from '../entry.js';
import { defineFeature } from '../feature.js';

/**
 * How the endpoints of the Ingress's Services share its requests (nginx/compile-ingress.ts
 * decides with cookie affinity first, as ingress-nginx's balancer does).
 * https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#custom-nginx-load-balancing
 */
export interface LoadBalanceConfig {
  /** upstream-hash-by: consistent hash on this key (escaped). */
  readonly hashKey?: string;
  readonly method: 'round_robin' | 'ewma';
}

export const LOAD_BALANCE_ANNOTATIONS = [
  {
    key: 'upstream-hash-by',
    controller: 'renders',
    kind: 'string',
    schema: patternSchema('^(?:\\$[a-z_][a-z0-9_]*|[A-Za-z0-9_.:/-])+$', HASH_KEY_MAX_LENGTH),
    charset: 'variables',
    maxLength: HASH_KEY_MAX_LENGTH,
    fits: (value) => (typeof value === 'string' ? hashKeyProblem(value) : undefined),
    risk: 'high',
    doc: 'Consistent hashing: requests with the same key go to the same endpoint, and only the keys of an endpoint that goes move (a ring in the Lua endpoint channel; `hash <key> consistent` with --dynamic-endpoints=false). The key combines request variables ($request_uri, $remote_addr, $http_*, $cookie_*, $arg_* ...) and text.',
    expects: 'request variables and text, such as $request_uri or $http_x_user_id',
    examples: ['$request_uri', '$remote_addr', '$http_x_user_id', '$host$request_uri'],
    differs: 'Variables are written without braces (`$request_uri`, not `${request_uri}`) and must describe the request (an allow-list); cookie affinity still wins when both are set, as in ingress-nginx.',
  },
  {
    key: 'load-balance',
    controller: 'renders',
    kind: 'string',
    schema: enumSchema(['round_robin', 'ewma']),
    maxLength: 11,
    risk: 'low',
    doc: 'Balancing algorithm: round_robin (default) or ewma (latency-aware).',
    expects: '"round_robin" or "ewma"',
    examples: ['ewma', 'round_robin'],
    differs: "ewma is ingress-nginx's latency-weighted Lua balancer; Gatehouse sends each request to the endpoint with the fewest requests in flight from that nginx worker (least-conn, in its Lua endpoint channel; nginx's least_conn with --dynamic-endpoints=false), which also steers traffic away from slow endpoints.",
  },
] as const satisfies readonly AnnotationEntry[];

/**
 * Subset hashing picks a random endpoint within a hashed subset (Lua in ingress-nginx); without
 * it the key still hashes to one endpoint: same clients, same backends.
 */
export const LOAD_BALANCE_UNIMPLEMENTED = unimplemented('ignores', 'hashing to a subset of endpoints', ['upstream-hash-by-subset', 'upstream-hash-by-subset-size'], 'Harmless: upstream-hash-by still sends each key to one endpoint (not spread over a subset).');

export const loadBalanceFeature = defineFeature({
  id: 'load-balance',
  entries: LOAD_BALANCE_ANNOTATIONS,
  unimplemented: LOAD_BALANCE_UNIMPLEMENTED,
  parse(read): LoadBalanceConfig | undefined {
    const hashKey = read.str('upstream-hash-by', 'hash-key');
    const method = read.oneOf('load-balance', ['round_robin', 'ewma']);
    if (hashKey === undefined && method === undefined) return undefined;
    return { ...(hashKey !== undefined ? { hashKey } : {}), method: method ?? 'round_robin' };
  },
});
