import {
  ABSOLUTE_PATH,
  BOOLEAN,
  BOOLEAN_MAX_LENGTH,
  enumSchema,
  integerSchema,
  patternSchema,
  unimplemented,
  type AnnotationEntry,
} from '../entry.js';
import { quoted } from '../../nginx/escape.js';
import { defineFeature } from '../feature.js';

const NEEDS_COOKIE_AFFINITY = { key: 'affinity', equals: 'cookie' } as const;

/** Sticky sessions by cookie. */
export const AFFINITY_ANNOTATIONS = [
  {
    key: 'affinity',
    controller: 'renders',
    kind: 'string',
    schema: enumSchema(['cookie']),
    maxLength: 6,
    risk: 'low',
    doc: 'Session affinity: requests carrying the affinity cookie stick to one endpoint.',
    expects: '"cookie"',
    examples: ['cookie'],
  },
  {
    key: 'affinity-mode',
    controller: 'renders',
    kind: 'string',
    schema: enumSchema(['balanced', 'persistent']),
    maxLength: 10,
    risk: 'medium',
    doc: '`balanced` (default): the cookie is hashed onto the endpoints, so scaling moves a share of sessions; `persistent`: the cookie names its endpoint, and a session moves only when that endpoint is gone.',
    expects: '"balanced" or "persistent"',
    examples: ['persistent', 'balanced'],
    requires: NEEDS_COOKIE_AFFINITY,
    differs:
      'persistent: the cookie holds an opaque id of the endpoint, mapped back to a current endpoint by nginx (an unknown id is balanced again and gets a new cookie); pinned requests do not use upstream keepalive, and a pinned endpoint that fails is not retried on another.',
  },
  {
    key: 'session-cookie-domain',
    controller: 'renders',
    kind: 'string',
    schema: patternSchema('^\\.?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$', 253),
    maxLength: 254,
    risk: 'medium',
    doc: 'Domain attribute of the affinity cookie (default: none, the cookie is host-only).',
    expects: 'a lower-case DNS name with at least two labels, such as example.com',
    examples: ['example.com', '.shop.example.com'],
    requires: NEEDS_COOKIE_AFFINITY,
  },
  {
    key: 'session-cookie-name',
    controller: 'renders',
    kind: 'string',
    // Narrower than an RFC 6265 token on purpose: plain nginx reads the cookie through the
    // `$cookie_<name>` variable, and variable names are letters, digits and `_` only.
    schema: patternSchema('^[A-Za-z0-9_]+$', 64),
    maxLength: 64,
    risk: 'medium',
    doc: 'Name of the affinity cookie (default `INGRESSCOOKIE`).',
    expects: 'a cookie name of letters, digits and _ (at most 64)',
    examples: ['INGRESSCOOKIE', 'route_id'],
    requires: NEEDS_COOKIE_AFFINITY,
  },
  {
    key: 'session-cookie-path',
    controller: 'renders',
    kind: 'string',
    schema: patternSchema(ABSOLUTE_PATH, 256),
    maxLength: 256,
    risk: 'medium',
    doc: 'Path attribute of the affinity cookie (needed when paths are regexes).',
    expects: 'an absolute path such as /app',
    examples: ['/', '/app'],
    requires: NEEDS_COOKIE_AFFINITY,
  },
  {
    key: 'session-cookie-max-age',
    controller: 'renders',
    kind: 'integer',
    schema: integerSchema(1, 31536000),
    maxLength: 8,
    risk: 'low',
    doc: 'Max-Age attribute of the affinity cookie, in seconds.',
    expects: 'whole seconds from 1 to 31536000 (one year)',
    examples: ['172800'],
    requires: NEEDS_COOKIE_AFFINITY,
  },
  {
    key: 'session-cookie-expires',
    controller: 'renders',
    kind: 'integer',
    schema: integerSchema(1, 31536000),
    maxLength: 8,
    risk: 'low',
    doc: 'Expires attribute of the affinity cookie, as seconds from now.',
    expects: 'whole seconds from 1 to 31536000 (one year)',
    examples: ['172800'],
    requires: NEEDS_COOKIE_AFFINITY,
  },
  {
    key: 'session-cookie-samesite',
    controller: 'renders',
    kind: 'string',
    schema: enumSchema(['None', 'Lax', 'Strict']),
    maxLength: 6,
    risk: 'low',
    doc: 'SameSite attribute of the affinity cookie.',
    expects: 'one of None, Lax, Strict',
    examples: ['Lax', 'Strict', 'None'],
    requires: NEEDS_COOKIE_AFFINITY,
  },
  {
    key: 'session-cookie-secure',
    controller: 'renders',
    kind: 'boolean',
    schema: BOOLEAN,
    maxLength: BOOLEAN_MAX_LENGTH,
    risk: 'low',
    doc: 'Set the Secure attribute on the affinity cookie even for plain-HTTP requests.',
    expects: '"true" or "false"',
    examples: ['true'],
    requires: NEEDS_COOKIE_AFFINITY,
  },
] as const satisfies readonly AnnotationEntry[];

