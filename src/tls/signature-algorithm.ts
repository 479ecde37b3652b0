// The signature algorithm of a certificate, read from its DER (RFC 5280 §4.1.1.2), with the
// digest it signs with: Node's X509Certificate names the algorithm only from Node 24.9, and never
// the digest inside RSASSA-PSS parameters.

/** A certificate's signature algorithm; `digest` is what OpenSSL judges its security by. */
export interface SignatureAlgorithm {
  readonly oid: string;
  /** e.g. `sha256WithRSAEncryption`, or the OID when unknown. */
  readonly name: string;
  /** e.g. `SHA-256`; undefined when Gatehouse does not know the algorithm. */
  readonly digest?: string;
}

const RSA_PSS = '1.2.840.113549.1.1.10';

/** Signature algorithm OID → [name, digest]. Ed25519/Ed448 hash internally (SHA-512, SHAKE256). */
const ALGORITHMS: ReadonlyMap<string, readonly [string, string]> = new Map([
  ['1.2.840.113549.1.1.2', ['md2WithRSAEncryption', 'MD2']],
  ['1.2.840.113549.1.1.3', ['md4WithRSAEncryption', 'MD4']],
  ['1.2.840.113549.1.1.4', ['md5WithRSAEncryption', 'MD5']],
  ['1.2.840.113549.1.1.5', ['sha1WithRSAEncryption', 'SHA-1']],
  ['1.3.14.3.2.3', ['md5WithRSA', 'MD5']],
  ['1.3.14.3.2.27', ['dsaWithSHA1', 'SHA-1']],
  ['1.3.14.3.2.29', ['sha1WithRSA', 'SHA-1']],
  ['1.2.840.10040.4.3', ['dsa-with-sha1', 'SHA-1']],
  ['1.2.840.10045.4.1', ['ecdsa-with-SHA1', 'SHA-1']],
  ['1.2.840.113549.1.1.14', ['sha224WithRSAEncryption', 'SHA-224']],
  ['1.2.840.113549.1.1.11', ['sha256WithRSAEncryption', 'SHA-256']],
  ['1.2.840.113549.1.1.12', ['sha384WithRSAEncryption', 'SHA-384']],
  ['1.2.840.113549.1.1.13', ['sha512WithRSAEncryption', 'SHA-512']],
  ['1.2.840.113549.1.1.15', ['sha512-224WithRSAEncryption', 'SHA-512/224']],
  ['1.2.840.113549.1.1.16', ['sha512-256WithRSAEncryption', 'SHA-512/256']],
  ['1.2.840.10045.4.3.1', ['ecdsa-with-SHA224', 'SHA-224']],
  ['1.2.840.10045.4.3.2', ['ecdsa-with-SHA256', 'SHA-256']],
  ['1.2.840.10045.4.3.3', ['ecdsa-with-SHA384', 'SHA-384']],
  ['1.2.840.10045.4.3.4', ['ecdsa-with-SHA512', 'SHA-512']],
  ['2.16.840.1.101.3.4.3.1', ['dsa_with_SHA224', 'SHA-224']],
  ['2.16.840.1.101.3.4.3.2', ['dsa_with_SHA256', 'SHA-256']],
  ['2.16.840.1.101.3.4.3.3', ['dsa_with_SHA384', 'SHA-384']],
  ['2.16.840.1.101.3.4.3.4', ['dsa_with_SHA512', 'SHA-512']],
  ['2.16.840.1.101.3.4.3.9', ['ecdsa_with_SHA3-224', 'SHA3-224']],
  ['2.16.840.1.101.3.4.3.10', ['ecdsa_with_SHA3-256', 'SHA3-256']],
  ['2.16.840.1.101.3.4.3.11', ['ecdsa_with_SHA3-384', 'SHA3-384']],
  ['2.16.840.1.101.3.4.3.12', ['ecdsa_with_SHA3-512', 'SHA3-512']],
  ['2.16.840.1.101.3.4.3.13', ['RSA-SHA3-224', 'SHA3-224']],
  ['2.16.840.1.101.3.4.3.14', ['RSA-SHA3-256', 'SHA3-256']],
  ['2.16.840.1.101.3.4.3.15', ['RSA-SHA3-384', 'SHA3-384']],
  ['2.16.840.1.101.3.4.3.16', ['RSA-SHA3-512', 'SHA3-512']],
  ['1.3.101.112', ['Ed25519', 'Ed25519']],
  ['1.3.101.113', ['Ed448', 'Ed448']],
]);

