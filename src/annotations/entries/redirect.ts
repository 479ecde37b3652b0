import type { AnnotationEntry } from '../entry.js';

const URL_SCHEMA = { type: 'string', minLength: 1, maxLength: 2048, format: 'http-url' } as const;
const URL_EXPECTS = 'an absolute http:// or https:// URL with a host, such as https://example.com/new';

/** Redirecting every request of the Ingress elsewhere. */
export const REDIRECT_ANNOTATIONS = [
  {
    key: 'permanent-redirect',
    kind: 'string',
    schema: URL_SCHEMA,
    maxLength: 2048,
    risk: 'medium',
    doc: 'Answer every request with a permanent redirect (301 unless permanent-redirect-code) to this URL.',
    expects: URL_EXPECTS,
    examples: ['https://example.com/new', 'http://shop.example.com:8080/path?x=1'],
  },
  {
    key: 'permanent-redirect-code',
    kind: 'integer',
    schema: { type: 'integer', enum: [301, 308] },
    maxLength: 3,
    risk: 'low',
    doc: 'Status code of permanent-redirect.',
    expects: '301 or 308',
    examples: ['308', '301'],
    requires: { key: 'permanent-redirect' },
  },
  {
    key: 'temporal-redirect',
    kind: 'string',
    schema: URL_SCHEMA,
    maxLength: 2048,
    risk: 'medium',
    doc: 'Answer every request with a temporary redirect (302 unless temporal-redirect-code) to this URL; wins over permanent-redirect.',
    expects: URL_EXPECTS,
    examples: ['https://example.com/maintenance'],
  },
  {
    key: 'temporal-redirect-code',
    kind: 'integer',
    schema: { type: 'integer', enum: [302, 303, 307] },
    maxLength: 3,
    risk: 'low',
    doc: 'Status code of temporal-redirect.',
    expects: '302, 303 or 307',
    examples: ['307', '302'],
    requires: { key: 'temporal-redirect' },
  },
] as const satisfies readonly AnnotationEntry[];
