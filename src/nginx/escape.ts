import { isIP } from 'node:net';
import { isSafeValue } from '../annotations/safe-value.js';
import { compileRegexLocation } from '../pcre/nginx-regex.js';

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
  | 'address' // upstream server host: IP or DNS name
  | 'identifier' // upstream name fragment
  | 'cookie' // cookie name
  | 'size' // nginx size (`8m`)
  | 'cidr'; // allow directive

const DNS_LABEL = '[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?';
const DNS_NAME = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);
/** Path characters: RFC 3986 pchar minus `'`, `;` and `$`. */
const PATH = /^\/[A-Za-z0-9/._~!*,:@&=+()%-]*$/;
const REWRITE = /^\/([A-Za-z0-9/._~!*,:@&=+()%?-]|\$[1-9])*$/;
const URL_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!&()*+,;=%]+$/;
const HEADER = /^[\x20-\x7e]*$/;
/** Cookie names end up in variable names (`$cookie_<name>`), where `-` would end the name. */
const TOKEN = /^[A-Za-z0-9_]{1,64}$/;
const SIZE = /^[0-9]{1,9}[kKmMgG]?$/;
const MAX_LENGTH = 2048;

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
      return PATH.test(value) ? value : undefined;
    case 'regex':
      return regex(value);
    case 'rewrite':
      return REWRITE.test(value) && isSafeValue(value, 'capture-refs') ? value : undefined;
    case 'url':
      return url(value);
    case 'header':
      // The annotation catalog's universal guard: no quotes, `\`, `$`, `;`, braces, `#`.
      return HEADER.test(value) && isSafeValue(value, 'plain') ? value : undefined;
    case 'address':
      return address(value);
    case 'identifier':
      return DNS_NAME.test(value) && value.length <= 253 ? value : undefined;
    case 'cookie':
      return TOKEN.test(value) ? value : undefined;
    case 'size':
      return SIZE.test(value) ? value : undefined;
    case 'cidr':
      return cidr(value);
  }
}

function hostName(value: string): string | undefined {
  const host = value.toLowerCase();
  const bare = host.startsWith('*.') ? host.slice(2) : host;
  return bare.length <= 253 && DNS_NAME.test(bare) ? host : undefined;
}

function regex(value: string): string | undefined {
  if (!value.startsWith('/')) return undefined;
  // Printable ASCII without quotes; a backslash may not form one of nginx's quoted-string
  // escapes (\" \' \\ \n \r \t), which nginx would rewrite before PCRE sees the pattern.
  if (!/^[\x21-\x7e]+$/.test(value) || /["']/.test(value) || /\\["'\\nrt]/.test(value) || value.endsWith('\\')) {
    return undefined;
  }
  // Judged by the libpcre2 nginx links, caseless as in `location ~*`; a check that cannot run
  // (no libpcre2) refuses rather than guessing.
  try {
    return compileRegexLocation(value).ok ? value : undefined;
  } catch {
    return undefined;
  }
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

function address(value: string): string | undefined {
  // node accepts IPv6 zone ids (`fe80::1%eth0`); nginx does not.
  if (value.includes('%')) return undefined;
  const family = isIP(value);
  if (family === 4) return value;
  if (family === 6) return `[${value.toLowerCase()}]`;
  return DNS_NAME.test(value.toLowerCase()) ? value.toLowerCase() : undefined;
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

/** Wraps an escaped value in double quotes for nginx.conf. */
export function quoted(escaped: string): string {
  return `"${escaped}"`;
}

/** Escapes a literal path for use inside a PCRE (used when a prefix becomes a regex). */
export function regexLiteral(path: string): string {
  return path.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\${c}`);
}
