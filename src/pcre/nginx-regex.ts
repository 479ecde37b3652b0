import { LruCache } from './lru-cache.js';
import { captureNameClash } from './nginx-variables.js';
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

/**
 * Longest Ingress path compiled as a regex. Longer paths are refused unread (the path rule denies
 * them too): compiling and caching 100 KB patterns cost 876 MB of RSS over 200 reviews.
 */
export const MAX_REGEX_PATH_LENGTH = 2048;
/** Room for what nginx adds around a path (`^`, `(?i)^`). */
const MAX_PATTERN_LENGTH = MAX_REGEX_PATH_LENGTH + 8;

/**
 * The same paths come back on every admission of every Ingress; bounded in entries and bytes so
 * hostile input cannot grow it. Bytes count the key and the message at two bytes a character (a
 * V8 string takes one or two) plus a fixed overhead per entry. Compiled code is not cached:
 * pcre2.ts frees it before returning, so eviction has nothing native to free.
 */
const CACHE_LIMITS = { maxEntries: 10_000, maxBytes: 8 * 1024 * 1024 };
const ENTRY_OVERHEAD_BYTES = 96;
const cache = new LruCache<string, RegexCheck>({
  ...CACHE_LIMITS,
  sizeOf: (key, check) => ENTRY_OVERHEAD_BYTES + 2 * (key.length + (check.ok ? 0 : check.message.length)),
});

/** What the compile cache holds now (for tests and metrics). */
export function regexCacheUsage(): { readonly entries: number; readonly bytes: number; readonly maxBytes: number } {
  return { entries: cache.size, bytes: cache.bytes, maxBytes: CACHE_LIMITS.maxBytes };
}

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

/** The first named group nginx would refuse or that would redefine a variable, as a failed check. */
function nameClash(pattern: string, names: readonly string[]): RegexCheck | undefined {
  for (const name of names) {
    const why = captureNameClash(name);
    if (!why) continue;
    // The name as written: `(?<n>`, `(?'n'` or `(?P<n>`.
    const at = [`<${name}>`, `'${name}'`].map((s) => pattern.indexOf(s)).filter((i) => i >= 0);
    return { ok: false, message: `named capture ${JSON.stringify(name)} ${why}`, offset: at.length > 0 ? Math.min(...at) + 1 : 0 };
  }
  return undefined;
}

/**
 * Compiles `pattern` with the options nginx uses (ngx_regex_compile: PCRE2_CASELESS for `~*`,
 * never PCRE2_UTF; https://github.com/nginx/nginx/blob/master/src/core/ngx_regex.c), through the
 * system's libpcre2-8, and refuses a named capture that nginx would turn into one of its own
 * variables (nginx-variables.ts). Results are cached. Throws when libpcre2-8 cannot be loaded: a
 * check that cannot run must fail the review, not fall back to JavaScript's different dialect.
 */
export function compileNginxRegex(pattern: string, options: NginxRegexOptions = {}): RegexCheck {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { ok: false, message: `longer than ${MAX_PATTERN_LENGTH} characters, not compiled`, offset: MAX_PATTERN_LENGTH };
  }
  const caseless = options.caseless === true;
  const key = `${caseless ? 'i' : '-'}${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const result = pcre2Compile(pattern, caseless ? PCRE2_CASELESS : 0);
  const check: RegexCheck = Object.freeze(
    result.ok
      ? (nameClash(pattern, result.names) ?? { ok: true, captureCount: result.captureCount })
      : { ok: false, message: result.message, offset: charOffset(pattern, result.byteOffset) },
  );
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

/**
 * Checks an Ingress path as a case-insensitive regex location; an error offset indexes `path`
 * itself. The one check both the rewrite rule and the renderer (escape.ts) apply.
 */
export function compileRegexLocation(path: string): RegexCheck {
  if (path.length > MAX_REGEX_PATH_LENGTH) {
    return { ok: false, message: `longer than ${MAX_REGEX_PATH_LENGTH} characters, not compiled`, offset: MAX_REGEX_PATH_LENGTH };
  }
  const check = compileNginxRegex(regexLocationPattern(path), { caseless: true });
  if (check.ok) return check;
  const offset = Math.min(path.length, Math.max(0, check.offset - LOCATION_ANCHOR.length));
  return { ok: false, message: check.message, offset };
}
