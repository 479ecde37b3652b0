import { BOOLEAN, BOOLEAN_MAX_LENGTH, integerSchema, patternSchema, unimplemented, type AnnotationEntry, type UnimplementedEntry } from '../entry.js';
import { defineFeature } from '../feature.js';
import { optional } from '../optional.js';

/** Proxying limits. http://nginx.org/en/docs/http/ngx_http_proxy_module.html */
export const PROXY_ANNOTATIONS = [
  {
    key: 'proxy-body-size',
    controller: 'renders',
    kind: 'string',
    // nginx size syntax: a number with an optional k/m/g suffix; 0 disables the check.
    // http://nginx.org/en/docs/syntax.html
    schema: patternSchema('^(?:0|[1-9][0-9]{0,8})[kKmMgG]?$', 10),
    maxLength: 10,
    risk: 'low',
    doc: 'Largest request body accepted (`client_max_body_size`); larger requests get 413.',
    expects: 'a size like 8m, 512k or 0',
    examples: ['8m', '512k', '0', '1g'],
  },
  {
    key: 'proxy-connect-timeout',
    controller: 'renders',
    kind: 'integer',
    // "This timeout cannot usually exceed 75 seconds." (proxy_connect_timeout)
    schema: integerSchema(1, 75),
    maxLength: 2,
    risk: 'low',
    doc: 'Seconds to wait for a connection to the backend.',
    expects: 'whole seconds from 1 to 75',
    examples: ['5', '30'],
  },
  {
    key: 'proxy-read-timeout',
    controller: 'renders',
    kind: 'integer',
    schema: integerSchema(1, 3600),
    maxLength: 4,
    risk: 'low',
    doc: 'Seconds allowed between two reads from the backend.',
    expects: 'whole seconds from 1 to 3600',
    examples: ['60', '3600'],
  },
  {
    key: 'proxy-send-timeout',
    controller: 'renders',
    kind: 'integer',
    schema: integerSchema(1, 3600),
    maxLength: 4,
    risk: 'low',
    doc: 'Seconds allowed between two writes to the backend.',
    expects: 'whole seconds from 1 to 3600',
    examples: ['60', '120'],
  },
] as const satisfies readonly AnnotationEntry[];

/**
 * Proxy settings the controller does not render. proxy-busy-buffers-size changes performance, not
 * who reaches what: ignored (buffering, retries, request headers, response rewrites and custom
 * headers are features of their own: proxy-buffering.ts, proxy-retries.ts, upstream-headers.ts,
 * response-rewrites.ts, custom-headers.ts).
 */
export const PROXY_UNIMPLEMENTED: readonly UnimplementedEntry[] = [
  ...unimplemented('ignores', 'proxy buffering', ['proxy-busy-buffers-size'], 'Harmless: nginx sizes busy buffers from proxy-buffer-size (rendered); only memory use differs.'),
];

/** Request size and backend timeouts; absent values keep the http-level defaults (nginx/render.ts). */
export interface ProxyConfig {
  /** nginx size, e.g. `8m`. */
  readonly bodySize?: string;
  /** Seconds. */
  readonly connectTimeout?: number;
  readonly sendTimeout?: number;
  readonly readTimeout?: number;
}

export const proxyFeature = defineFeature({
  id: 'proxy',
  entries: PROXY_ANNOTATIONS,
  unimplemented: PROXY_UNIMPLEMENTED,
  parse(read): ProxyConfig | undefined {
    const config: ProxyConfig = {
      ...optional('bodySize', read.str('proxy-body-size', 'size')),
      ...optional('connectTimeout', read.int('proxy-connect-timeout')),
      ...optional('sendTimeout', read.int('proxy-send-timeout')),
      ...optional('readTimeout', read.int('proxy-read-timeout')),
    };
    return Object.keys(config).length > 0 ? config : undefined;
  },
  location(c, { pass }) {
    return {
      directives: [
        ...(c.bodySize !== undefined ? [`client_max_body_size ${c.bodySize};`] : []),
        ...(c.connectTimeout !== undefined ? [`${pass}_connect_timeout ${c.connectTimeout}s;`] : []),
        ...(c.sendTimeout !== undefined ? [`${pass}_send_timeout ${c.sendTimeout}s;`] : []),
        ...(c.readTimeout !== undefined ? [`${pass}_read_timeout ${c.readTimeout}s;`] : []),
      ],
    };
  },
});
