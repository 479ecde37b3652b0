import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import type { Secret } from '../k8s/types.js';
import { secretEntry } from '../tls/secret-certificate.js';
import type { CertificateFile } from './model.js';

/** A usable certificate, or why the Secret cannot serve TLS. */
export type CertificateResult = { readonly ok: true; readonly file: CertificateFile } | { readonly ok: false; readonly reason: string };

/**
 * Turns a TLS Secret into the file apply.ts writes. The pair is checked here (parse both, key
 * matches certificate) because a bad PEM would fail `nginx -t` for the whole configuration,
 * taking every other host down with it; a bad Secret only sends its hosts to the fallback cert.
 * The file name is a content hash: a rotated Secret gets a new file, so a reload never reads a
 * half-written one, and identical input renders identical text.
 */
export function certificateFromSecret(secret: Secret): CertificateResult {
  // Informer caches hand out the same object until it changes, so identity is a safe cache key;
  // parsing 5,000 certificates per render would dominate the render time.
  let result = checked.get(secret);
  if (!result) checked.set(secret, (result = check(secret)));
  return result;
}

const checked = new WeakMap<Secret, CertificateResult>();

function check(secret: Secret): CertificateResult {
  const cert = secretEntry(secret, 'tls.crt');
  const key = secretEntry(secret, 'tls.key');
  if (!cert || !key) return { ok: false, reason: 'has no tls.crt and tls.key' };
  try {
    const x509 = new X509Certificate(cert);
    const privateKey = createPrivateKey(key);
    if (!x509.checkPrivateKey(privateKey)) return { ok: false, reason: 'tls.key does not match tls.crt' };
  } catch (err) {
    return { ok: false, reason: `is not a usable PEM certificate and key (${(err as Error).message})` };
  }
  const pem = `${key.trim()}\n${cert.trim()}\n`;
  const digest = createHash('sha256').update(pem).digest('hex').slice(0, 32);
  return { ok: true, file: { file: `${digest}.pem`, pem } };
}
