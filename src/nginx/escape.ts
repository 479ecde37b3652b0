import { isIP } from 'node:net';
import { isSafeValue } from '../annotations/safe-value.js';
import { compileNginxRegex, compileRegexLocation } from '../pcre/nginx-regex.js';
import type { MatchKind } from './model.js';
import { hashKeyProblem } from './hash-key.js';
import { NGINX_MAX_PARAMETER_LENGTH, parameterLengthProblem } from './parameter-length.js';

// The one gate between cluster data and nginx.conf. Every string build-model.ts puts in the
// model passes `escapeFor` with the context it will be rendered in; render.ts then only wraps
// values in double quotes. Allow-lists, not deny-lists: anything outside the listed characters
// is refused (undefined), and the Ingress carrying it is skipped, never rendered.
// Why so strict: a `;`, `{`, quote or newline in an annotation is config injection
// (CVE-2021-25742, CVE-2023-5044 in ingress-nginx), and `$` is variable interpolation in
// `return`, `add_header` and `rewrite` replacements.

/** Where a string ends up in nginx.conf. */
export type EscapeContext =
  | 'host' // server_name: DNS name or `*.` wildcard
  | 'path' // exact/prefix location path
  | 'regex' // path of a regex location `~* "^<path>"` (PCRE, inside double quotes)
  | 'rewrite' // rewrite replacement: a path with `$1`..`$9` captures only
  | 'url' // redirect target of `return 30x`
  | 'header' // add_header value
  | 'quoted-header' // add_header value inside double quotes, from a ConfigMap (`;` and `'` of a CSP allowed)
  | 'address' // upstream server host: IP or DNS name
  | 'ip' // upstream server host that must not be a name (an endpoint): IP literal only
  | 'identifier' // upstream name fragment
  | 'cookie' // cookie name
  | 'size' // nginx size (`8m`)
  | 'cidr' // allow directive
  | 'cookie-domain' // Domain attribute of a cookie: a DNS name, optionally with a leading dot
  | 'hash-key' // `hash` key of an upstream: literal text and request variables (hash-key.ts)
  | 'header-name' // request header name, read as `$http_<name>`
  | 'pcre' // case-sensitive PCRE inside double quotes (`map` source `"~<pcre>"`, `if (… ~ "<pcre>")`)
  | 'cn-regex' // `if ($ssl_client_s_dn !~ "<value>")`: a PCRE2 regex starting with CN=
  | 'ciphers' // OpenSSL cipher list (`proxy_ssl_ciphers`)
  | 'label'; // `set $location_path "…"` for logs and metrics: any text, percent-encoded outside PATH's characters

const DNS_LABEL = '[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?';
const DNS_NAME = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);
/** Path characters: RFC 3986 pchar minus `'`, `;` and `$`. */
const PATH = /^\/[A-Za-z0-9/._~!*,:@&=+()%-]*$/;
const REWRITE = /^\/([A-Za-z0-9/._~!*,:@&=+()%?-]|\$[1-9])*$/;
const URL_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!&()*+,;=%]+$/;
const HEADER = /^[\x20-\x7e]*$/;
/**
 * Inside double quotes nginx ends the string only at `"` and treats `\` as an escape; `$` starts a
 * variable in add_header values. `;`, `'`, `{`, `}`, `#` are plain characters there.
 */