/** Digest OIDs in RSASSA-PSS parameters (RFC 4055 §3.1; absent means SHA-1). */
const DIGESTS: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.2.5', 'MD5'],
  ['1.3.14.3.2.26', 'SHA-1'],
  ['2.16.840.1.101.3.4.2.4', 'SHA-224'],
  ['2.16.840.1.101.3.4.2.1', 'SHA-256'],
  ['2.16.840.1.101.3.4.2.2', 'SHA-384'],
  ['2.16.840.1.101.3.4.2.3', 'SHA-512'],
  ['2.16.840.1.101.3.4.2.5', 'SHA-512/224'],
  ['2.16.840.1.101.3.4.2.6', 'SHA-512/256'],
  ['2.16.840.1.101.3.4.2.7', 'SHA3-224'],
  ['2.16.840.1.101.3.4.2.8', 'SHA3-256'],
  ['2.16.840.1.101.3.4.2.9', 'SHA3-384'],
  ['2.16.840.1.101.3.4.2.10', 'SHA3-512'],
]);

interface Tlv {
  readonly tag: number;
  /** Content range. */
  readonly start: number;
  readonly end: number;
}

/** One DER TLV at `at` within `limit`, or undefined when it does not fit. */
function tlv(der: Uint8Array, at: number, limit: number): Tlv | undefined {
  if (at + 2 > limit) return undefined;
  const tag = der[at]!;
  let length = der[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || start + bytes > limit) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  return start + length <= limit ? { tag, start, end: start + length } : undefined;
}

function oidText(der: Uint8Array, t: Tlv): string {
  const parts: number[] = [];
  let value = 0;
  for (let i = t.start; i < t.end; i++) {
    value = value * 128 + (der[i]! & 0x7f);
    if (der[i]! & 0x80) continue;
    if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
    else parts.push(value);
    value = 0;
  }
  return parts.join('.');
}

const SEQUENCE = 0x30;
const OID = 0x06;
const CONTEXT_0 = 0xa0;

/** AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } → OID and parameters. */
function algorithmIdentifier(der: Uint8Array, t: Tlv | undefined): { oid: string; params?: Tlv } | undefined {
  if (t?.tag !== SEQUENCE) return undefined;
  const oid = tlv(der, t.start, t.end);
  if (oid?.tag !== OID) return undefined;
  const params = tlv(der, oid.end, t.end);
  return { oid: oidText(der, oid), ...(params ? { params } : {}) };
}

/** RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] … DEFAULT sha1, … } (RFC 4055 §3.1). */
function pssDigest(der: Uint8Array, params: Tlv | undefined): string | undefined {
  if (params?.tag !== SEQUENCE) return 'SHA-1';
  const first = tlv(der, params.start, params.end);
  if (first?.tag !== CONTEXT_0) return 'SHA-1';
  const hash = algorithmIdentifier(der, tlv(der, first.start, first.end));
  return hash ? DIGESTS.get(hash.oid) : undefined;
}

/**
 * The signature algorithm of a DER certificate (Certificate ::= SEQUENCE { tbsCertificate,
 * signatureAlgorithm, signatureValue }), or undefined when the DER cannot be read.
 */
export function signatureAlgorithm(der: Uint8Array): SignatureAlgorithm | undefined {
  const cert = tlv(der, 0, der.length);
  if (cert?.tag !== SEQUENCE) return undefined;
  const tbs = tlv(der, cert.start, cert.end);
  if (tbs?.tag !== SEQUENCE) return undefined;
  const alg = algorithmIdentifier(der, tlv(der, tbs.end, cert.end));
  if (!alg) return undefined;
  if (alg.oid === RSA_PSS) {
    const digest = pssDigest(der, alg.params);
    return { oid: alg.oid, name: 'RSASSA-PSS', ...(digest ? { digest } : {}) };
  }
  const known = ALGORITHMS.get(alg.oid);
  return known ? { oid: alg.oid, name: known[0], digest: known[1] } : { oid: alg.oid, name: alg.oid };
}
