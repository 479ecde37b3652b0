// A basic-auth Secret → the password file nginx's auth_basic_user_file reads. A Secret update never
// passes the Ingress webhook, so the controller judges the content itself, with the same function
// as the admission path (annotations/features/basic-auth.ts): only `user:hash` lines with a hash
// format nginx verifies are written, normalized; anything else refuses the whole Secret.
// https://nginx.org/en/docs/http/ngx_http_auth_basic_module.html#auth_basic_user_file
import { createHash } from 'node:crypto';
import type { Secret } from '../k8s/types.js';
import { secretEntry } from '../tls/secret-certificate.js';
import type { SecretFile } from './model.js';

/** How the Secret holds its users (ingress-nginx's auth-secret-type). */
export type HtpasswdSecretType = 'auth-file' | 'auth-map';

/** A usable password file, or why the Secret cannot be one. */
export type HtpasswdResult = { readonly ok: true; readonly file: SecretFile; readonly users: number } | { readonly ok: false; readonly reason: string };

/** Largest password file accepted (bytes) and most users: bounded work per render. */
export const HTPASSWD_MAX_BYTES = 65536;
export const HTPASSWD_MAX_USERS = 1024;

/** Printable ASCII without `:` (the field separator); a leading `#` would make the line a comment. */
const USER = /^[\x21-\x22\x24-\x39\x3b-\x7e][\x21-\x39\x3b-\x7e]{0,255}$/;
const C64 = '[./0-9A-Za-z]';

/**
 * Hash formats nginx checks (ngx_crypt: `$apr1$`, `{SHA}`, `{SSHA}`; anything else goes to the
 * system's crypt(3), libxcrypt on Debian: DES, MD5 `$1$`, SHA-256 `$5$`, SHA-512 `$6$`, bcrypt
 * `$2b$`, yescrypt `$y$`). `{PLAIN}` is refused: a password stored in clear is not a hash.
 */
const HASHES: readonly RegExp[] = [
  new RegExp(`^\\$apr1\\$${C64}{1,8}\\$${C64}{22}$`),
  new RegExp(`^\\$1\\$${C64}{1,8}\\$${C64}{22}$`),
  new RegExp(`^\\$5\\$(?:rounds=[0-9]{1,9}\\$)?${C64}{1,16}\\$${C64}{43}$`),
  new RegExp(`^\\$6\\$(?:rounds=[0-9]{1,9}\\$)?${C64}{1,16}\\$${C64}{86}$`),
  new RegExp(`^\\$2[aby]\\$[0-9]{2}\\$${C64}{53}$`),
  new RegExp(`^\\$y\\$${C64}{1,32}\\$${C64}{1,86}\\$${C64}{43}$`),
  /^\{SHA\}[A-Za-z0-9+/]{27}=$/,
  /^\{SSHA\}[A-Za-z0-9+/]{28,120}={0,2}$/,
  new RegExp(`^${C64}{13}$`),
];

const EXPECTED = 'user:hash lines with an $apr1$, $1$, $5$, $6$, $2b$, $y$, {SHA}, {SSHA} or DES crypt hash';

/** Why one `user:hash` pair cannot be a line of the file, or undefined. `where` names it in the reason. */
function entryProblem(user: string, hash: string, where: string): string | undefined {
  if (!USER.test(user)) return `${where}: the user name must be printable ASCII without ":" and not start with "#"`;
  if (!HASHES.some((re) => re.test(hash))) return `${where}: the password of user ${JSON.stringify(user)} is not a hash nginx can check (expected ${EXPECTED})`;
  return undefined;
}

function fileOf(lines: readonly string[]): HtpasswdResult {
  const users = new Set<string>();
  for (const line of lines) users.add(line.slice(0, line.indexOf(':')));
  if (users.size !== lines.length) return { ok: false, reason: 'names a user twice' };
  const content = `${[...lines].sort().join('\n')}\n`;
  const digest = createHash('sha256').update(content).digest('hex').slice(0, 32);
  return { ok: true, file: { file: `${digest}.htpasswd`, content }, users: lines.length };
}

/** The `auth` key's htpasswd text (`auth-file`). Blank lines and `#` comments are dropped. */
function fromAuthFile(text: string): HtpasswdResult {
  const lines: string[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const problem = colon < 0 ? `line ${i + 1}: not user:hash` : entryProblem(line.slice(0, colon), line.slice(colon + 1), `line ${i + 1}`);
    if (problem) return { ok: false, reason: `key auth, ${problem}` };
    lines.push(line);
  }
  if (lines.length === 0) return { ok: false, reason: 'key auth holds no user' };
  return fileOf(lines);
}

/** Each key a user, its value the hash (`auth-map`). */
function fromAuthMap(secret: Secret): HtpasswdResult {
  const keys = [...new Set([...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})])].sort();
  if (keys.length === 0) return { ok: false, reason: 'holds no user' };
  const lines: string[] = [];
  for (const user of keys) {
    const hash = (secretEntry(secret, user) ?? '').replace(/\r?\n$/, '');
    const problem = entryProblem(user, hash, `key ${JSON.stringify(user)}`);
    if (problem) return { ok: false, reason: problem };
    lines.push(`${user}:${hash}`);
  }
  return fileOf(lines);
}

/**
 * The password file of a basic-auth Secret (`auth-file`: key `auth` holds htpasswd lines;
 * `auth-map`: each key is a user and its value the hash), or why it cannot be served. Content-hash
 * file name: a changed Secret is a new file, and the old passwords stop working at the reload.
 */
export function htpasswdFromSecret(secret: Secret, type: HtpasswdSecretType): HtpasswdResult {
  const size = Object.values(secret.data ?? {}).reduce((n, v) => n + (typeof v === 'string' ? v.length : 0), 0)
    + Object.values(secret.stringData ?? {}).reduce((n, v) => n + (typeof v === 'string' ? v.length : 0), 0);
  // base64 is 4/3 of the bytes: bound the encoded size before decoding anything.
  if (size > (HTPASSWD_MAX_BYTES * 4) / 3 + 4) return { ok: false, reason: `is larger than ${HTPASSWD_MAX_BYTES} bytes` };
  let result: HtpasswdResult;
  if (type === 'auth-map') result = fromAuthMap(secret);
  else {
    const text = secretEntry(secret, 'auth');
    result = text === undefined ? { ok: false, reason: 'has no key auth' } : fromAuthFile(text);
  }
  if (result.ok && result.users > HTPASSWD_MAX_USERS) return { ok: false, reason: `holds more than ${HTPASSWD_MAX_USERS} users` };
  return result;
}