const QUOTED_HEADER = /^[\x20-\x7e]*$/;
const QUOTED_HEADER_SYNTAX = /["\\$]/;
/** Cookie names end up in variable names (`$cookie_<name>`), where `-` would end the name. */
const TOKEN = /^[A-Za-z0-9_]{1,64}$/;
const SIZE = /^[0-9]{1,9}[kKmMgG]?$/;
/** Header names that survive nginx's default `underscores_in_headers off` and make a variable name. */
const HEADER_NAME = /^[A-Za-z0-9-]{1,128}$/;
const CN_REGEX = /^CN=[\x20-\x7e]{0,253}$/;
/** OpenSSL cipher list: `:`-separated names or `+`-joined aliases, each optionally `!`/`-`/`+`-prefixed. */
const CIPHER_ITEM = '[!+-]?[A-Za-z0-9_-]{1,64}(?:\\+[A-Za-z0-9_-]{1,64}){0,7}';
const CIPHERS = new RegExp(`^${CIPHER_ITEM}(?::${CIPHER_ITEM}){0,127}$`);
const MAX_LENGTH = 2048;
/** What `^…(?:/|$)` adds around a prefix rendered as a regex. */
const PREFIX_AS_REGEX_EXTRA = '^(?:/|$)'.length;

/**
 * Returns the value as it may be rendered in that context, or undefined when it cannot be
 * rendered safely. Pure; never throws.
 */
export function escapeFor(context: EscapeContext, value: string): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_LENGTH) return undefined;
  switch (context) {
    case 'host':
      return hostName(value);
    case 'path':
    case 'regex':
      // Exact and prefix locations share one allow-list.
      return locationPathRefusal(context === 'regex' ? 'regex' : 'exact', value) === undefined ? value : undefined;
    case 'rewrite':
      return REWRITE.test(value) && isSafeValue(value, 'capture-refs') ? value : undefined;
    case 'url':
      return url(value);
    case 'header':
      // The annotation catalog's universal guard: no quotes, `\`, `$`, `;`, braces, `#`.
      return HEADER.test(value) && isSafeValue(value, 'plain') ? value : undefined;
    case 'quoted-header':
      return QUOTED_HEADER.test(value) && !QUOTED_HEADER_SYNTAX.test(value) ? value : undefined;
    case 'address':
      return address(value);
    case 'ip':
      return ipAddress(value);
    case 'identifier':
      return DNS_NAME.test(value) && value.length <= 253 ? value : undefined;
    case 'cookie':
      return TOKEN.test(value) ? value : undefined;
    case 'size':
      return SIZE.test(value) ? value : undefined;
    case 'cidr':
      return cidr(value);
    case 'cookie-domain':
      return value.length <= 254 && DNS_NAME.test(value.startsWith('.') ? value.slice(1) : value) ? value : undefined;
    case 'hash-key':
      return hashKeyProblem(value) === undefined ? value : undefined;
    case 'header-name':
      return HEADER_NAME.test(value) ? value : undefined;
    case 'pcre':
      return pcreProblem(value) === undefined ? value : undefined;
    case 'cn-regex':
      return CN_REGEX.test(value) && isSafeValue(value, 'plain') && cnRegexCompiles(value) ? value : undefined;
    case 'ciphers':
      return value.length <= 1024 && CIPHERS.test(value) ? value : undefined;
    case 'label':
      return logLabel(value);
  }
}

/**
 * Why a case-sensitive PCRE cannot be rendered inside double quotes, or undefined when it can:
 * printable ASCII without quotes, none of nginx's string escapes (PCRE would not see the pattern
 * as written), and compiled by the libpcre2 nginx links (a check that cannot run refuses).
 */
