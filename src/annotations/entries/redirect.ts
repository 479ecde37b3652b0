import { unimplemented, type AnnotationEntry } from '../entry.js';

const URL_SCHEMA = { type: 'string', minLength: 1, maxLength: 2048, format: 'http-url' } as const;
const URL_EXPECTS = 'an absolute http:// or https:// URL with a host, such as https://example.com/new';

/** Redirecting every request of the Ingress elsewhere. */
export const REDIRECT_ANNOTATIONS = [
  {
    key: 'permanent-redirect',
    controller: 'renders',
    kind: 'string',
    schema: URL_SCHEMA,
    maxLength: 2048,
    risk: 'medium',
    doc: 'Answer every request with a permanent redirect (301 unless permanent-redirect-code) to this URL; temporal-redirect wins when both are set.',
    expects: URL_EXPECTS,
    examples: ['https://example.com/new', 'http://shop.example.com:8080/path?x=1'],
  },
  {
    key: 'permanent-redirect-code',
    controller: 'renders',
    kind: 'integer',
    schema: { type: 'integer', enum: [301, 308] },
    maxLength: 3,
    risk: 'low',
    // ingress-nginx answers 301 for any code outside 300-308; a code that is not a permanent
    // redirect is refused here instead of being replaced silently.
    doc: 'Status code of permanent-redirect.',
    expects: '301 or 308',
    examples: ['308', '301'],
    requires: { key: 'permanent-redirect' },
  },
  {
    key: 'temporal-redirect',
    controller: 'renders',
    kind: 'string',
    schema: URL_SCHEMA,
    maxLength: 2048,
    risk: 'medium',
    // internal/ingress/annotations/redirect/redirect.go: "the execution order is temporal and then permanent".
    doc: 'Answer every request with a temporary redirect (302 unless temporal-redirect-code) to this URL; wins over permanent-redirect, as in ingress-nginx.',
    expects: URL_EXPECTS,
    examples: ['https://example.com/maintenance'],
  },
  {
    key: 'temporal-redirect-code',
    controller: 'renders',
    kind: 'integer',
    schema: { type: 'integer', enum: [302, 303, 307] },
    maxLength: 3,
    risk: 'low',
    // ingress-nginx answers 302 for any code outside 300-307; a code that is not a temporary
    // redirect is refused here instead of being replaced silently.
    doc: 'Status code of temporal-redirect.',
    expects: '302, 303 or 307',
    examples: ['307', '302'],
    requires: { key: 'temporal-redirect' },
  },
] as const satisfies readonly AnnotationEntry[];

/** Redirect details the controller leaves out: a www host is then not served, redirects stay absolute. */
export const REDIRECT_UNIMPLEMENTED = [
  ...unimplemented('ignores', 'www redirects', ['from-to-www-redirect']),
  ...unimplemented('ignores', 'redirect formatting', ['relative-redirects', 'preserve-trailing-slash', 'use-port-in-redirects']),
];
