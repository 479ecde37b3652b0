import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/** A PEM certificate and its PEM (PKCS#8) private key. */
export interface CertAndKey {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CaSpec {
  readonly keySize: number;
  readonly validityMs: number;
  /** Issue time; tests pin it. */
  readonly now?: Date;
}

export interface ServingSpec extends CaSpec {
  /** DNS names and/or IPs; the first is the subject CN. */
  readonly hosts: readonly string[];
}

// Clocks of the API server, the kubelet and this Job drift; a certificate that starts "now"
// is refused for its first seconds by a peer whose clock is behind.
const BACKDATE_MS = 5 * 60_000;

/** RSA key pair from Node's native keygen (node-forge's pure-JS keygen takes seconds at 2048 bits). */
function rsaKeyPair(bits: number): { keyPem: string; publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { keyPem: privateKey, publicKey: forge.pki.publicKeyFromPem(publicKey), privateKey: forge.pki.privateKeyFromPem(privateKey) };
}

/**
 * A random 128-bit serial (CA/Browser Forum asks for ≥64 random bits; RFC 5280 §4.1.2.2 caps it
 * at 20 octets). The top bit is set so the magnitude is exactly 128 bits, and the leading 00
 * keeps the DER INTEGER positive — and minimal, which OpenSSL insists on.
 */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! | 0x80;
  return `00${bytes.toString('hex')}`;
}

/**
 * Subject attributes as UTF8String. node-forge defaults to PrintableString, whose alphabet has no
 * `@`, `*`, `_` or `:`; Go's crypto/x509 (kube-apiserver, kubectl) refuses such a certificate with
 * "invalid PrintableString" while OpenSSL and Node accept it. RFC 5280 §4.1.2.6 prefers UTF8String.
 */
function utf8Subject(attributes: readonly { name: string; value: string }[]): forge.pki.CertificateField[] {
  return attributes.map((a) => ({ ...a, valueTagClass: UTF8_TAG }));
}

/** @types/node-forge declares valueTagClass as an asn1.Class; forge reads it as the asn1.Type tag. */
const UTF8_TAG = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;

function newCertificate(publicKey: forge.pki.PublicKey, validityMs: number, now: Date): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now.getTime() - BACKDATE_MS);
  cert.validity.notAfter = new Date(now.getTime() + validityMs);
  return cert;
}

/**
 * A self-signed CA: basicConstraints CA:true and keyUsage keyCertSign/cRLSign, both critical
 * (RFC 5280 §4.2.1.9, §4.2.1.3). The CN carries the issue time, as Kubernetes' own
 * self-signed CAs do, so the old and new CA of a rotation are told apart in logs and bundles.
 */
export function generateCa(spec: CaSpec): CertAndKey {
  const now = spec.now ?? new Date();
  const keys = rsaKeyPair(spec.keySize);
  const cert = newCertificate(keys.publicKey, spec.validityMs, now);
  const subject = utf8Subject([
    { name: 'commonName', value: `gatehouse-ca@${Math.floor(now.getTime() / 1000)}` },
    { name: 'organizationName', value: 'Gatehouse' },
  ]);
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

/** SAN entries: IP addresses as iPAddress (type 7), everything else as dNSName (type 2). */
function altNames(hosts: readonly string[]): { type: number; value?: string; ip?: string }[] {
  return hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h }));
}

/**
 * A serving certificate for `hosts`, signed by `ca`: extKeyUsage serverAuth, keyUsage
 * digitalSignature/keyEncipherment, every host in the SANs (clients match SANs only, RFC 6125
 * §6.4.4), and the CA's key identifier so a bundle holding two CAs during a rotation still
 * leads a verifier to the right issuer.
 */
export function issueServingCert(ca: CertAndKey, spec: ServingSpec): CertAndKey {
  const first = spec.hosts[0];
  if (first === undefined) throw new Error('a serving certificate needs at least one host');
  const now = spec.now ?? new Date();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const keys = rsaKeyPair(spec.keySize);
  const cert = newCertificate(keys.publicKey, spec.validityMs, now);
  cert.setSubject(utf8Subject([{ name: 'commonName', value: first }]));
  // The issuer is the CA's subject as parsed, tags included: Go chains certificates by comparing
  // the raw issuer and subject bytes.
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: altNames(spec.hosts) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}
