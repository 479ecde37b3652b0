import { unimplemented, type AnnotationEntry } from '../entry.js';
import type { Action } from '../../nginx/model.js';
import { defineFeature } from '../feature.js';
import type { AnnotationReader } from '../reader.js';

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

/** Redirect details the controller leaves out: redirects stay as rendered (www redirects: host-names.ts). */
export const REDIRECT_UNIMPLEMENTED = [
  ...unimplemented('ignores', 'redirect formatting', ['relative-redirects', 'use-port-in-redirects'], 'Harmless: nginx\'s own redirects are always relative (absolute_redirect off), so the client keeps the host and port it used.'),
];

type RedirectAction = Extract<Action, { kind: 'redirect' }>;

/** The catalog's enums: 302, 303 or 307 for temporal-redirect-code; 301 or 308 for permanent. */
function codeOf<C extends RedirectAction['code']>(read: AnnotationReader, key: string, allowed: readonly C[], fallback: C): C {
  const wanted = read.int(key);
  return allowed.find((c) => c === wanted) ?? fallback;
}

/**
 * Every request of the Ingress answered with a redirect instead of being proxied
 * (nginx/compile-ingress.ts makes it the action of each path).
 */
export const redirectFeature = defineFeature({
  id: 'redirect',
  entries: REDIRECT_ANNOTATIONS,
  unimplemented: REDIRECT_UNIMPLEMENTED,
  /**
   * temporal-redirect first, then permanent-redirect, as ingress-nginx orders them
   * (internal/ingress/annotations/redirect/redirect.go: "the execution order is temporal and then
   * permanent"); each with its own code, 302 and 301 by default.
   */
  parse(read): RedirectAction | undefined {
    const temporal = read.str('temporal-redirect', 'url');
    if (temporal !== undefined) return { kind: 'redirect', code: codeOf(read, 'temporal-redirect-code', [302, 303, 307], 302), url: temporal };
    const permanent = read.str('permanent-redirect', 'url');
    if (permanent !== undefined) return { kind: 'redirect', code: codeOf(read, 'permanent-redirect-code', [301, 308], 301), url: permanent };
    return undefined;
  },
});