/** Cookie details the controller leaves out: sessions still stick, and still move when their endpoint is gone. */
export const AFFINITY_UNIMPLEMENTED = unimplemented('ignores', 'affinity cookie details', [
  'session-cookie-change-on-failure',
  'session-cookie-conditional-samesite-none',
], 'Harmless: a session whose endpoint is gone moves and (persistent mode) gets a new cookie anyway; SameSite is sent as written, not dropped for old browsers.');

/**
 * Cookie affinity. Balanced: the cookie set on first requests holds a random id the upstream
 * hashes on. Persistent: it holds an opaque id of the endpoint that answered, which nginx maps
 * back to that endpoint (nginx/render.ts, render-location.ts).
 */
export interface SessionCookie {
  readonly name: string;
  readonly mode: 'balanced' | 'persistent';
  readonly domain?: string;
  readonly path: string;
  readonly maxAge?: number;
  readonly sameSite?: string;
  readonly secure: boolean;
}

/**
 * The upstream hashes on $gh_affinity. A first request gets a fresh id, both as a cookie and as
 * the hash key right away, so it lands where the requests carrying the cookie will. An empty
 * add_header value sends no header, so returning clients get no Set-Cookie.
 */
function cookieAttributes(c: SessionCookie): string {
  return [
    `Path=${c.path}`,
    ...(c.domain !== undefined ? [`Domain=${c.domain}`] : []),
    ...(c.maxAge !== undefined ? [`Max-Age=${c.maxAge}`] : []),
    ...(c.sameSite ? [`SameSite=${c.sameSite}`] : []),
    ...(c.secure ? ['Secure'] : []),
    'HttpOnly',
  ].join('; ');
}

function affinityLines(c: SessionCookie): string[] {
  // Persistent: the endpoint is known only once it answered; the Set-Cookie that names it is
  // rendered with the upstream (render-location.ts), and reads the attributes from here.
  if (c.mode === 'persistent') return [`set $gh_cookie_attributes ${quoted(cookieAttributes(c))};`];
  return [
    `set $gh_affinity $cookie_${c.name};`,
    'set $gh_set_cookie "";',
    'if ($gh_affinity = "") {',
    '    set $gh_affinity $request_id;',
    `    set $gh_set_cookie ${quoted(`${c.name}=$request_id; ${cookieAttributes(c)}`)};`,
    '}',
    'add_header Set-Cookie $gh_set_cookie;',
  ];
}

export const affinityFeature = defineFeature({
  id: 'affinity',
  entries: AFFINITY_ANNOTATIONS,
  unimplemented: AFFINITY_UNIMPLEMENTED,
  parse(read): SessionCookie | undefined {
    if (read.oneOf('affinity', ['cookie']) === undefined) return undefined;
    const maxAge = read.int('session-cookie-max-age') ?? read.int('session-cookie-expires');
    const sameSite = read.str('session-cookie-samesite', 'cookie');
    const domain = read.str('session-cookie-domain', 'cookie-domain');
    return {
      name: read.str('session-cookie-name', 'cookie') ?? 'INGRESSCOOKIE',
      mode: read.oneOf('affinity-mode', ['balanced', 'persistent']) ?? 'balanced',
      ...(domain !== undefined ? { domain } : {}),
      path: read.str('session-cookie-path', 'path') ?? '/',
      ...(maxAge !== undefined ? { maxAge } : {}),
      ...(sameSite !== undefined ? { sameSite } : {}),
      secure: read.bool('session-cookie-secure') === true,
    };
  },
  location(c) {
    return { rewrite: affinityLines(c) };
  },
});
