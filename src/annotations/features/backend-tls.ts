// TLS towards HTTPS and GRPCS backends: the client certificate nginx presents, the CAs it verifies
// the backend with, the name it verifies and sends (SNI), protocols and ciphers; rendered in each
// location as `proxy_ssl_*` or `grpc_ssl_*`.
// https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#backend-certificate-authentication
// https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_ssl_certificate
import { createHash } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { SecretFile } from '../../nginx/model.js';
import { pemSecretFile } from '../../nginx/certificates.js';
import { quoted } from '../../nginx/escape.js';
import { caBundle } from '../../tls/ca-bundle.js';
import { secretEntry, tlsSecretPair } from '../../tls/secret-certificate.js';
import {
  enumSchema,
  integerSchema,
  NAMESPACED_NAME,
  NAMESPACED_NAME_MAX_LENGTH,
  patternSchema,
  unimplemented,
  type AnnotationEntry,
} from '../entry.js';
import { defineFeature } from '../feature.js';
import { Unrenderable } from '../reader.js';
import { referencedSecret } from '../secret-reference.js';

const KEYS = ['proxy-ssl-secret', 'proxy-ssl-verify', 'proxy-ssl-verify-depth', 'proxy-ssl-name', 'proxy-ssl-server-name', 'proxy-ssl-protocols', 'proxy-ssl-ciphers'] as const;
const ON_OFF = ['on', 'off'] as const;
const CIPHERS_MAX_LENGTH = 1024;
/** A DNS name (no wildcard): what nginx verifies the backend's certificate against. */
const DNS_NAME = '^(?=.{1,253}$)[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*$';

/**
 * Why OpenSSL would refuse the cipher list, or undefined. nginx fails `nginx -t` for the whole
 * configuration on a list that selects no cipher ("SSL_CTX_set_cipher_list() failed"); Node's
 * OpenSSL judges the same syntax.
 */
function ciphersProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    createSecureContext({ ciphers: value });
    return undefined;
  } catch {
    return 'selects no cipher OpenSSL knows';
  }
}

/** Backend TLS. */
export const BACKEND_TLS_ANNOTATIONS = [
  {
    key: 'proxy-ssl-secret',
    controller: 'renders',
    kind: 'namespaced-name',
    schema: NAMESPACED_NAME,
    maxLength: NAMESPACED_NAME_MAX_LENGTH,
    risk: 'high',
    doc: 'Secret with the client certificate (`tls.crt`, `tls.key`) nginx presents to an HTTPS/GRPCS backend and/or the CAs (`ca.crt`) it verifies the backend with.',
    expects: 'a Secret name or namespace/name, in lower-case DNS-1123 form',
    examples: ['backend-client', 'shop/backend-client'],
    differs: 'A Secret in another namespace is refused; each piece present is validated and used (ingress-nginx uses the client certificate only when ca.crt is present too).',
  },
  {
    key: 'proxy-ssl-verify',
    controller: 'renders',
    kind: 'string',
    schema: enumSchema(ON_OFF),
    maxLength: 3,
    risk: 'low',
    doc: 'Verify the backend certificate against `ca.crt` of proxy-ssl-secret and the name of proxy-ssl-name (default off).',
    expects: 'on or off',
    examples: ['on', 'off'],
    requires: { key: 'proxy-ssl-secret' },
    differs: '"on" with a Secret without ca.crt is refused (ingress-nginx then silently does not verify).',
  },
  {
    key: 'proxy-ssl-verify-depth',
    controller: 'renders',
    kind: 'integer',
    schema: integerSchema(1, 10),
    maxLength: 2,
    risk: 'low',
    doc: 'Longest chain from the backend certificate to a CA of proxy-ssl-secret (default 1).',
    expects: 'a whole number from 1 to 10',
    examples: ['2', '1'],
    requires: { key: 'proxy-ssl-verify', equals: 'on' },
  },
  {
    key: 'proxy-ssl-name',
    controller: 'renders',
    kind: 'string',
    schema: patternSchema(DNS_NAME, 253),
    maxLength: 253,
    risk: 'high',
    doc: 'Name the backend certificate is verified against, and sent as SNI with proxy-ssl-server-name "on" (default: the upstream name).',
    expects: 'a lower-case DNS name',
    examples: ['backend.shop.svc', 'api.example.com'],
    differs: 'Works without proxy-ssl-secret; no nginx variables.',
  },
  {
    key: 'proxy-ssl-server-name',
    controller: 'renders',
    kind: 'string',
    schema: enumSchema(ON_OFF),
    maxLength: 3,
    risk: 'low',
    doc: 'Send the server name (proxy-ssl-name, else the upstream name) as SNI to the backend.',
    expects: 'on or off',
    examples: ['on', 'off'],
    differs: 'Works without proxy-ssl-secret.',
  },
  {
    key: 'proxy-ssl-protocols',
    controller: 'renders',
    kind: 'string',
    schema: enumSchema(['TLSv1.2', 'TLSv1.3', 'TLSv1.2 TLSv1.3']),
    maxLength: 15,
    risk: 'low',
    doc: 'TLS versions nginx offers the backend (default `TLSv1.2 TLSv1.3`).',
    expects: 'TLSv1.2, TLSv1.3 or "TLSv1.2 TLSv1.3"',
    examples: ['TLSv1.3', 'TLSv1.2'],
    differs: 'Default TLSv1.2 and TLSv1.3 (ingress-nginx: TLSv1.2 only); the two versions must be written in this order.',
  },
  {
    key: 'proxy-ssl-ciphers',
    controller: 'renders',
    kind: 'string',
    schema: patternSchema('^[A-Za-z0-9_:+!-]+$', CIPHERS_MAX_LENGTH),
    maxLength: CIPHERS_MAX_LENGTH,
    risk: 'medium',
    doc: 'OpenSSL cipher list for TLS 1.2 towards the backend (default nginx\'s, `DEFAULT`).',
    expects: 'an OpenSSL cipher list like ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256 that selects at least one cipher',
    examples: ['ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256', 'HIGH:!aNULL:!MD5'],
    fits: ciphersProblem,
  },
] as const satisfies readonly AnnotationEntry[];

