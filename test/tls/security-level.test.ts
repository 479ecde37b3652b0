import { X509Certificate, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { certificateWeakness, keyWeakness } from '../../src/tls/security-level.js';
import { signatureAlgorithm } from '../../src/tls/signature-algorithm.js';
import { createTestCa, opensslCertificate } from '../fixtures/pki.js';

const LEVEL = 'nginx (OpenSSL security level 2)';

describe('keyWeakness: what OpenSSL at security level 2 refuses', () => {
  test.for<[string, () => ReturnType<typeof generateKeyPairSync>['publicKey'], string | undefined]>([
    ['RSA 2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, undefined],
    ['RSA 1024', () => generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, `has a 1024-bit RSA key; ${LEVEL} refuses RSA keys under 2048 bits`],
    ['RSA-PSS 1024', () => generateKeyPairSync('rsa-pss', { modulusLength: 1024 }).publicKey, `has a 1024-bit RSA-PSS key; ${LEVEL} refuses RSA-PSS keys under 2048 bits`],
    ['DSA 1024', () => generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }).publicKey, `has a 1024-bit DSA key; ${LEVEL} refuses DSA keys under 2048 bits`],
    ['EC P-224', () => generateKeyPairSync('ec', { namedCurve: 'secp224r1' }).publicKey, undefined],
    ['EC P-256', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey, undefined],
    ['EC secp521r1', () => generateKeyPairSync('ec', { namedCurve: 'secp521r1' }).publicKey, undefined],
    ['EC P-192', () => generateKeyPairSync('ec', { namedCurve: 'prime192v1' }).publicKey, `has an EC key on curve prime192v1 (192 bits); ${LEVEL} refuses EC keys under 224 bits`],
    ['EC secp160r1', () => generateKeyPairSync('ec', { namedCurve: 'secp160r1' }).publicKey, `has an EC key on curve secp160r1 (160 bits); ${LEVEL} refuses EC keys under 224 bits`],
    ['Ed25519', () => generateKeyPairSync('ed25519').publicKey, undefined],
    ['Ed448', () => generateKeyPairSync('ed448').publicKey, undefined],
    ['X25519 (cannot sign: not a certificate key Gatehouse knows)', () => generateKeyPairSync('x25519').publicKey, `has a x25519 key, which Gatehouse cannot judge against ${LEVEL}`],
  ])('%s', ([, key, weakness]) => {
    expect(keyWeakness(createPublicKey(key().export({ type: 'spki', format: 'pem' })))).toBe(weakness);
  });
});

describe('certificateWeakness', () => {
  const ca = createTestCa('Level CA');

  test('a self-signed certificate is not judged by its signature (OpenSSL skips it)', () => {
    const root = opensslCertificate({ cn: 'Old Root', newkey: ['rsa:2048'], sign: ['-sha1'] });
    expect(certificateWeakness(new X509Certificate(root.cert))).toBeUndefined();
  });

  test('but by its key', () => {
    expect(certificateWeakness(new X509Certificate(createTestCa('Weak Root', { keyBits: 1024 }).cert))).toBe(`has a 1024-bit RSA key; ${LEVEL} refuses RSA keys under 2048 bits`);
  });

  test('a certificate signed with SHA-224 passes (112 bits)', () => {
    const cert = opensslCertificate({ cn: 'sha224.example.com', newkey: ['rsa:2048'], issuer: ca, sign: ['-sha224'] });
    expect(certificateWeakness(new X509Certificate(cert.cert))).toBeUndefined();
  });
});

describe('signatureAlgorithm', () => {
  test('reads the algorithm of a DER certificate', () => {
    const cert = new X509Certificate(createTestCa('Alg CA').cert);
    expect(signatureAlgorithm(cert.raw)).toEqual({ oid: '1.2.840.113549.1.1.11', name: 'sha256WithRSAEncryption', digest: 'SHA-256' });
  });

  test.for<[string, Uint8Array]>([
    ['empty input', new Uint8Array()],
    ['a length past the end', Uint8Array.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x30])],
    ['no tbsCertificate', Uint8Array.from([0x30, 0x02, 0x05, 0x00])],
    ['a truncated certificate', new X509Certificate(createTestCa('Cut CA').cert).raw.subarray(0, 300)],
  ])('undefined for %s', ([, der]) => {
    expect(signatureAlgorithm(der)).toBeUndefined();
  });
});
