// Client-certificate authentication (mutual TLS), per location. ingress-nginx configures it per
// host: the first Ingress naming the host with auth-tls-secret sets `ssl_verify_client` for every
// path of the host, its own and other Ingresses' alike
// (internal/ingress/controller/controller.go, getBackendServers). Gatehouse asks nginx for a
// client certificate on the whole host (`ssl_verify_client optional_no_ca`, one CA per server:
// nginx takes `ssl_client_certificate` once) and decides in each location of an Ingress that
// asks for it, from `$ssl_client_verify`; so another Ingress on the host can neither weaken nor
// impose the requirement. https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_verify_client
import type { SecretFile } from '../../nginx/model.js';
import { pemSecretFile } from '../../nginx/certificates.js';
import { quoted } from '../../nginx/escape.js';
import { regexBacktracking } from '../../pcre/backtracking.js';
import { caBundle } from '../../tls/ca-bundle.js';
import { secretEntry } from '../../tls/secret-certificate.js';
import {
  BOOLEAN,
  BOOLEAN_MAX_LENGTH,
  enumSchema,
  integerSchema,
  NAMESPACED_NAME,
  NAMESPACED_NAME_MAX_LENGTH,
  patternSchema,
  type AnnotationEntry,
} from '../entry.js';
import { defineFeature } from '../feature.js';
import { Unrenderable, type AnnotationReader } from '../reader.js';
import { referencedSecret } from '../secret-reference.js';

const SECRET_REFERENCE = 'a Secret name or namespace/name, in lower-case DNS-1123 form';
const VERIFY_MODES = ['on', 'off', 'optional', 'optional_no_ca'] as const;
type VerifyClient = (typeof VERIFY_MODES)[number];
const MATCH_CN_MAX_LENGTH = 256;
/** An absolute http(s) URL or an absolute path. */
const ERROR_PAGE = '^(?:https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?)?/[A-Za-z0-9._~%!&()*+,=:@/-]*$|^https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?$';

/** Why the auth-tls-match-cn regex cannot be used, or undefined: PCRE2 must accept it and it must be proven free of catastrophic backtracking (the DN is the client's). */
function matchCnProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let verdict;
  try {
    verdict = regexBacktracking(value);
  } catch {
    return 'could not be analysed for catastrophic backtracking';
  }
  if (verdict.verdict === 'safe') return undefined;
  if (verdict.verdict === 'unknown') return `could not be proven free of catastrophic backtracking: ${verdict.reason}`;
  return 'can backtrack catastrophically on a hostile client certificate subject; write it without nested or overlapping repetition';
}

/** Client certificates (mutual TLS). https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#client-certificate-authentication */
export const CLIENT_CERTIFICATE_ANNOTATIONS = [
  {
    key: 'auth-tls-secret',
    controller: 'renders',
    kind: 'namespaced-name',
    schema: NAMESPACED_NAME,
    maxLength: NAMESPACED_NAME_MAX_LENGTH,
    // High (ingress-nginx says medium): the value names Secret material.
    risk: 'high',
    doc: 'Secret whose `ca.crt` holds the CA certificates client certificates must be signed by (mutual TLS); the host must be in spec.tls.',
    expects: SECRET_REFERENCE,
    examples: ['client-ca', 'shop/client-ca'],
    differs:
      'Applies to the paths of this Ingress only, not to the whole host; a second Ingress on the host with another CA Secret or verify depth is left out of the host (a conflict); a Secret in another namespace is refused.',
  },
  {
    key: 'auth-tls-verify-client',
    controller: 'renders',
    kind: 'string',
    schema: enumSchema(VERIFY_MODES),
    maxLength: 14,
    risk: 'medium',
    doc: '`on` (default): a client certificate signed by the CA is required (400 otherwise); `optional`: one signed by another CA gets 400, none passes; `optional_no_ca`: not checked, the result goes to the backend; `off`: not asked for.',
    expects: 'one of on, off, optional, optional_no_ca',
    examples: ['optional', 'on', 'optional_no_ca', 'off'],
    requires: { key: 'auth-tls-secret' },
    differs: 'nginx asks every client of the host for a certificate (optional_no_ca) and each location enforces its own mode, so a certificate that fails verification is refused by the location, not in the handshake.',
  },
  {
    key: 'auth-tls-verify-depth',
    controller: 'renders',
    kind: 'integer',
    schema: integerSchema(1, 10),
    maxLength: 2,
    risk: 'low',
    doc: 'Longest chain from the client certificate to a CA of auth-tls-secret (`ssl_verify_depth`, default 1).',
    expects: 'a whole number from 1 to 10',
    examples: ['2', '1'],
    requires: { key: 'auth-tls-secret' },
  },
  {
    key: 'auth-tls-pass-certificate-to-upstream',
    controller: 'renders',
    kind: 'boolean',
    schema: BOOLEAN,
    maxLength: BOOLEAN_MAX_LENGTH,
    risk: 'low',
    doc: 'Send the client certificate to the backend in the `ssl-client-cert` header (URL-escaped PEM, `$ssl_client_escaped_cert`).',
    expects: '"true" or "false"',
    examples: ['true', 'false'],
    requires: { key: 'auth-tls-secret' },
    differs: 'When "false", a client-sent ssl-client-cert header is removed rather than passed on.',
  },
  {
    key: 'auth-tls-error-page',
    controller: 'renders',
    kind: 'string',
    schema: patternSchema(ERROR_PAGE, 2048),
    maxLength: 2048,
    risk: 'high',
    doc: 'Where clients whose certificate is missing or fails verification are redirected (302) instead of getting 400.',
    expects: 'an absolute http(s) URL or an absolute path',
    examples: ['https://example.com/certificate-required', '/certificate-required'],
    requires: { key: 'auth-tls-secret' },
    differs: 'A path is a 302 redirect, not an internal redirect; named locations (@name) and URLs without a scheme are refused.',
  },
  {
    key: 'auth-tls-match-cn',
    controller: 'renders',
    kind: 'string',
    schema: patternSchema('^CN=', MATCH_CN_MAX_LENGTH),
    maxLength: MATCH_CN_MAX_LENGTH,
    risk: 'high',
    doc: 'PCRE regex (starting with `CN=`) the client certificate subject DN (`$ssl_client_s_dn`, RFC 2253) must match, unanchored; others get 403.',
    expects: `a regex starting with CN=, at most ${MATCH_CN_MAX_LENGTH} characters, without quotes, "\\", "$", ";", "{", "}" or "#", proven free of catastrophic backtracking`,
    examples: ['CN=(client-a|client-b)', 'CN=myvalidclient'],
    requires: { key: 'auth-tls-secret' },
    fits: matchCnProblem,
    differs: 'Checked per location, not per host; "\\", "$" and braces cannot be written (use [.] for a literal dot), and a regex that may backtrack catastrophically is refused.',
  },
] as const satisfies readonly AnnotationEntry[];

