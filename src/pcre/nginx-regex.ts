import { LruCache } from './lru-cache.js';
import { PCRE2_CASELESS, pcre2Compile } from './pcre2.js';

/** Whether nginx would accept a regex, and how many capture groups it has. */
export type RegexCheck =
  | { readonly ok: true; readonly captureCount: number }
  /** `offset` is where PCRE2 stopped, as an index into the JavaScript string given. */
  | { readonly ok: false; readonly message: string; readonly offset: number };

export interface NginxRegexOptions {
  /** `location ~*` and `if ($x ~* ...)`: nginx passes PCRE2_CASELESS, nothing else. */
  readonly caseless?: boolean;
}

/** The same paths come back on every admission of every Ingress; bounded so hostile input cannot grow it. */
const CACHE_CAPACITY = 10_000;
const cache = new LruCache<string, RegexCheck>(CACHE_CAPACITY);

/** Index into `text` of the character holding byte `byteOffset` of its UTF-8 encoding. */
function charOffset(text: string, byteOffset: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length && bytes < byteOffset) {
    const cp = text.codePointAt(i)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/**
 * Compiles `pattern` with the options nginx uses (ngx_regex_compile: PCRE2_CASELESS for `~*`,
 * never PCRE2_UTF; https://github.com/nginx/nginx/blob/master/src/core/ngx_regex.c), through the
 * system's libpcre2-8. Results are cached. Throws when libpcre2-8 cannot be loaded: a check that
 * cannot run must fail the review, not fall back to JavaScript's different regex dialect.
 */
export function compileNginxRegex(pattern: string, options: NginxRegexOptions = {}): RegexCheck {
  const caseless = options.caseless === true;
  const key = `${caseless ? 'i' : '-'}${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const result = pcre2Compile(pattern, caseless ? PCRE2_CASELESS : 0);
  const check: RegexCheck = result.ok
    ? Object.freeze({ ok: true, captureCount: result.captureCount })
    : Object.freeze({ ok: false, message: result.message, offset: charOffset(pattern, result.byteOffset) });
  cache.set(key, check);
  return check;
}

const LOCATION_ANCHOR = '^';

/**
 * The regex nginx compiles for an Ingress path when regex is on. ingress-nginx renders
 * `location ~* "^<path>"` (and `rewrite "(?i)<path>" <target> break;`); checking the anchored form
 * also rejects start-of-pattern verbs such as `(*UTF)` exactly as nginx does. The controller must
 * render regex locations through this function so that what was checked is what nginx loads.
 */
export function regexLocationPattern(path: string): string {
  return `${LOCATION_ANCHOR}${path}`;
}

/** Checks an Ingress path as a case-insensitive regex location; an error offset indexes `path` itself. */
export function compileRegexLocation(path: string): RegexCheck {
  const check = compileNginxRegex(regexLocationPattern(path), { caseless: true });
  if (check.ok) return check;
  const offset = Math.min(path.length, Math.max(0, check.offset - LOCATION_ANCHOR.length));
  return { ok: false, message: check.message, offset };
}
