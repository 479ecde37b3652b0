import { escapeFor, quoted } from '../../nginx/escape.js';
import { ABSOLUTE_PATH, type AnnotationEntry } from '../entry.js';
import { defineFeature } from '../feature.js';
import { optional } from '../optional.js';
import { Unrenderable, type AnnotationReader } from '../reader.js';

/** An absolute path or an absolute http(s) URL: where a backend's Location header points. */
const LOCATION_VALUE = { anyOf: [{ type: 'string', maxLength: 1024, pattern: ABSOLUTE_PATH }, { type: 'string', maxLength: 1024, format: 'http-url' }] } as const;

/** A cookie Domain (a leading dot allowed, as nginx documents). */
const DOMAIN = '\\.?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*';
const PATH = '/[A-Za-z0-9._~%!&()*+,=:@/-]*';
const NO_REGEX = 'Regular expressions (`~`) and nginx variables are refused: only literal values.';

/**
 * Rewriting what the backend answers: its Location headers and the Domain/Path of its cookies.
 * http://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_redirect
 */
export const RESPONSE_REWRITE_ANNOTATIONS = [
  {
    key: 'proxy-redirect-from',
    controller: 'renders',
    kind: 'string',
    schema: { anyOf: [{ type: 'string', enum: ['default', 'off'] }, ...LOCATION_VALUE.anyOf] },
    maxLength: 1024,
    risk: 'medium',
    doc: 'Start of the backend Location (and Refresh) headers to replace by proxy-redirect-to (`proxy_redirect`); `default` or `off` alone. Not applied to gRPC backends.',
    differs: NO_REGEX,
    expects: 'default, off, an absolute path or an http(s) URL',
    examples: ['http://internal.example.com/', 'off', 'default', '/internal/'],
  },
  {
    key: 'proxy-redirect-to',
    controller: 'renders',
    kind: 'string',
    schema: LOCATION_VALUE,
    maxLength: 1024,
    risk: 'medium',
    doc: 'What replaces proxy-redirect-from in the backend\'s Location headers.',
    differs: NO_REGEX,
    expects: 'an absolute path or an http(s) URL',
    examples: ['https://www.example.com/', '/app/'],
    requires: { key: 'proxy-redirect-from' },
  },
  {
    key: 'proxy-cookie-domain',
    controller: 'renders',
    kind: 'string',
    schema: { type: 'string', maxLength: 509, pattern: `^(?:off|${DOMAIN} ${DOMAIN})$` },
    maxLength: 509,
    risk: 'medium',
    doc: 'Rewrite the Domain attribute of the backend\'s Set-Cookie headers: `<from> <to>` (`proxy_cookie_domain`), or `off`. Not applied to gRPC backends.',
    differs: NO_REGEX,
    expects: 'off, or two domains separated by a space, like internal.local example.com',
    examples: ['internal.local example.com', 'off'],
  },
  {
    key: 'proxy-cookie-path',
    controller: 'renders',
    kind: 'string',
    schema: { type: 'string', maxLength: 1024, pattern: `^(?:off|${PATH} ${PATH})$` },
    maxLength: 1024,
    risk: 'medium',
    doc: 'Rewrite the Path attribute of the backend\'s Set-Cookie headers: `<from> <to>` (`proxy_cookie_path`), or `off`. Not applied to gRPC backends.',
    differs: NO_REGEX,
    expects: 'off, or two absolute paths separated by a space, like / /app/',
    examples: ['/ /app/', 'off'],
  },
] as const satisfies readonly AnnotationEntry[];

/** Each value rendered as nginx parameters (quoted) or the keyword alone. */
export interface ResponseRewritesConfig {
  /** `default`, `off` or `"<from>" "<to>"`. */
  readonly redirect?: string;
  readonly cookieDomain?: string;
  readonly cookiePath?: string;
}

/** A path or URL, escaped for where it is: a path as a location path, a URL as a redirect target. */
function pathOrUrl(read: AnnotationReader, key: string): string | undefined {
  const raw = read.str(key, 'header');
  if (raw === undefined) return undefined;
  const escaped = escapeFor(raw.startsWith('/') ? 'path' : 'url', raw);
  if (escaped === undefined) throw new Unrenderable(`annotation ${key} cannot be rendered safely`, key);
  return quoted(escaped);
}

/** `off`, or two tokens each escaped by `context`, quoted. */
function pair(read: AnnotationReader, key: string, context: 'path' | 'host'): string | undefined {
  const raw = read.str(key, 'header');
  if (raw === undefined || raw === 'off') return raw;
  const parts = raw.split(' ').map((p) => (context === 'host' ? escapeFor('host', p.replace(/^\./, '')) && p.toLowerCase() : escapeFor('path', p)));
  if (parts.length !== 2 || parts.some((p) => p === undefined)) throw new Unrenderable(`annotation ${key} cannot be rendered safely`, key);
  return parts.map((p) => quoted(p!)).join(' ');
}

export const responseRewritesFeature = defineFeature({
  id: 'response-rewrites',
  entries: RESPONSE_REWRITE_ANNOTATIONS,
  check(values) {
    const from = values['proxy-redirect-from'];
    if (typeof from === 'string' && from !== 'default' && from !== 'off' && values['proxy-redirect-to'] === undefined) {
      return [{ key: 'proxy-redirect-from', severity: 'warn', message: 'has no effect without proxy-redirect-to', drop: true }];
    }
    return [];
  },
  parse(read): ResponseRewritesConfig | undefined {
    const from = read.oneOf('proxy-redirect-from', ['default', 'off']) ?? pathOrUrl(read, 'proxy-redirect-from');
    const to = from === 'default' || from === 'off' ? undefined : pathOrUrl(read, 'proxy-redirect-to');
    const config: ResponseRewritesConfig = {
      ...optional('redirect', from === 'default' || from === 'off' ? from : from !== undefined && to !== undefined ? `${from} ${to}` : undefined),
      ...optional('cookieDomain', pair(read, 'proxy-cookie-domain', 'host')),
      ...optional('cookiePath', pair(read, 'proxy-cookie-path', 'path')),
    };
    return Object.keys(config).length > 0 ? config : undefined;
  },
  /** The grpc module has no equivalent: on a gRPC location nothing is rendered. */
  location(c, { pass, proxies }) {
    if (!proxies || pass !== 'proxy') return {};
    return {
      directives: [
        ...(c.redirect !== undefined ? [`proxy_redirect ${c.redirect};`] : []),
        ...(c.cookieDomain !== undefined ? [`proxy_cookie_domain ${c.cookieDomain};`] : []),
        ...(c.cookiePath !== undefined ? [`proxy_cookie_path ${c.cookiePath};`] : []),
      ],
    };
  },
});