/** TLS settings of the listener that the controller does not render. */
export const BACKEND_TLS_UNIMPLEMENTED = [
  ...unimplemented('refuses', 'per-Ingress TLS cipher settings', ['ssl-ciphers', 'ssl-prefer-server-ciphers']),
  ...unimplemented('refuses', 'TLS passthrough to the backend', ['ssl-passthrough']),
];

/** How nginx speaks TLS to the backend of one Ingress. */
export interface BackendTlsConfig {
  /** The backend protocol speaks TLS (HTTPS, GRPCS): otherwise nothing is rendered. */
  readonly tls: boolean;
  /** Client key + chain (tls.key, tls.crt). */
  readonly certificate?: SecretFile;
  /** Trusted CAs (ca.crt). */
  readonly ca?: SecretFile;
  /** The Secret could not be read at admission (no Secret access): never rendered so. */
  readonly unknownSecret?: true;
  readonly verify: boolean;
  readonly depth: number;
  readonly name?: string;
  readonly serverName?: boolean;
  readonly protocols: string;
  readonly ciphers?: string;
}

/** Reads tls.crt/tls.key and ca.crt as ingress-nginx does: a key pair, a CA, or both; neither is an error. */
function secretFiles(secret: NonNullable<ReturnType<typeof referencedSecret>>): Pick<BackendTlsConfig, 'certificate' | 'ca' | 'unknownSecret'> {
  if (!secret.secret) return { unknownSecret: true };
  const where = `proxy-ssl-secret: Secret ${secret.name}`;
  const hasPair = secretEntry(secret.secret, 'tls.crt') !== undefined || secretEntry(secret.secret, 'tls.key') !== undefined;
  const caText = secretEntry(secret.secret, 'ca.crt');
  if (!hasPair && caText === undefined) throw new Unrenderable(`${where} has neither tls.crt and tls.key nor ca.crt`, 'proxy-ssl-secret');
  let certificate: SecretFile | undefined;
  if (hasPair) {
    const pair = tlsSecretPair(secret.secret);
    if (!pair.ok) throw new Unrenderable(`${where} ${pair.problem}`, 'proxy-ssl-secret');
    certificate = pemSecretFile(pair.pem);
  }
  let ca: SecretFile | undefined;
  if (caText !== undefined) {
    const bundle = caBundle(caText);
    if (!bundle.ok) throw new Unrenderable(`${where}: ${bundle.problem}`, 'proxy-ssl-secret');
    ca = pemSecretFile(bundle.pem);
  }
  return { ...(certificate ? { certificate } : {}), ...(ca ? { ca } : {}) };
}

