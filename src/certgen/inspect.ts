import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { formatDuration } from '../config/flags.js';
import { parseBundle, parseCertificate } from './pem.js';

/** What a Secret (or --out-dir) holds, as PEM text; any entry may be missing. */
export interface StoredMaterial {
  /** The CA bundle: the current CA first, then retired CAs still trusted. */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly caKey?: string;
}

/** Whether the serving certificate can stay; `reason` is one line, naming no key material. */
export type ServingVerdict =
  | { readonly ok: true; readonly cert: X509Certificate; readonly issuer: X509Certificate }
  | { readonly ok: false; readonly reason: string };

export { formatDuration };

export type CaVerdict = { readonly ok: true; readonly ca: X509Certificate } | { readonly ok: false; readonly reason: string };


function readKey(pem: string | undefined): KeyObject | undefined {
  if (!pem) return undefined;
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

/** Whether `ca` signed `cert`: names, key identifiers and the signature (checkIssued alone skips the signature). */
export function issuedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  return ca.ca && cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

/** The first host the certificate does not cover, matching SANs only (RFC 6125 §6.4.4: no CN fallback). */
export function uncoveredHost(cert: X509Certificate, hosts: readonly string[]): string | undefined {
  return hosts.find((h) => (isIP(h) ? cert.checkIP(h) === undefined : cert.checkHost(h, { subject: 'never' }) === undefined));
}

/**
 * Decides whether the stored serving certificate is still good: it and its key parse and match,
 * a CA of the bundle signed it, both are within validity, it covers every host, and it does not
 * expire within `renewBeforeMs` of `now`.
 */
export function inspectServing(stored: StoredMaterial, hosts: readonly string[], now: Date, renewBeforeMs: number): ServingVerdict {
  const fail = (reason: string): ServingVerdict => ({ ok: false, reason });
  if (!stored.cert) return fail('no serving certificate');
  const cert = parseCertificate(stored.cert);
  if (!cert) return fail('the serving certificate is not readable PEM');
  const key = readKey(stored.key);
  if (!key) return fail('no readable serving private key');
  if (!cert.checkPrivateKey(key)) return fail('the serving private key does not match the certificate');
  const bundle = parseBundle(stored.ca);
  if (!bundle) return fail('no readable CA bundle');
  const issuer = bundle.find((ca) => issuedBy(cert, ca));
  if (!issuer) return fail('no CA of the bundle signed the serving certificate');
  const t = now.getTime();
  if (Date.parse(issuer.validFrom) > t || Date.parse(issuer.validTo) <= t) return fail(`the CA is outside its validity (${issuer.validFrom} – ${issuer.validTo})`);
  if (Date.parse(cert.validFrom) > t) return fail(`the serving certificate is not valid before ${cert.validFrom}`);
  const notAfter = Date.parse(cert.validTo);
  if (notAfter <= t) return fail(`the serving certificate expired ${new Date(notAfter).toISOString()}`);
  if (notAfter - renewBeforeMs <= t) {
    return fail(`the serving certificate expires ${new Date(notAfter).toISOString()}, within the renewal window (${formatDuration(renewBeforeMs)})`);
  }
  const missing = uncoveredHost(cert, hosts);
  if (missing !== undefined) return fail(`the serving certificate does not cover host ${missing}`);
  return { ok: true, cert, issuer };
}

/**
 * Decides whether the stored CA can sign a new serving certificate valid until `neededUntil`:
 * the first CA of the bundle must be a CA, be valid now and until then (a certificate cannot
 * outlive its issuer), and the stored CA key must be its key.
 */
export function inspectCa(stored: StoredMaterial, now: Date, neededUntil: Date): CaVerdict {
  const fail = (reason: string): CaVerdict => ({ ok: false, reason });
  const ca = parseCertificate(stored.ca);
  if (!ca) return fail('no readable CA');
  if (!ca.ca) return fail('the first certificate of the CA bundle is not a CA');
  const key = readKey(stored.caKey);
  if (!key) return fail('no readable CA private key');
  if (!ca.checkPrivateKey(key)) return fail('the CA private key does not match the CA');
  if (Date.parse(ca.validFrom) > now.getTime()) return fail(`the CA is not valid before ${ca.validFrom}`);
  if (Date.parse(ca.validTo) < neededUntil.getTime()) {
    return fail(`the CA expires ${new Date(Date.parse(ca.validTo)).toISOString()}, before a new certificate would`);
  }
  return { ok: true, ca };
}
