import { integerSchema, patternSchema } from '../../annotations/entry.js';
import { entry, SIZE_PATTERN, sizeEntryFits, type ConfigMapGroup } from '../entry.js';

const KIB = 1024;
const MIB = 1024 * KIB;

/** `NUMBER SIZE`, as large_client_header_buffers takes it. */
const BUFFERS = '^[1-9][0-9]{0,2} [1-9][0-9]{0,6}[kKmM]?$';

/**
 * Request size and buffers. http://nginx.org/en/docs/http/ngx_http_core_module.html#client_max_body_size
 * http://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffers
 */
export const buffersGroup: ConfigMapGroup = {
  id: 'buffers',
  title: 'Request size and buffers',
  entries: [
    entry({
      key: 'proxy-body-size',
      field: 'proxyBodySize',
      kind: 'string',
      // 0 disables the check; the annotation's syntax.
      schema: patternSchema('^(?:0|[1-9][0-9]{0,8}[kKmMgG]?)$', 10),
      maxLength: 10,
      default: '1m',
      doc: 'Largest request body accepted; larger requests get 413. The `proxy-body-size` annotation overrides it per location.',
      renders: '`client_max_body_size` (http)',
      expects: 'a size like 8m, 512k or 0 (no limit)',
      examples: ['1m', '8m', '512k', '0', '1g'],
      refused: ['8 m', '8mb', '-1', '1t', '08m'],
    }),
    entry({
      key: 'proxy-buffer-size',
      field: 'proxyBufferSize',
      kind: 'string',
      schema: patternSchema(SIZE_PATTERN, 8),
      maxLength: 8,
      default: '4k',
      fits: sizeEntryFits(KIB, 1 * MIB),
      doc: 'Buffer for the first part of a backend response (its headers); also the size of each of `proxy-buffers-number` buffers.',
      renders: '`proxy_buffer_size`, `proxy_buffers` (http)',
      expects: 'a size from 1k to 1m, like 4k or 16k',
      examples: ['4k', '16k', '1m'],
      refused: ['0', '512', '2m', '4 k', '4kb'],
    }),
    entry({
      key: 'proxy-buffers-number',
      field: 'proxyBuffersNumber',
      kind: 'integer',
      // nginx refuses proxy_busy_buffers_size (2 buffers by default) >= all buffers minus one: at least 4.
      schema: integerSchema(4, 1024),
      maxLength: 4,
      default: '4',
      doc: 'Number of `proxy-buffer-size` buffers for one backend response.',
      renders: '`proxy_buffers` (http)',
      expects: 'a whole number from 4 to 1024',
      examples: ['4', '8', '64'],
      refused: ['3', '0', '1025', 'four'],
      differs: 'values below 4 are refused: with them nginx rejects its default proxy_busy_buffers_size',
    }),
    entry({
      key: 'client-body-buffer-size',
      field: 'clientBodyBufferSize',
      kind: 'string',
      schema: patternSchema(SIZE_PATTERN, 8),
      maxLength: 8,
      default: '8k',
      fits: sizeEntryFits(KIB, 64 * MIB),
      doc: 'Request bodies larger than this are written to a temporary file.',
      renders: '`client_body_buffer_size` (http)',
      expects: 'a size from 1k to 64m, like 8k or 1m',
      examples: ['8k', '16k', '1m'],
      refused: ['0', '100m', '8 k'],
    }),
    entry({
      key: 'client-header-buffer-size',
      field: 'clientHeaderBufferSize',
      kind: 'string',
      schema: patternSchema(SIZE_PATTERN, 8),
      maxLength: 8,
      default: '1k',
      fits: sizeEntryFits(KIB, 1 * MIB),
      doc: 'Buffer for request headers; longer header lines use `large-client-header-buffers`.',
      renders: '`client_header_buffer_size` (http)',
      expects: 'a size from 1k to 1m, like 1k or 4k',
      examples: ['1k', '4k'],
      refused: ['0', '10m', 'big'],
    }),
    entry({
      key: 'large-client-header-buffers',
      field: 'largeClientHeaderBuffers',
      kind: 'string',
      schema: patternSchema(BUFFERS, 12),
      maxLength: 12,
      default: '4 8k',
      fits: (value: never) => {
        const bytes = Number.parseInt((value as string).split(' ')[1]!, 10) * ({ k: KIB, m: MIB }[(value as string).slice(-1).toLowerCase()] ?? 1);
        // nginx: a request line or header longer than one buffer gets 414/400; below 1k nothing works.
        return bytes < KIB || bytes > 1 * MIB ? 'must have a buffer size from 1k to 1m' : undefined;
      },
      doc: 'Number and size of the buffers for long request lines and headers (414/400 beyond).',
      renders: '`large_client_header_buffers` (http)',
      expects: 'a number and a size, like 4 8k or 8 16k',
      examples: ['4 8k', '8 16k', '4 32k'],
      refused: ['4', '8k', '4  8k', '0 8k', '4 2m', '4 8k;'],
    }),
  ],
};