export function pcreProblem(value: string): string | undefined {
  if (value.length === 0 || !HEADER.test(value) || !isSafeValue(value, 'regex')) return 'must be printable ASCII without quotes';
  const escape = NGINX_STRING_ESCAPE.exec(value)?.[0];
  if (escape !== undefined) return `contains ${JSON.stringify(escape)}, which nginx reads as an escape inside a quoted string, so PCRE would not see the pattern as written`;
  if (value.endsWith('\\')) return 'ends with "\\\\", which would escape the closing quote';
  // Narrower than PCRE on purpose, so that no value reads like an nginx variable or hides a
  // character: `$` only as an end anchor, `\` only before a class letter or a punctuation mark.
  const dollar = /\$(?![)|]|$)/.exec(value);
  if (dollar) return `has "$" at offset ${dollar.index} other than as an end anchor (at the end, or before ")" or "|")`;
  const escaped = /\\(?![dDwWsSbB]|[!-/:-@[-`{-~])./.exec(value);
  if (escaped) return `contains ${JSON.stringify(escaped[0])}: only \\d \\D \\w \\W \\s \\S \\b \\B and escaped punctuation are allowed`;
  try {
    const check = compileNginxRegex(value);
    return check.ok ? undefined : `is not a valid nginx (PCRE2) regular expression: ${check.message} at offset ${check.offset}`;
  } catch {
    return 'could not be checked as a regular expression: libpcre2-8 is unavailable';
  }
}

/** Compiled by the libpcre2 nginx links, case-sensitive as `!~`; a check that cannot run refuses. */
function cnRegexCompiles(value: string): boolean {
  try {
    return compileNginxRegex(value).ok;
  } catch {
    return false;
  }
}

/**
 * A regex path holds `$`, `\\`, `{`, quotes…: in a `set` value they would interpolate or end the
 * string, so everything outside the path characters is written as %XX (UTF-8), one spelling per value.
 */
function logLabel(value: string): string {
  let out = '';
  for (const c of value) out += PATH_CHAR.test(c) && c !== '%' ? c : [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  return out;
}

function hostName(value: string): string | undefined {
  const host = value.toLowerCase();
  const bare = host.startsWith('*.') ? host.slice(2) : host;
  return bare.length <= 253 && DNS_NAME.test(bare) ? host : undefined;
}

function url(value: string): string | undefined {
  if (!URL_CHARS.test(value) || !isSafeValue(value, 'plain')) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  return hostName(parsed.hostname) !== undefined || isIP(parsed.hostname.replace(/^\[|\]$/g, '')) ? value : undefined;
}

function ipAddress(value: string): string | undefined {
  // node accepts IPv6 zone ids (`fe80::1%eth0`); nginx does not.
  if (value.includes('%')) return undefined;
  const family = isIP(value);
  if (family === 4) return value;
  if (family === 6) return `[${value.toLowerCase()}]`;
  return undefined;
}

function address(value: string): string | undefined {
  if (value.includes('%')) return undefined;
  return ipAddress(value) ?? (DNS_NAME.test(value.toLowerCase()) ? value.toLowerCase() : undefined);
}

function cidr(value: string): string | undefined {
  const [ip, bits, ...rest] = value.split('/');
  if (rest.length > 0 || ip === undefined || ip.includes('%')) return undefined;
  const family = isIP(ip);
  if (family === 0) return undefined;
  if (bits === undefined) return ip;
  if (!/^[0-9]{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128)) return undefined;
  return `${ip}/${bits}`;
}

/** Why a location path cannot be rendered, in words the path rule shows as they are. */
export interface PathRefusal {
  /** Completes `path "/x" …`: `must start with "/"`, `contains "{", "}", which …`. */
  readonly reason: string;
  /**
   * `characters`: outside the allow-list of the location kind (a regex might need use-regex);
   * `pcre`: PCRE2 rejects the regex (the rewrite rule reports it, with the offset).
   */
  readonly kind: 'length' | 'start' | 'characters' | 'escape' | 'pcre';
}

/** Distinct characters named in one reason; a hostile path can have thousands. */
const MAX_CHARS_LISTED = 5;

function listChars(value: string, allowed: RegExp): string {
  const seen = new Set<string>();
  for (const c of value) {
    if (!allowed.test(c)) seen.add(c);
    if (seen.size > MAX_CHARS_LISTED) break;
  }
  const shown = [...seen].slice(0, MAX_CHARS_LISTED).map((c) => JSON.stringify(c));
  return seen.size > MAX_CHARS_LISTED ? `${shown.join(', ')}, …` : shown.join(', ');
}

const PATH_CHAR = /[A-Za-z0-9/._~!*,:@&=+()%-]/;
const PATH_CHARS_TEXT = '"/", letters, digits and . _ ~ ! * , : @ & = + ( ) % -';
/** nginx's escapes inside a quoted string (ngx_conf_read_token): rewritten before PCRE sees the pattern. */
const NGINX_STRING_ESCAPE = /\\["'\\nrt]/;

function codePointOf(c: string): string {
  return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `\xC3\xA9`: how a PCRE pattern compiled without UTF mode matches the character's UTF-8 bytes. */
function utf8Escape(c: string): string {
  return [...Buffer.from(c, 'utf8')].map((b) => `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

const LOCATION_KIND: Readonly<Record<MatchKind, string>> = { exact: 'an exact location', prefix: 'a prefix location', regex: 'a regex location' };

/**
 * Why `value` cannot be the path of a location of this kind (`regex`: `location ~* "^<value>"`),
 * or undefined when it can. The one decision for paths: escapeFor renders by it and the path rule
 * denies by it, so nothing the webhook admits is skipped later.
 */
export function locationPathRefusal(match: MatchKind, value: string): PathRefusal | undefined {
  if (value.length > MAX_LENGTH) return { kind: 'length', reason: `is ${value.length} characters long; at most ${MAX_LENGTH} can be rendered` };
  if (!value.startsWith('/')) return { kind: 'start', reason: 'must start with "/"' };
  if (match !== 'regex') {
    if (PATH.test(value)) {
      // On a host with regex paths a prefix renders as `location ~ "^<literal>(?:/|$)"` (render.ts),
      // where each `.`, `*`, `+`, `(`, `)` doubles: past nginx's parameter length, `nginx -t` fails.
      // PATH is ASCII, so a path under half the limit cannot get there (the common case, cheaply).
      if (value.length * 2 + PREFIX_AS_REGEX_EXTRA <= NGINX_MAX_PARAMETER_LENGTH) return undefined;
      const asRegex = parameterLengthProblem(`^${regexLiteral(value)}(?:/|$)`);
      return asRegex === undefined ? undefined : { kind: 'length', reason: `would render as a regex ${asRegex} (on a host with regex paths)` };
    }
    return { kind: 'characters', reason: `contains ${listChars(value, PATH_CHAR)}, which ${LOCATION_KIND[match]} cannot hold (only ${PATH_CHARS_TEXT})` };
  }
  // Printable ASCII without quotes: nginx compiles without PCRE2_UTF, and a quote ends the string.
  const outside = /[^\x21-\x7e]/u.exec(value)?.[0];
  if (outside !== undefined) {
    const hint = outside.charCodeAt(0) > 0x7e ? `: write its UTF-8 bytes as ${utf8Escape(outside)}` : '';
    return { kind: 'characters', reason: `contains ${JSON.stringify(outside)} (${codePointOf(outside)}); ${LOCATION_KIND.regex} takes printable ASCII only${hint}` };
  }
  const quote = /["']/.exec(value)?.[0];
  if (quote !== undefined) return { kind: 'characters', reason: `contains ${JSON.stringify(quote)}, which would end the quoted location` };
  const escape = NGINX_STRING_ESCAPE.exec(value)?.[0];
  if (escape !== undefined) {
    return { kind: 'escape', reason: `contains ${JSON.stringify(escape)}, which nginx reads as an escape inside a quoted string, so PCRE would not see the pattern as written` };
  }
  if (value.endsWith('\\')) return { kind: 'escape', reason: 'ends with "\\\\", which would escape the closing quote of the location' };
  // Judged by the libpcre2 nginx links, caseless as in `location ~*`; a check that cannot run
  // (no libpcre2) refuses rather than guessing.
  try {
    const check = compileRegexLocation(value);
    if (check.ok) return undefined;
    return { kind: 'pcre', reason: `is not a valid nginx (PCRE2) regular expression: ${check.message} at offset ${check.offset}` };
  } catch {
    return { kind: 'pcre', reason: 'could not be checked as a regular expression: libpcre2-8 is unavailable' };
  }
}

/** Wraps an escaped value in double quotes for nginx.conf. */
export function quoted(escaped: string): string {
  return `"${escaped}"`;
}

/** Escapes a literal path for use inside a PCRE (used when a prefix becomes a regex). */
export function regexLiteral(path: string): string {
  return path.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\${c}`);
}
