// What OpenSSL at security level 2 refuses in a certificate chain, so that Gatehouse refuses it
// first: Debian builds OpenSSL with SECLEVEL=2, and nginx's SSL_CTX_use_certificate /
// SSL_CTX_set0_chain then fail ("ee key too small", "ca key too small", "ca md too weak"), which
// fails `nginx -t` for the whole configuration. Level 2 means 112 bits of security: RSA, DSA and
// DH keys of at least 2048 bits, EC keys of at least 224 bits, no MD5 or SHA-1 signatures.
// https://docs.openssl.org/3.0/man3/SSL_CTX_set_security_level/#default-callback-behaviour
import type { KeyObject, X509Certificate } from 'node:crypto';
import { signatureAlgorithm } from './signature-algorithm.js';

const LEVEL = 'nginx (OpenSSL security level 2)';
const MIN_MODULUS_BITS = 2048;
/** DSA's q: security is half its bits (FIPS 186-4 pairs 2048-bit p with 224-bit q). */
const MIN_DSA_Q_BITS = 224;
const MIN_EC_BITS = 224;
/** Digests of under 112 bits of security. */
const WEAK_DIGESTS = new Set(['MD2', 'MD4', 'MD5', 'SHA-1']);

/**
 * Bits of an EC curve's group order, from its OpenSSL name (`prime256v1`, `secp384r1`,
 * `brainpoolP512r1`, `sect233k1`): the field size, which the order matches to within the
 * cofactor's few bits (2 for sect233k1, whose order still has 232). Undefined for names without one.
 */
function curveBits(name: string): number | undefined {
  const m = /(\d{3})/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Why OpenSSL at security level 2 refuses this public key, or undefined when it accepts it. */
export function keyWeakness(key: KeyObject): string | undefined {
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  switch (type) {
    case 'rsa':
    case 'rsa-pss':
    case 'dh':
    case 'dsa': {
      const label = type === 'rsa-pss' ? 'RSA-PSS' : type.toUpperCase();
      const bits = details.modulusLength;
      if (bits === undefined) return `has a ${label} key of unknown size, which Gatehouse cannot judge against ${LEVEL}`;
      if (bits < MIN_MODULUS_BITS) return `has a ${bits}-bit ${label} key; ${LEVEL} refuses ${label} keys under ${MIN_MODULUS_BITS} bits`;
      const q = details.divisorLength;
      if (type === 'dsa' && (q === undefined || q < MIN_DSA_Q_BITS)) return `has a DSA key with a ${q ?? 'unknown'}-bit q; ${LEVEL} refuses q under ${MIN_DSA_Q_BITS} bits`;
      return undefined;
    }
    case 'ec': {
      const curve = details.namedCurve;
      const bits = curve ? curveBits(curve) : undefined;
      if (!curve || bits === undefined) return `has an EC key on ${curve ? `curve ${curve}` : 'explicit curve parameters'}, which Gatehouse cannot judge against ${LEVEL}`;
      if (bits < MIN_EC_BITS) return `has an EC key on curve ${curve} (${bits} bits); ${LEVEL} refuses EC keys under ${MIN_EC_BITS} bits`;
      return undefined;
    }
    case 'ed25519':
    case 'ed448':
      return undefined;
    default:
      return `has a ${type} key, which Gatehouse cannot judge against ${LEVEL}`;
  }
}

/**
 * Why nginx would refuse this certificate in `ssl_certificate` (as the server's own or in its
 * chain), or undefined. The signature of a self-signed certificate is not judged, as OpenSSL
 * does not judge it (a SHA-1 root at the end of a chain is accepted).
 */
export function certificateWeakness(cert: X509Certificate): string | undefined {
  let key: KeyObject;
  try {
    key = cert.publicKey;
  } catch {
    return `has a public key Gatehouse cannot read`;
  }
  const weakKey = keyWeakness(key);
  if (weakKey) return weakKey;
  if (cert.checkIssued(cert)) return undefined;
  const alg = signatureAlgorithm(cert.raw);
  if (!alg) return 'has a signature algorithm Gatehouse cannot read';
  if (alg.digest === undefined) return `is signed with ${alg.name}, which Gatehouse cannot judge against ${LEVEL}`;
  if (WEAK_DIGESTS.has(alg.digest)) return `is signed with ${alg.digest} (${alg.name}); ${LEVEL} refuses MD5 and SHA-1 signatures`;
  return undefined;
}
