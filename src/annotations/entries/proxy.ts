import { integerSchema, patternSchema, type AnnotationEntry } from '../entry.js';

/** Proxying limits. http://nginx.org/en/docs/http/ngx_http_proxy_module.html */
export const PROXY_ANNOTATIONS = [
  {
    key: 'proxy-body-size',
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
    kind: 'integer',
    schema: integerSchema(1, 3600),
    maxLength: 4,
    risk: 'low',
    doc: 'Seconds allowed between two writes to the backend.',
    expects: 'whole seconds from 1 to 3600',
    examples: ['60', '120'],
  },
] as const satisfies readonly AnnotationEntry[];
