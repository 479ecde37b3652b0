import { createHash } from 'node:crypto';
import type { Secret } from '../k8s/types.js';
import { tlsSecretPair } from '../tls/secret-certificate.js';
import type { SecretFile } from './model.js';

/** A usable certificate, or why the Secret cannot serve TLS. */
export type CertificateResult = { readonly ok: true; readonly file: SecretFile } | { readonly ok: false; readonly reason: string };

/**
 * Turns a TLS Secret into the file apply.ts writes. The Secret is judged by the same checker as
 * the webhook's `tls` rule (tls/secret-certificate.ts), because a Secret update never passes the
 * Ingress webhook: a bad PEM, a key that does not match, a weak key or a SHA-1 signature would
 * fail `nginx -t` for the whole configuration, taking every other host down with it; a bad
 * Secret only sends its hosts to the fallback certificate. The file holds only the blocks the
 * checker parsed. Its name is a content hash: a rotated Secret gets a new file, so a reload never
 * reads a half-written one, and identical input renders identical text.
 */
export function certificateFromSecret(secret: Secret): CertificateResult {
  // Informer caches hand out the same object until it changes, so identity is a safe cache key;
  // hashing 5,000 certificates per render would dominate the render time.
  let result = checked.get(secret);
  if (!result) checked.set(secret, (result = check(secret)));
  return result;
}

const checked = new WeakMap<Secret, CertificateResult>();

function check(secret: Secret): CertificateResult {
  const pair = tlsSecretPair(secret);
  if (!pair.ok) return { ok: false, reason: pair.problem };
  return { ok: true, file: pemSecretFile(pair.pem) };
}

/** A SecretFile for PEM text (a key + chain, a CA bundle): named by the hash of its content. */
export function pemSecretFile(pem: string): SecretFile {
  const digest = createHash('sha256').update(pem).digest('hex').slice(0, 32);
  return { file: `${digest}.pem`, content: pem };
}
