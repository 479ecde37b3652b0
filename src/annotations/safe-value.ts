// The universal guard: one allow-list of characters that every annotation value passes before it
// is accepted, whatever its schema says. nginx.conf is a language where `;`, `{`, `}`, quotes,
// `#`, `\`, `$` and line breaks change meaning; IngressNightmare (CVE-2025-1974), CVE-2021-25742
// and CVE-2023-5044 all began with an annotation value carrying them into the rendered config.
// https://kubernetes.io/blog/2025/03/24/ingress-nginx-cve-2025-1974/
// The controller's escaping reuses this function, so the webhook and the renderer agree.

/**
 * Which characters a value may use beyond plain printable ASCII:
 * - `plain`: printable ASCII (space included) except `; { } # " ' \` \ $`.
 * - `capture-refs`: as plain, plus `$` when a digit follows (`/$2` in rewrite-target).
 * - `variables`: as plain, plus `$` when a lower-case letter or `_` follows (`$request_uri` in
 *   upstream-hash-by; which variables is the schema's business: nginx/hash-key.ts).
 * - `nginx-config`: raw nginx configuration (snippets): any printable ASCII, tab and newline; still
 *   no other control characters and no non-ASCII, which nginx's parser and humans read differently.
 * - `regex`: a PCRE rendered inside a double-quoted nginx string: printable ASCII except quotes,
 *   which would end the string (nginx/escape.ts `pcre` refuses nginx's own `\"`-style escapes).
 */
export type ValueCharset = 'plain' | 'capture-refs' | 'variables' | 'nginx-config' | 'regex';

/** Characters that are syntax in nginx.conf (or in its variables), as a lookup table by char code. */
const NGINX_SYNTAX = new Uint8Array(128);
for (const ch of ';{}#"\'`\\$') NGINX_SYNTAX[ch.charCodeAt(0)] = 1;
const QUOTE = new Uint8Array(128);
for (const ch of '"\'') QUOTE[ch.charCodeAt(0)] = 1;

const DOLLAR = 0x24;

const CONTROL_NAMES: Readonly<Record<number, string>> = {
  0x00: 'a NUL character (U+0000)',
  0x09: 'a tab (U+0009)',
  0x0a: 'a newline (U+000A)',
  0x0d: 'a carriage return (U+000D)',
};

function codePoint(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

function describeCode(code: number): string {
  const named = CONTROL_NAMES[code];
  if (named) return named;
  if (code < 0x20 || code === 0x7f) return `a control character (${codePoint(code)})`;
  if (code === 0x2028 || code === 0x2029) return `a Unicode line separator (${codePoint(code)})`;
  return `a non-ASCII character (${codePoint(code)})`;
}

/** `charCodeAt` past the end is NaN, which is not a digit. */
function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/**
 * Why `value` must not reach nginx.conf, in plain words (`a newline (U+000A)`, `";"`), or
 * `undefined` when every character is allowed for `charset`. Allocation-free on safe values.
 */
export function unsafeCharacter(value: string, charset: ValueCharset = 'plain'): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) {
      if (charset === 'nginx-config' && (code === 0x09 || code === 0x0a)) continue;
      return describeCode(code);
    }
    if (charset === 'nginx-config' || NGINX_SYNTAX[code] === 0) continue;
    if (charset === 'regex' && QUOTE[code] === 0) continue;
    if (code === DOLLAR && charset === 'capture-refs') {
      if (isDigit(value.charCodeAt(i + 1))) continue;
      return '"$" other than a capture reference like $1';
    }
    if (code === DOLLAR && charset === 'variables') {
      const next = value.charCodeAt(i + 1);
      if ((next >= 0x61 && next <= 0x7a) || next === 0x5f) continue;
      return '"$" other than a variable like $request_uri';
    }
    return JSON.stringify(value[i]);
  }
  return undefined;
}

/** Whether every character of `value` is allowed for `charset` (see {@link unsafeCharacter}). */
export function isSafeValue(value: string, charset: ValueCharset = 'plain'): boolean {
  return unsafeCharacter(value, charset) === undefined;
}