/** What one Ingress asks of its clients' certificates. */
export interface ClientCertificateConfig {
  /** The CA bundle; absent when the Secret could not be read at admission (no Secret access): never rendered so. */
  readonly ca?: SecretFile;
  readonly verify: VerifyClient;
  readonly depth: number;
  readonly passCertificate: boolean;
  /** Escaped absolute URL or path. */
  readonly errorPage?: string;
  /** Escaped, PCRE-checked regex. */
  readonly matchCn?: string;
}

function caOf(secret: NonNullable<ReturnType<typeof referencedSecret>>): SecretFile | undefined {
  if (!secret.secret) return undefined;
  const text = secretEntry(secret.secret, 'ca.crt');
  if (text === undefined) throw new Unrenderable(`auth-tls-secret: Secret ${secret.name} has no ca.crt`, 'auth-tls-secret');
  const bundle = caBundle(text);
  if (!bundle.ok) throw new Unrenderable(`auth-tls-secret: Secret ${secret.name}: ${bundle.problem}`, 'auth-tls-secret');
  return pemSecretFile(bundle.pem);
}

/** auth-tls-error-page, escaped as the URL or the path it is. */
function errorPageOf(read: AnnotationReader): string | undefined {
  if (!read.has('auth-tls-error-page')) return undefined;
  try {
    return read.str('auth-tls-error-page', 'url');
  } catch {
    return read.str('auth-tls-error-page', 'path');
  }
}

export const clientCertificateFeature = defineFeature({
  id: 'client-certificate',
  entries: CLIENT_CERTIFICATE_ANNOTATIONS,
  serverExclusive: true,
  parse(read, context): ClientCertificateConfig | undefined {
    const secret = referencedSecret(read, 'auth-tls-secret', context);
    if (!secret) return undefined;
    const ca = caOf(secret);
    const errorPage = errorPageOf(read);
    const matchCn = read.str('auth-tls-match-cn', 'cn-regex');
    return {
      ...(ca ? { ca } : {}),
      verify: read.oneOf('auth-tls-verify-client', VERIFY_MODES) ?? 'on',
      depth: read.int('auth-tls-verify-depth') ?? 1,
      passCertificate: read.bool('auth-tls-pass-certificate-to-upstream') === true,
      ...(errorPage !== undefined ? { errorPage } : {}),
      ...(matchCn !== undefined ? { matchCn } : {}),
    };
  },
  server(c, { secretsDir }) {
    if (c.verify === 'off' || !c.ca) return [];
    return [
      `ssl_client_certificate ${quoted(`${secretsDir}/${c.ca.file}`)};`,
      // The least nginx enforces itself: each location decides (see the top of this file).
      'ssl_verify_client optional_no_ca;',
      `ssl_verify_depth ${c.depth};`,
    ];
  },
  location(c, { pass, proxies }) {
    if (c.verify === 'off') return {};
    // Secret not known (admission without Secret access): never served without the check.
    if (!c.ca) return { rewrite: ['return 503;'] };
    const refuse = c.errorPage !== undefined ? `return 302 ${quoted(c.errorPage)};` : 'return 400;';
    // Plain HTTP has no client certificate: `$ssl_client_verify` is empty there, so `on` refuses it too.
    const rewrite =
      c.verify === 'on'
        ? ['if ($ssl_client_verify != SUCCESS) {', `    ${refuse}`, '}']
        : c.verify === 'optional'
          ? ['if ($ssl_client_verify ~ ^FAILED) {', `    ${refuse}`, '}']
          : [];
    if (c.matchCn !== undefined) rewrite.push(`if ($ssl_client_s_dn !~ ${quoted(c.matchCn)}) {`, '    return 403;', '}');
    // The headers ingress-nginx sends; set here even when empty, so a client cannot send its own.
    // (render-location.ts repeats the http level's headers in a location that sets its own.)
    const headers = proxies
      ? [
          `${pass}_set_header ssl-client-cert ${c.passCertificate ? '$ssl_client_escaped_cert' : '""'};`,
          `${pass}_set_header ssl-client-verify $ssl_client_verify;`,
          `${pass}_set_header ssl-client-subject-dn $ssl_client_s_dn;`,
          `${pass}_set_header ssl-client-issuer-dn $ssl_client_i_dn;`,
        ]
      : [];
    return { rewrite, directives: headers };
  },
  files(c) {
    return c.ca && c.verify !== 'off' ? [c.ca] : [];
  },
});
