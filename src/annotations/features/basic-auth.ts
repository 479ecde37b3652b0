import { quoted } from '../../nginx/escape.js';
import { htpasswdFromSecret, type HtpasswdSecretType } from '../../nginx/htpasswd.js';
import type { SecretFile } from '../../nginx/model.js';
import { enumSchema, NAMESPACED_NAME, NAMESPACED_NAME_MAX_LENGTH, patternSchema, type AnnotationEntry } from '../entry.js';
import { defineFeature } from '../feature.js';
import { Unrenderable } from '../reader.js';

const NEEDS_TYPE = { key: 'auth-type' } as const;

/** nginx reads the realm `off` as "no authentication" (ngx_http_auth_basic_module.c). */
function realmFits(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim().toLowerCase() === 'off' ? 'nginx reads the realm "off" as turning authentication off' : undefined;
}

/**
 * HTTP basic authentication against a password file from a Secret.
 * https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#authentication
 */
export const BASIC_AUTH_ANNOTATIONS = [
  {
    key: 'auth-type',
    controller: 'renders',
    kind: 'string',
    schema: enumSchema(['basic', 'digest']),
    maxLength: 6,
    risk: 'low',
    doc: 'Authentication type: `basic` (users and password hashes from auth-secret); requires auth-secret.',
    expects: 'basic or digest',
    examples: ['basic'],
    differs: '`digest` is refused: the bundled nginx has no digest module, and serving without authentication would fail open.',
  },
  {
    key: 'auth-secret',
    controller: 'renders',
    kind: 'namespaced-name',
    schema: NAMESPACED_NAME,
    maxLength: NAMESPACED_NAME_MAX_LENGTH,
    // High, as every Secret reference (ingress-nginx says medium).
    risk: 'high',
    doc: "Secret in the Ingress's namespace holding the users and password hashes (see auth-secret-type); written 0600 as an htpasswd file.",
    expects: 'a Secret name, or namespace/name in the Ingress\'s namespace, in lower-case DNS-1123 form',
    examples: ['basic-auth', 'shop/basic-auth'],
    requires: NEEDS_TYPE,
    differs:
      "Only the Ingress's own namespace (ingress-nginx's default without allow-cross-namespace-resources); a missing Secret or a line that is not user:hash with a hash nginx checks is refused instead of served.",
  },
  {
    key: 'auth-secret-type',
    controller: 'renders',
    kind: 'string',
    schema: enumSchema(['auth-file', 'auth-map']),
    maxLength: 9,
    risk: 'low',
    doc: 'How auth-secret holds the users: `auth-file` (default; key `auth` holds htpasswd lines) or `auth-map` (each key a user, its value the hash).',
    expects: 'auth-file or auth-map',
    examples: ['auth-map', 'auth-file'],
    requires: NEEDS_TYPE,
  },
  {
    key: 'auth-realm',
    controller: 'renders',
    kind: 'string',
    schema: patternSchema('^[A-Za-z0-9 ._,:()@/-]*$', 128),
    maxLength: 128,
    fits: realmFits,
    risk: 'low',
    doc: 'Realm shown by the browser when it asks for credentials (`WWW-Authenticate: Basic realm="…"`).',
    expects: 'letters, digits, spaces and . _ , : ( ) @ / - (at most 128), not "off"',
    examples: ['Authentication Required - foo', 'Staff only'],
    requires: NEEDS_TYPE,
  },
] as const satisfies readonly AnnotationEntry[];

/** Basic authentication of one Ingress's locations. */
export interface BasicAuthConfig {
  readonly realm: string;
  readonly secretType: HtpasswdSecretType;
  /** `namespace/name` of the Secret (for messages; never rendered). */
  readonly secret: string;
  /**
   * The password file; absent only when the snapshot does not hold Secrets (admission without
   * Secret access): the location then refuses every request rather than serving without it.
   */
  readonly file?: SecretFile;
}

export const basicAuthFeature = defineFeature({
  id: 'basic-auth',
  entries: BASIC_AUTH_ANNOTATIONS,
  check(values) {
    if (values['auth-type'] === undefined || values['auth-secret'] !== undefined) return [];
    return [{ key: 'auth-type', severity: 'deny', message: 'needs nginx.ingress.kubernetes.io/auth-secret, the Secret holding the users' }];
  },
  parse(read, { namespace, cluster }): BasicAuthConfig | undefined {
    const type = read.oneOf('auth-type', ['basic', 'digest']);
    if (type === undefined) return undefined;
    if (type === 'digest') {
      throw new Unrenderable('auth-type digest cannot be served: the bundled nginx has no digest authentication module; use basic (over HTTPS)', 'auth-type');
    }
    const realm = read.str('auth-realm', 'header') ?? '';
    const secretType: HtpasswdSecretType = read.oneOf('auth-secret-type', ['auth-file', 'auth-map']) ?? 'auth-file';
    const ref = read.reference('auth-secret');
    // `check` denies this; the config still fails closed.
    if (ref === undefined) return { realm, secretType, secret: '' };
    const ns = ref.namespace ?? namespace;
    // Namespace '' (no Ingress, as in a catalog check): nothing to compare with, no Secret read.
    if (namespace !== '' && ns !== namespace) {
      throw new Unrenderable(`auth-secret ${ns}/${ref.name}: Secrets of another namespace cannot be used (only namespace ${namespace})`, 'auth-secret');
    }
    const name = `${ns}/${ref.name}`;
    const secret = cluster?.secret(ns, ref.name);
    if (!secret) {
      if (cluster?.covers('Secret')) throw new Unrenderable(`auth-secret ${name} does not exist`, 'auth-secret');
      return { realm, secretType, secret: name };
    }
    const result = htpasswdFromSecret(secret, secretType);
    if (!result.ok) throw new Unrenderable(`auth-secret ${name} (${secretType}) cannot be used: it ${result.reason}`, 'auth-secret');
    return { realm, secretType, secret: name, file: result.file };
  },
  location(c, ctx) {
    // No file: refuse rather than serve without authentication.
    if (!c.file) return { directives: ['deny all;'] };
    return {
      directives: [
        `auth_basic ${quoted(c.realm)};`,
        `auth_basic_user_file ${quoted(`${ctx.secretsDir}/${c.file.file}`)};`,
        // The credentials stay here, as in ingress-nginx: the backend never sees the password.
        `${ctx.pass}_set_header Authorization "";`,
      ],
    };
  },
  files(c) {
    return c.file ? [c.file] : [];
  },
});
