import { integerSchema } from '../../annotations/entry.js';
import { entry, type ConfigMapGroup } from '../entry.js';

/**
 * Backend timeouts: the http-level defaults that the proxy-*-timeout annotations override per
 * location. gRPC backends get the same values (grpc_*_timeout), as ingress-nginx renders them.
 * http://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout
 */
export const timeoutsGroup: ConfigMapGroup = {
  id: 'timeouts',
  title: 'Backend timeouts (defaults the `proxy-*-timeout` annotations override)',
  entries: [
    entry({
      key: 'proxy-connect-timeout',
      field: 'proxyConnectTimeout',
      kind: 'integer',
      // "This timeout cannot usually exceed 75 seconds." (proxy_connect_timeout); the annotation's range.
      schema: integerSchema(1, 75),
      maxLength: 2,
      default: '5',
      doc: 'Seconds to wait for a connection to a backend.',
      renders: '`proxy_connect_timeout`, `grpc_connect_timeout` (http)',
      expects: 'whole seconds from 1 to 75',
      examples: ['5', '75'],
      refused: ['0', '76', '5s', '-1', ''],
    }),
    entry({
      key: 'proxy-read-timeout',
      field: 'proxyReadTimeout',
      kind: 'integer',
      schema: integerSchema(1, 3600),
      maxLength: 4,
      default: '60',
      doc: 'Seconds allowed between two reads from a backend; a slower backend gets 504.',
      renders: '`proxy_read_timeout`, `grpc_read_timeout` (http)',
      expects: 'whole seconds from 1 to 3600',
      examples: ['60', '3600'],
      refused: ['0', '3601', '1m', '60;'],
    }),
    entry({
      key: 'proxy-send-timeout',
      field: 'proxySendTimeout',
      kind: 'integer',
      schema: integerSchema(1, 3600),
      maxLength: 4,
      default: '60',
      doc: 'Seconds allowed between two writes to a backend.',
      renders: '`proxy_send_timeout`, `grpc_send_timeout` (http)',
      expects: 'whole seconds from 1 to 3600',
      examples: ['60', '120'],
      refused: ['0', '99999', 'sixty'],
    }),
  ],
};
