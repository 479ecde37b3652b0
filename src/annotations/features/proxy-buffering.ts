import { sizeBytes } from '../../nginx/size.js';
import { enumSchema, integerSchema, patternSchema, type AnnotationEntry } from '../entry.js';
import { defineFeature } from '../feature.js';
import { optional } from '../optional.js';

const ON_OFF = enumSchema(['on', 'off']);
const SIZE_PATTERN = '^[1-9][0-9]{0,8}[kKmMgG]?$';

/**
 * A size annotation bounded by `max` bytes: one Ingress must not make nginx allocate without
 * limit (memory buffers are per request, so a `1g` buffer lets one client exhaust the controller).
 */
function boundedSize(max: number, maxText: string): (value: unknown) => string | undefined {
  return (value) => {
    const bytes = typeof value === 'string' ? sizeBytes(value) : undefined;
    return bytes === undefined || bytes > max ? `must be at most ${maxText} (a bound Gatehouse sets so one Ingress cannot exhaust the controller)` : undefined;
  };
}

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;
const BOUND = (what: string) => `Bounded at ${what}, where ingress-nginx takes any size.`;

/**
 * Buffering between client, nginx and backend: performance, not who reaches what.
 * http://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffering
 */
export const PROXY_BUFFERING_ANNOTATIONS = [
  {
    key: 'proxy-buffering',
    controller: 'renders',
    kind: 'string',
    schema: ON_OFF,
    maxLength: 3,
    risk: 'low',
    doc: 'Buffer backend responses (`proxy_buffering`); `off` streams them to the client as they arrive. Not applied to gRPC backends (nginx has no grpc_buffering).',
    expects: 'on or off',
    examples: ['off', 'on'],
  },
  {
    key: 'proxy-buffer-size',
    controller: 'renders',
    kind: 'string',
    schema: patternSchema(SIZE_PATTERN, 10),
    maxLength: 10,
    fits: boundedSize(256 * KB, '256k'),
    risk: 'low',
    doc: 'Size of each buffer for the backend response (`proxy_buffer_size` and the size of `proxy_buffers`; `grpc_buffer_size` for gRPC backends).',
    differs: BOUND('256k'),
    expects: 'a size like 8k or 16k, at most 256k',
    examples: ['16k', '8k'],
  },
  {
    key: 'proxy-buffers-number',
    controller: 'renders',
    kind: 'integer',
    // nginx needs proxy_busy_buffers_size (twice the buffer size) below all buffers minus one.
    schema: integerSchema(4, 32),
    maxLength: 2,
    risk: 'low',
    doc: 'Number of response buffers per request (`proxy_buffers`), each proxy-buffer-size (4k unless set). Not applied to gRPC backends.',
    differs: 'From 4 to 32: fewer fail nginx\'s own check of the busy buffers, more would let one Ingress claim 8m of memory per request.',
    expects: 'a whole number from 4 to 32',
    examples: ['8', '4'],
  },
  {
    key: 'proxy-request-buffering',
    controller: 'renders',
    kind: 'string',
    schema: ON_OFF,
    maxLength: 3,
    risk: 'low',
    doc: 'Read the whole request body before sending it to the backend (`proxy_request_buffering`); `off` streams it. Not applied to gRPC backends.',
    expects: 'on or off',
    examples: ['off', 'on'],
  },
  {
    key: 'proxy-max-temp-file-size',
    controller: 'renders',
    kind: 'string',
    schema: { anyOf: [{ type: 'string', enum: ['0'] }, patternSchema(SIZE_PATTERN, 10)] },
    maxLength: 10,
    fits: boundedSize(4 * GB, '4g'),
    risk: 'low',
    doc: 'Largest temporary file for a response that does not fit the buffers (`proxy_max_temp_file_size`); 0 turns temporary files off. Not applied to gRPC backends.',
    differs: BOUND('4g'),
    expects: 'a size like 1024m, at most 4g, or 0',
    examples: ['1024m', '0'],
  },
  {
    key: 'client-body-buffer-size',
    controller: 'renders',
    kind: 'string',
    schema: patternSchema(SIZE_PATTERN, 10),
    maxLength: 10,
    fits: boundedSize(16 * MB, '16m'),
    risk: 'low',
    doc: 'Memory buffer for a request body (`client_body_buffer_size`); larger bodies go to a temporary file.',
    differs: BOUND('16m'),
    expects: 'a size like 16k or 1m, at most 16m',
    examples: ['1m', '16k'],
  },
  {
    key: 'proxy-http-version',
    controller: 'renders',
    kind: 'string',
    schema: enumSchema(['1.0', '1.1']),
    maxLength: 3,
    risk: 'low',
    doc: 'HTTP version nginx speaks to the backend (`proxy_http_version`, 1.1 by default; 1.0 has no keepalive). Not applied to gRPC backends (always HTTP/2).',
    expects: '1.0 or 1.1',
    examples: ['1.0', '1.1'],
  },
] as const satisfies readonly AnnotationEntry[];

