import { BOOLEAN, integerSchema } from '../../annotations/entry.js';
import { entry, type ConfigMapGroup } from '../entry.js';

/** Protocols nginx 1.22 with Debian's OpenSSL 3 speaks; SSLv2/SSLv3 are refused (RFC 7568). */
const TLS_PROTOCOLS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

/**
 * An OpenSSL cipher list: names, `:`/`,`/space separators and the `!`, `+`, `-`, `@` operators
 * (`@SECLEVEL=1`). https://docs.openssl.org/3.0/man1/openssl-ciphers/#cipher-list-format
 */
const CIPHER_LIST = '^[A-Za-z0-9!+@=._-]+(?:[:, ][A-Za-z0-9!+@=._-]+)*$';

/**
 * TLS, HSTS, the HTTP→HTTPS redirect and HTTP/2.
 * http://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_protocols
 * https://www.rfc-editor.org/rfc/rfc6797 (HSTS)
 */
export const tlsGroup: ConfigMapGroup = {
  id: 'tls',
  title: 'TLS, HSTS, HTTPS redirect, HTTP/2',
  entries: [
    entry({
      key: 'ssl-protocols',
      field: 'sslProtocols',
      kind: 'string',
      schema: { type: 'string', minLength: 1, maxLength: 40, pattern: `^(?:${TLS_PROTOCOLS.map((p) => p.replace('.', '\\.')).join('|')})(?: (?:${TLS_PROTOCOLS.map((p) => p.replace('.', '\\.')).join('|')}))*$` },
      maxLength: 40,
      default: 'TLSv1.2 TLSv1.3',
      convert: ((value: string) => Object.freeze([...new Set(value.split(' '))])) as (value: never) => readonly string[],
      doc: 'TLS versions offered to clients, separated by spaces.',
      renders: '`ssl_protocols` (http)',
      expects: 'TLS versions separated by spaces, from TLSv1, TLSv1.1, TLSv1.2, TLSv1.3',
      examples: ['TLSv1.2 TLSv1.3', 'TLSv1.3', 'TLSv1 TLSv1.1 TLSv1.2 TLSv1.3'],
      refused: ['SSLv3 TLSv1.2', 'TLSv1.4', 'TLSv1.2,TLSv1.3', 'TLSv1.2  TLSv1.3', ''],
      differs: 'SSLv2 and SSLv3 are refused',
    }),
    entry({
      key: 'ssl-ciphers',
      field: 'sslCiphers',
      kind: 'string',
      schema: { type: 'string', maxLength: 2048, pattern: `^(?:|${CIPHER_LIST.slice(1, -1)})$` },
      maxLength: 2048,
      default: '',
      doc: "OpenSSL cipher list for TLS 1.2 and below (TLS 1.3 suites are OpenSSL's); empty: nginx's default `HIGH:!aNULL:!MD5`.",
      renders: '`ssl_ciphers` (http; with `ssl_prefer_server_ciphers on`)',
      expects: 'an OpenSSL cipher list like ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256',
      examples: ['ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256', 'HIGH:!aNULL:!MD5', ''],
      refused: ['HIGH;', 'HIGH:"x"', 'HIGH:$x', 'HIGH\n'],
      differs: "default nginx's HIGH:!aNULL:!MD5 (ingress-nginx: a list of ECDHE/DHE GCM and CHACHA20 suites)",
    }),
    entry({
      key: 'hsts',
      field: 'hsts',
      kind: 'boolean',
      schema: BOOLEAN,
      maxLength: 5,
      default: 'false',
      doc: 'Send `Strict-Transport-Security` on HTTPS responses.',
      renders: '`add_header Strict-Transport-Security … always` (http, and in locations that add headers themselves)',
      expects: 'true or false',
      examples: ['true', 'false'],
      refused: ['yes', 'on', ''],
      differs: 'off by default (ingress-nginx: on), as Gatehouse served before the ConfigMap; set it to true to keep ingress-nginx behaviour',
    }),
    entry({
      key: 'hsts-max-age',
      field: 'hstsMaxAge',
      kind: 'integer',
      schema: integerSchema(0, 315_360_000),
      maxLength: 9,
      default: '31536000',
      doc: 'The `max-age` of the HSTS header, in seconds.',
      renders: 'the HSTS header value',
      expects: 'whole seconds from 0 to 315360000',
      examples: ['31536000', '0'],
      refused: ['-1', '1y', '999999999999'],
    }),
    entry({
      key: 'hsts-include-subdomains',
      field: 'hstsIncludeSubdomains',
      kind: 'boolean',
      schema: BOOLEAN,
      maxLength: 5,
      default: 'true',
      doc: 'Add `includeSubDomains` to the HSTS header.',
      renders: 'the HSTS header value',
      expects: 'true or false',
      examples: ['true', 'false'],
      refused: ['maybe'],
    }),
    entry({
      key: 'hsts-preload',
      field: 'hstsPreload',
      kind: 'boolean',
      schema: BOOLEAN,
      maxLength: 5,
      default: 'false',
      doc: 'Add `preload` to the HSTS header.',
      renders: 'the HSTS header value',
      expects: 'true or false',
      examples: ['true', 'false'],
      refused: ['1.0'],
    }),
    entry({
      key: 'ssl-redirect',
      field: 'sslRedirect',
      kind: 'boolean',
      schema: BOOLEAN,
      maxLength: 5,
      default: 'true',
      doc: 'Redirect plain-HTTP requests for hosts listed in `spec.tls` to HTTPS (308); the `ssl-redirect` annotation overrides it per Ingress.',
      renders: '`return 308 https://…` in the locations of TLS hosts',
      expects: 'true or false',
      examples: ['true', 'false'],
      refused: ['always'],
    }),
    entry({
      key: 'use-http2',
      field: 'useHttp2',
      kind: 'boolean',
      schema: BOOLEAN,
      maxLength: 5,
      default: 'true',
      doc: 'Offer HTTP/2 on the HTTPS listener.',
      renders: '`http2` on the HTTPS `listen`',
      expects: 'true or false',
      examples: ['true', 'false'],
      refused: ['h2'],
    }),
  ],
};
