import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { Secret } from '../k8s/types.js';

/** What a `kubernetes.io/tls` Secret holds, reduced to what rules need. Never key material. */
export type SecretCertificate =
  | { readonly ok: true; readonly dnsNames: readonly string[]; readonly notBefore: Date; readonly notAfter: Date }
  | { readonly ok: false; readonly problem: string };

/** https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets */
export const TLS_SECRET_TYPE = 'kubernetes.io/tls';
const CERT_KEY = 'tls.crt';
const KEY_KEY = 'tls.key';

// Parsing a certificate and key costs ~0.1 ms; this runs on every admission. Snapshot objects are
// replaced, never mutated, when they change (informer semantics), so object identity is a
// correct cache key, and a WeakMap drops entries with the Secrets themselves: no size bound needed.
const cache = new WeakMap<Secret, SecretCertificate>();

/** A data entry as text: `stringData` (plain, as in a file not yet applied) wins over base64 `data`. */
export function secretEntry(secret: Secret, key: string): string | undefined {
  const plain = secret.stringData?.[key];
  if (typeof plain === 'string') return plain;
  const encoded = secret.data?.[key];
  return typeof encoded === 'string' ? Buffer.from(encoded, 'base64').toString('latin1') : undefined;
}

/** DNS names of `subjectAltName` ("DNS:a.com, DNS:*.b.com, IP Address:…"), lower-cased. */
function dnsNamesOf(cert: X509Certificate): string[] {
  const names: string[] = [];
  for (const part of (cert.subjectAltName ?? '').split(', ')) {
    if (!part.startsWith('DNS:')) continue;
    const value = part.slice(4);
    // Node JSON-quotes names with unusual characters (CVE-2021-44532); such names match no host.
    if (value.startsWith('"')) continue;
    names.push(value.toLowerCase());
  }
  return names;
}

function parse(secret: Secret): SecretCertificate {
  const crt = secretEntry(secret, CERT_KEY);
  const key = secretEntry(secret, KEY_KEY);
  if (!crt) return { ok: false, problem: `has no ${CERT_KEY}` };
  if (!key) return { ok: false, problem: `has no ${KEY_KEY}` };
  // nginx reads PEM only; X509Certificate would also accept DER.
  if (!crt.includes('-----BEGIN CERTIFICATE-----')) return { ok: false, problem: `${CERT_KEY} is not a PEM certificate` };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(crt);
  } catch {
    return { ok: false, problem: `${CERT_KEY} is not a valid PEM certificate` };
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) return { ok: false, problem: `${KEY_KEY} is not a PEM private key` };
  let matches: boolean;
  try {
    // Errors are dropped, not echoed: OpenSSL messages about a key are no business of a log.
    matches = cert.checkPrivateKey(createPrivateKey(key));
  } catch {
    return { ok: false, problem: `${KEY_KEY} is not a valid unencrypted PEM private key` };
  }
  if (!matches) return { ok: false, problem: `${KEY_KEY} does not match the certificate in ${CERT_KEY}` };
  return { ok: true, dnsNames: dnsNamesOf(cert), notBefore: new Date(cert.validFrom), notAfter: new Date(cert.validTo) };
}

/**
 * The certificate of a TLS Secret (the first one in `tls.crt`: the leaf, by convention) and
 * whether `tls.key` is its private key. Cached per Secret object.
 */
export function secretCertificate(secret: Secret): SecretCertificate {
  let result = cache.get(secret);
  if (!result) {
    result = parse(secret);
    cache.set(secret, result);
  }
  return result;
}

/**
 * Whether a certificate's DNS names cover a host. A wildcard name covers exactly one label
 * (`*.x.com` covers `a.x.com`, not `x.com` nor `a.b.x.com`), RFC 6125 §6.4.3; a wildcard host
 * in the Ingress is covered only by the same wildcard name. The subject CN is ignored, as by
 * browsers and Go clients (RFC 2818 §3.1 deprecated it).
 */
export function certificateCovers(dnsNames: readonly string[], host: string): boolean {
  const h = host.toLowerCase();
  if (dnsNames.includes(h)) return true;
  if (h.startsWith('*.')) return false;
  const dot = h.indexOf('.');
  return dot > 0 && dnsNames.includes(`*${h.slice(dot)}`);
}
