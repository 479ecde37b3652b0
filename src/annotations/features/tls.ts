import {
  BOOLEAN,
  BOOLEAN_MAX_LENGTH,
  enumSchema,
  NAMESPACED_NAME,
  NAMESPACED_NAME_MAX_LENGTH,
  unimplemented,
  type AnnotationEntry,
} from '../entry.js';
import { defineFeature } from '../feature.js';

const SECRET_REFERENCE = 'a Secret name or namespace/name, in lower-case DNS-1123 form';

/** TLS towards clients and backends. */
export const TLS_ANNOTATIONS = [
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

export const tlsFeature = defineFeature({
  id: 'tls',
  entries: TLS_ANNOTATIONS,
  unimplemented: TLS_UNIMPLEMENTED,
});
