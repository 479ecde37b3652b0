import { integerSchema, patternSchema, type AnnotationEntry } from '../entry.js';
import { defineFeature } from '../feature.js';
import { optional } from '../optional.js';
import { Unrenderable } from '../reader.js';

/** nginx's proxy_next_upstream conditions (grpc_next_upstream takes the same). */
const CONDITIONS = ['error', 'timeout', 'invalid_header', 'http_500', 'http_502', 'http_503', 'http_504', 'http_403', 'http_404', 'http_429', 'non_idempotent', 'off'] as const;
const CONDITION = `(?:${CONDITIONS.join('|')})`;

/**
 * When a request fails on one endpoint, trying the next one.
 * http://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_next_upstream
 */
export const PROXY_RETRY_ANNOTATIONS = [
  {
    key: 'proxy-next-upstream',
    controller: 'renders',
    kind: 'string',
    schema: patternSchema(`^${CONDITION}(?: ${CONDITION}){0,11}$`, 160),
    maxLength: 160,
    risk: 'low',
    doc: 'When to pass a request to the next endpoint (`proxy_next_upstream`, `grpc_next_upstream` for gRPC backends): nginx\'s conditions separated by spaces, or `off`.',
    expects: `off, or conditions among ${CONDITIONS.filter((c) => c !== 'off').join(', ')} separated by spaces`,
    examples: ['error timeout http_502', 'off', 'error timeout http_503 non_idempotent'],
  },
  {
    key: 'proxy-next-upstream-timeout',
    controller: 'renders',
    kind: 'integer',
    schema: integerSchema(0, 3600),
    maxLength: 4,
    risk: 'low',
    doc: 'Seconds during which a request may be passed to the next endpoint; 0 for no limit.',
    expects: 'whole seconds from 0 to 3600',
    examples: ['10', '0'],
  },
  {
    key: 'proxy-next-upstream-tries',
    controller: 'renders',
    kind: 'integer',
    schema: integerSchema(0, 20),
    maxLength: 2,
    risk: 'low',
    doc: 'Most attempts (the first included) for one request; 0 for no limit.',
    differs: 'At most 20 attempts, where ingress-nginx takes any number.',
    expects: 'a whole number from 0 to 20',
    examples: ['3', '1'],
  },
] as const satisfies readonly AnnotationEntry[];

export interface ProxyRetriesConfig {
  /** Conditions separated by spaces, each one of CONDITIONS. */
  readonly conditions?: string;
  readonly timeout?: number;
  readonly tries?: number;
}

export const proxyRetriesFeature = defineFeature({
  id: 'proxy-retries',
  entries: PROXY_RETRY_ANNOTATIONS,
  check(values) {
    const v = values['proxy-next-upstream'];
    if (typeof v === 'string' && v.split(' ').includes('off') && v !== 'off') {
      return [{ key: 'proxy-next-upstream', severity: 'deny', message: '`off` cannot be combined with other conditions' }];
    }
    return [];
  },
  parse(read): ProxyRetriesConfig | undefined {
    const conditions = read.str('proxy-next-upstream', 'header');
    // The catalog's pattern allows only CONDITIONS; checked again so nothing else is rendered.
    if (conditions !== undefined && !conditions.split(' ').every((c) => (CONDITIONS as readonly string[]).includes(c))) {
      throw new Unrenderable('annotation proxy-next-upstream cannot be rendered safely', 'proxy-next-upstream');
    }
    const config: ProxyRetriesConfig = {
      ...optional('conditions', conditions),
      ...optional('timeout', read.int('proxy-next-upstream-timeout')),
      ...optional('tries', read.int('proxy-next-upstream-tries')),
    };
    return Object.keys(config).length > 0 ? config : undefined;
  },
  location(c, { pass, proxies }) {
    if (!proxies) return {};
    return {
      directives: [
        ...(c.conditions !== undefined ? [`${pass}_next_upstream ${c.conditions};`] : []),
        ...(c.timeout !== undefined ? [`${pass}_next_upstream_timeout ${c.timeout}s;`] : []),
        ...(c.tries !== undefined ? [`${pass}_next_upstream_tries ${c.tries};`] : []),
      ],
    };
  },
});