/**
 * What tells one backend TLS setting from another, as a short hex digest: locations whose
 * settings differ get separate upstreams (nginx/upstreams.ts ResolveOptions.tlsIdentity).
 */
export function backendTlsIdentity(c: BackendTlsConfig): string {
  const { certificate, ca, ...rest } = c;
  return createHash('sha256')
    .update(JSON.stringify([certificate?.file, ca?.file, rest]))
    .digest('hex')
    .slice(0, 12);
}

export const backendTlsFeature = defineFeature({
  id: 'backend-tls',
  entries: BACKEND_TLS_ANNOTATIONS,
  unimplemented: BACKEND_TLS_UNIMPLEMENTED,
  check(values) {
    const set = KEYS.find((k) => values[k] !== undefined);
    const protocol = values['backend-protocol'];
    if (set === undefined || protocol === 'HTTPS' || protocol === 'GRPCS') return [];
    return [{ key: set, severity: 'warn', message: `has no effect: nginx speaks ${typeof protocol === 'string' ? protocol : 'HTTP'} to the backend; set nginx.ingress.kubernetes.io/backend-protocol to HTTPS or GRPCS` }];
  },
  parse(read, context): BackendTlsConfig | undefined {
    if (!KEYS.some((k) => read.has(k))) return undefined;
    const secret = referencedSecret(read, 'proxy-ssl-secret', context);
    const files = secret ? secretFiles(secret) : {};
    const verify = read.oneOf('proxy-ssl-verify', ON_OFF) === 'on';
    if (verify && !files.ca && !files.unknownSecret) {
      throw new Unrenderable(
        secret ? `proxy-ssl-verify is on, but Secret ${secret.name} has no ca.crt to verify the backend with` : 'proxy-ssl-verify is on without proxy-ssl-secret (its ca.crt)',
        'proxy-ssl-verify',
      );
    }
    const protocol = read.oneOf('backend-protocol', ['HTTPS', 'GRPCS']);
    const name = read.str('proxy-ssl-name', 'host');
    const serverName = read.oneOf('proxy-ssl-server-name', ON_OFF);
    const ciphers = read.str('proxy-ssl-ciphers', 'ciphers');
    return {
      tls: protocol !== undefined,
      ...files,
      verify,
      depth: read.int('proxy-ssl-verify-depth') ?? 1,
      ...(name !== undefined ? { name } : {}),
      ...(serverName !== undefined ? { serverName: serverName === 'on' } : {}),
      protocols: read.oneOf('proxy-ssl-protocols', ['TLSv1.2', 'TLSv1.3', 'TLSv1.2 TLSv1.3']) ?? 'TLSv1.2 TLSv1.3',
      ...(ciphers !== undefined ? { ciphers } : {}),
    };
  },
  location(c, { pass, proxies, secretsDir }) {
    if (!c.tls || !proxies) return {};
    if (c.unknownSecret) return { rewrite: ['return 503;'] };
    const p = pass;
    const file = (f: SecretFile) => quoted(`${secretsDir}/${f.file}`);
    return {
      directives: [
        ...(c.certificate ? [`${p}_ssl_certificate ${file(c.certificate)};`, `${p}_ssl_certificate_key ${file(c.certificate)};`] : []),
        ...(c.ca ? [`${p}_ssl_trusted_certificate ${file(c.ca)};`] : []),
        ...(c.verify ? [`${p}_ssl_verify on;`, `${p}_ssl_verify_depth ${c.depth};`] : []),
        ...(c.name !== undefined ? [`${p}_ssl_name ${c.name};`] : []),
        ...(c.serverName !== undefined ? [`${p}_ssl_server_name ${c.serverName ? 'on' : 'off'};`] : []),
        `${p}_ssl_protocols ${c.protocols};`,
        ...(c.ciphers !== undefined ? [`${p}_ssl_ciphers ${quoted(c.ciphers)};`] : []),
      ],
    };
  },
  files(c) {
    return c.tls ? [...(c.certificate ? [c.certificate] : []), ...(c.ca ? [c.ca] : [])] : [];
  },
});
