import { X509Certificate } from 'node:crypto';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The CERTIFICATE blocks of a PEM bundle, each normalised to end with a newline. */
export function splitPemCertificates(text: string): string[] {
  return (text.match(CERT_BLOCK) ?? []).map((block) => `${block}\n`);
}

/** Parses every certificate of a bundle; undefined when the text holds none or one is unreadable. */
export function parseBundle(text: string | undefined): X509Certificate[] | undefined {
  if (!text) return undefined;
  const blocks = splitPemCertificates(text);
  if (blocks.length === 0) return undefined;
  try {
    return blocks.map((b) => new X509Certificate(b));
  } catch {
    return undefined;
  }
}

/** Parses the first certificate of a PEM text; undefined when unreadable. */
export function parseCertificate(text: string | undefined): X509Certificate | undefined {
  return parseBundle(text)?.[0];
}

/** A PEM bundle of certificates, in order. */
export function joinBundle(certs: readonly X509Certificate[]): string {
  return certs.map((c) => c.toString()).join('');
}