/** What the annotations say, escaped; absent = nginx's defaults (and http-level proxy_http_version 1.1). */
export interface ProxyBufferingConfig {
  readonly buffering?: 'on' | 'off';
  readonly bufferSize?: string;
  readonly buffersNumber?: number;
  readonly requestBuffering?: 'on' | 'off';
  readonly maxTempFileSize?: string;
  readonly clientBodyBufferSize?: string;
  readonly httpVersion?: '1.0' | '1.1';
}

/** ingress-nginx's defaults for the other half of `proxy_buffers <number> <size>`. */
const DEFAULT_BUFFER_SIZE = '4k';
const DEFAULT_BUFFERS_NUMBER = 4;

export const proxyBufferingFeature = defineFeature({
  id: 'proxy-buffering',
  entries: PROXY_BUFFERING_ANNOTATIONS,
  parse(read): ProxyBufferingConfig | undefined {
    const config: ProxyBufferingConfig = {
      ...optional('buffering', read.oneOf('proxy-buffering', ['on', 'off'])),
      ...optional('bufferSize', read.str('proxy-buffer-size', 'size')),
      ...optional('buffersNumber', read.int('proxy-buffers-number')),
      ...optional('requestBuffering', read.oneOf('proxy-request-buffering', ['on', 'off'])),
      ...optional('maxTempFileSize', read.str('proxy-max-temp-file-size', 'size')),
      ...optional('clientBodyBufferSize', read.str('client-body-buffer-size', 'size')),
      ...optional('httpVersion', read.oneOf('proxy-http-version', ['1.0', '1.1'])),
    };
    return Object.keys(config).length > 0 ? config : undefined;
  },
  /**
   * The grpc module has only grpc_buffer_size: the other settings are left out on gRPC locations
   * (they tune performance; the same clients reach the same backend without them).
   */
  location(c, { pass }) {
    const body = c.clientBodyBufferSize !== undefined ? [`client_body_buffer_size ${c.clientBodyBufferSize};`] : [];
    if (pass === 'grpc') return { directives: [...body, ...(c.bufferSize !== undefined ? [`grpc_buffer_size ${c.bufferSize};`] : [])] };
    const buffers = c.bufferSize !== undefined || c.buffersNumber !== undefined;
    const size = c.bufferSize ?? DEFAULT_BUFFER_SIZE;
    return {
      directives: [
        ...(c.buffering !== undefined ? [`proxy_buffering ${c.buffering};`] : []),
        ...(buffers ? [`proxy_buffer_size ${size};`, `proxy_buffers ${c.buffersNumber ?? DEFAULT_BUFFERS_NUMBER} ${size};`] : []),
        ...(c.requestBuffering !== undefined ? [`proxy_request_buffering ${c.requestBuffering};`] : []),
        ...(c.maxTempFileSize !== undefined ? [`proxy_max_temp_file_size ${c.maxTempFileSize};`] : []),
        ...body,
        ...(c.httpVersion !== undefined ? [`proxy_http_version ${c.httpVersion};`] : []),
      ],
    };
  },
});
