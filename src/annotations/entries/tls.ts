import {
  BOOLEAN,
  BOOLEAN_MAX_LENGTH,
  enumSchema,
  NAMESPACED_NAME,
  NAMESPACED_NAME_MAX_LENGTH,
  unimplemented,
  type AnnotationEntry,
} from '../entry.js';

const SECRET_REFERENCE = 'a Secret name or namespace/name, in lower-case DNS-1123 form';

/** TLS towards clients and backends. */
export const TLS_ANNOTATIONS = [
  {
    key: 'ssl-redirect',
    controller: 'renders',
    kind: 'boolean',
    schema: BOOLEAN,
    maxLength: BOOLEAN_MAX_LENGTH,
    risk: 'low',
    doc: 'Redirect HTTP to HTTPS (308) on hosts listed in spec.tls; on by default there, "false" turns it off.',
    expects: '"true" or "false"',
    examples: ['false', 'true'],
  },
  {
    key: 'force-ssl-redirect',
    controller: 'renders',
    kind: 'boolean',
    schema: BOOLEAN,
    maxLength: BOOLEAN_MAX_LENGTH,
    risk: 'medium',
    doc: 'Redirect HTTP to HTTPS even when the host has no spec.tls entry (TLS terminated in front of nginx).',
    expects: '"true" or "false"',
    examples: ['true'],
  },
  {
    key: 'backend-protocol',
    controller: 'renders',
    kind: 'string',
    // ingress-nginx upper-cases the value first; Gatehouse takes the documented spelling only,
    // so what is written is what is rendered.
    schema: enumSchema(['HTTP', 'HTTPS', 'GRPC', 'GRPCS']),
    maxLength: 5,
    risk: 'low',
    doc: 'Protocol nginx speaks to the backend.',
    expects: 'one of HTTP, HTTPS, GRPC, GRPCS (upper case)',
    examples: ['HTTPS', 'GRPC', 'HTTP', 'GRPCS'],
  },
  {
    key: 'auth-tls-secret',
    controller: 'refuses',
    feature: 'client-certificate authentication',
    kind: 'namespaced-name',
    schema: NAMESPACED_NAME,
    maxLength: NAMESPACED_NAME_MAX_LENGTH,
    // High (ingress-nginx says medium): the value may reach into another namespace's Secrets.
    risk: 'high',
    doc: 'Secret (`ca.crt`) holding the CA that client certificates must be signed by (mutual TLS).',
    expects: SECRET_REFERENCE,
    examples: ['shop/client-ca', 'client-ca'],
  },
  {
    key: 'auth-tls-verify-client',
    controller: 'refuses',
    feature: 'client-certificate authentication',
    kind: 'string',
    schema: enumSchema(['on', 'off', 'optional', 'optional_no_ca']),
    maxLength: 14,
    risk: 'medium',
    doc: 'Whether client certificates are required (`on`, the default with auth-tls-secret), optional, or not checked.',
    expects: 'one of on, off, optional, optional_no_ca',
    examples: ['on', 'optional'],
    requires: { key: 'auth-tls-secret' },
  },
  {
    key: 'proxy-ssl-secret',
    controller: 'refuses',
    feature: 'upstream TLS authentication and verification',
    kind: 'namespaced-name',
    schema: NAMESPACED_NAME,
    maxLength: NAMESPACED_NAME_MAX_LENGTH,
    risk: 'high',
    doc: 'Secret (`tls.crt`, `tls.key`, `ca.crt`) nginx uses to authenticate to, and verify, an HTTPS backend.',
    expects: SECRET_REFERENCE,
    examples: ['shop/backend-client', 'backend-client'],
  },
] as const satisfies readonly AnnotationEntry[];

/**
 * TLS settings the controller does not render. Ignoring them would skip a client- or
 * upstream-certificate check, accept weaker ciphers than asked, or terminate TLS meant for the
 * backend (ssl-passthrough).
 */
export const TLS_UNIMPLEMENTED = [
  ...unimplemented('refuses', 'client-certificate authentication', [
    'auth-tls-verify-depth',
    'auth-tls-error-page',
    'auth-tls-pass-certificate-to-upstream',
    'auth-tls-match-cn',
  ]),
  ...unimplemented('refuses', 'upstream TLS authentication and verification', [
    'proxy-ssl-verify',
    'proxy-ssl-verify-depth',
    'proxy-ssl-name',
    'proxy-ssl-server-name',
    'proxy-ssl-ciphers',
    'proxy-ssl-protocols',
  ]),
  ...unimplemented('refuses', 'per-Ingress TLS cipher settings', ['ssl-ciphers', 'ssl-prefer-server-ciphers']),
  ...unimplemented('refuses', 'TLS passthrough to the backend', ['ssl-passthrough']),
];
