import type { Ingress } from '../k8s/types.js';
import { TLS_SECRET_TYPE, certificateCovers, secretCertificate } from '../tls/secret-certificate.js';
import { tlsPath } from './field-path.js';
import { ingressNamespace } from './ingress-namespace.js';
import { quote } from './quote.js';
import type { Finding, Rule } from './types.js';

const ID = 'tls';

/** cert-manager renews 30 days ahead by default, so a certificate this close to expiry is one nobody is renewing. */
const EXPIRY_WARNING_MS = 14 * 86_400_000;
const DAY_MS = 86_400_000;

/** cert-manager's ingress-shim creates the Secret after it sees the Ingress. https://cert-manager.io/docs/usage/ingress/ */
function managedByCertManager(ingress: Ingress): boolean {
  const annotations = ingress.metadata.annotations;
  if (!annotations) return false;
  for (const key in annotations) if (key.startsWith('cert-manager.io/')) return true;
  return false;
}

/**
 * Each `spec.tls[].secretName` names a `kubernetes.io/tls` Secret in the Ingress's namespace
 * holding a PEM certificate and its private key that nginx can load; otherwise nginx serves its
 * fallback certificate to everyone. "Can load" is judged by the controller's own checker
 * (tls/secret-certificate.ts): PEM framing, only certificates in tls.crt and only the key in
 * tls.key, keys and signatures strong enough for OpenSSL security level 2 (RSA ≥ 2048 bits, EC ≥
 * 224, no SHA-1 or MD5). A missing Secret is only a warning when cert-manager will create it. Warnings for
 * `spec.tls[].hosts` the certificate does not cover and certificates expired or expiring within
 * 14 days. Skipped when the snapshot holds no Secrets. Messages never contain Secret data.
 */
export const tlsRule: Rule = {
  id: ID,
  doc: 'TLS Secrets exist, are kubernetes.io/tls, and hold a matching PEM cert and key nginx can load (OpenSSL security level 2); uncovered hosts and expiry within 14 days warn.',
  check(ingress, ctx) {
    if (!ctx.cluster.covers('Secret')) return [];
    const ns = ingressNamespace(ingress);
    const findings: Finding[] = [];
    (ingress.spec?.tls ?? []).forEach((tls, t) => {
      // No secretName is valid: the controller's default certificate is used (for SNI-less setups).
      const name = tls.secretName;
      if (!name) return;
      const path = `${tlsPath(t)}.secretName`;
      const ref = quote(`${ns}/${name}`);
      const secret = ctx.cluster.secret(ns, name);
      if (!secret) {
        const certManager = managedByCertManager(ingress);
        findings.push({
          rule: ID,
          severity: certManager ? 'warn' : 'deny',
          path,
          message: certManager
            ? `Secret ${ref} does not exist yet; cert-manager is expected to create it`
            : `Secret ${ref} not found (Gatehouse sees only Secrets of type ${TLS_SECRET_TYPE})`,
        });
        return;
      }
      if (secret.type !== TLS_SECRET_TYPE) {
        findings.push({ rule: ID, severity: 'deny', path, message: `Secret ${ref} has type ${quote(secret.type ?? 'Opaque')}, not ${TLS_SECRET_TYPE}` });
        return;
      }
      const cert = secretCertificate(secret);
      if (!cert.ok) {
        findings.push({ rule: ID, severity: 'deny', path, message: `Secret ${ref} ${cert.problem}` });
        return;
      }
      const now = ctx.now.getTime();
      const expiry = cert.notAfter.toISOString();
      if (cert.notAfter.getTime() <= now) {
        findings.push({ rule: ID, severity: 'warn', path, message: `certificate in Secret ${ref} expired on ${expiry}` });
      } else if (cert.notAfter.getTime() - now <= EXPIRY_WARNING_MS) {
        const days = Math.floor((cert.notAfter.getTime() - now) / DAY_MS);
        findings.push({ rule: ID, severity: 'warn', path, message: `certificate in Secret ${ref} expires on ${expiry} (in ${days} days)` });
      }
      if (cert.notBefore.getTime() > now) {
        findings.push({ rule: ID, severity: 'warn', path, message: `certificate in Secret ${ref} is not valid before ${cert.notBefore.toISOString()}` });
      }
      (tls.hosts ?? []).forEach((host, h) => {
        if (typeof host !== 'string' || certificateCovers(cert.dnsNames, host)) return;
        const names = cert.dnsNames.length === 0 ? 'it has no DNS names' : `it covers ${cert.dnsNames.slice(0, 5).join(', ')}${cert.dnsNames.length > 5 ? ', …' : ''}`;
        findings.push({
          rule: ID,
          severity: 'warn',
          path: `${tlsPath(t)}.hosts[${h}]`,
          message: `host ${quote(host)} is not covered by the certificate in Secret ${ref}; ${names}`,
        });
      });
    });
    return findings;
  },
};
