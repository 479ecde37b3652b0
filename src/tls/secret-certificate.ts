import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import type { Secret } from '../k8s/types.js';
import { pemBlocks } from './pem-blocks.js';
import { certificateWeakness } from './security-level.js';

/** What a `kubernetes.io/tls` Secret holds, reduced to what rules need. Never key material. */
export type SecretCertificate =
  | { readonly ok: true; readonly dnsNames: readonly string[]; readonly notBefore: Date; readonly notAfter: Date }
  | { readonly ok: false; readonly problem: string };

/**
 * A TLS Secret nginx can load, as the controller writes it: the private key, then the
 * certificates of `tls.crt` in order (leaf first), each a PEM block that was parsed and judged,
 * nothing else (text between blocks is dropped). Holds key material: controller only.
 */
export type TlsSecretPair = { readonly ok: true; readonly certificate: SecretCertificate & { ok: true }; readonly pem: string } | { readonly ok: false; readonly problem: string };

/** https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets */
export const TLS_SECRET_TYPE = 'kubernetes.io/tls';
const CERT_KEY = 'tls.crt';
const KEY_KEY = 'tls.key';
const KEY_LABEL = /^(?:[A-Z0-9]+ )?PRIVATE KEY$/;

// Parsing a certificate and key costs ~0.1 ms; this runs on every admission and every render.
// Snapshot objects are replaced, never mutated, when they change (informer semantics), so object
// identity is a correct cache key, and a WeakMap drops entries with the Secrets themselves.
const pairs = new WeakMap<Secret, TlsSecretPair>();
const certificates = new WeakMap<Secret, SecretCertificate>();

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

/** A block's kind in words: `private key`, `certificate`, else its label lower-cased. */
function kind(label: string): string {
  return KEY_LABEL.test(label) ? 'private key' : label.toLowerCase();
}

function problem(text: string): { ok: false; problem: string } {
  return { ok: false, problem: text };
}

/**
 * `tls.crt`: one or more CERTIFICATE blocks and no other block; each must parse and pass
 * OpenSSL's security level 2, or nginx fails on the file (a garbage second block fails
 * PEM_read_bio_X509, a weak chain certificate SSL_CTX_set0_chain).
 */
function readChain(crt: string): { ok: true; certs: X509Certificate[]; pem: string[] } | { ok: false; problem: string } {
  const read = pemBlocks(crt);
  if (!read.ok) return problem(`${CERT_KEY} ${read.problem}`);
  if (!read.blocks.some((b) => b.label === 'CERTIFICATE')) return problem(`${CERT_KEY} is not a PEM certificate`);
  const certs: X509Certificate[] = [];
  for (const [i, block] of read.blocks.entries()) {
    const which = `${CERT_KEY} block ${i + 1}`;
    if (block.label !== 'CERTIFICATE') return problem(`${which} is a ${kind(block.label)}; ${CERT_KEY} must hold only certificates`);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block.text);
    } catch {
      return problem(`${which} is not a valid PEM certificate`);
    }
    const weakness = certificateWeakness(cert);
    if (weakness) return problem(`${CERT_KEY} certificate ${i + 1} ${weakness}`);
    certs.push(cert);
  }
  return { ok: true, certs, pem: read.blocks.map((b) => b.text) };
}

/**
 * `tls.key`: exactly one unencrypted private key block, optionally after the EC PARAMETERS block
 * `openssl ecparam -genkey` writes. Anything else is refused: nginx reads the key and the
 * certificates from one file, and a certificate in tls.key would become its leaf.
 */
function readKey(key: string): { ok: true; key: KeyObject; pem: string } | { ok: false; problem: string } {
  const read = pemBlocks(key);
  if (!read.ok) return problem(`${KEY_KEY} ${read.problem}`);
  const blocks = read.blocks.filter((b) => b.label !== 'EC PARAMETERS');
  const [block] = blocks;
  if (!block || !KEY_LABEL.test(block.label)) return problem(`${KEY_KEY} is not a PEM private key`);
  if (blocks.length > 1) return problem(`${KEY_KEY} holds ${blocks.length} PEM blocks (${blocks.map((b) => kind(b.label)).join(', ')}); it must hold only the private key`);
  try {
    // Errors are dropped, not echoed: OpenSSL messages about a key are no business of a log.
    return { ok: true, key: createPrivateKey(block.text), pem: block.text };
  } catch {
    return problem(`${KEY_KEY} is not a valid unencrypted PEM private key`);
  }
}

function parse(secret: Secret): TlsSecretPair {
  const crt = secretEntry(secret, CERT_KEY);
  const key = secretEntry(secret, KEY_KEY);
  if (!crt) return problem(`has no ${CERT_KEY}`);
  if (!key) return problem(`has no ${KEY_KEY}`);
  const chain = readChain(crt);
  if (!chain.ok) return chain;
  const privateKey = readKey(key);
  if (!privateKey.ok) return privateKey;
  const leaf = chain.certs[0]!;
  if (!leaf.checkPrivateKey(privateKey.key)) return problem(`${KEY_KEY} does not match the certificate in ${CERT_KEY}`);
  return {
    ok: true,
    certificate: { ok: true, dnsNames: dnsNamesOf(leaf), notBefore: new Date(leaf.validFrom), notAfter: new Date(leaf.validTo) },
    pem: [privateKey.pem, ...chain.pem].join(''),
  };
}

/**
 * Everything nginx needs from a TLS Secret, judged as nginx would judge it: PEM framing, each
 * certificate parsed and strong enough for OpenSSL security level 2, one private key matching
 * the leaf. The one checker behind both the `tls` rule and the controller. Cached per Secret object.
 */
export function tlsSecretPair(secret: Secret): TlsSecretPair {
  let result = pairs.get(secret);
  if (!result) pairs.set(secret, (result = parse(secret)));
  return result;
}

/**
 * The certificate of a TLS Secret (the first one in `tls.crt`: the leaf, by convention), or why
 * nginx could not load the Secret. Without key material; cached per Secret object.
 */
export function secretCertificate(secret: Secret): SecretCertificate {
  let result = certificates.get(secret);
  if (!result) {
    const pair = tlsSecretPair(secret);
    certificates.set(secret, (result = pair.ok ? pair.certificate : pair));
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
