import { X509Certificate } from 'node:crypto';

/**
 * notAfter of the first certificate in a PEM text (the leaf of a chain), e.g. for
 * `gatehouse_tls_cert_expiry_timestamp_seconds`. Throws an Error naming the problem when the
 * text holds no readable certificate.
 */
export function certExpiry(pem: string): Date {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    throw new Error(`not a PEM certificate (${(err as Error).message})`);
  }
  return new Date(cert.validTo);
}
