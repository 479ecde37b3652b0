import { describe, expect, test } from 'vitest';
import { certificateCovers, secretCertificate, tlsSecretPair } from '../../src/tls/secret-certificate.js';
import { tlsSecret } from '../fixtures/builders.js';
import { createTestCa, opensslCertificate } from '../fixtures/pki.js';

describe('certificateCovers', () => {
  test.for<{ name: string; dnsNames: string[]; host: string; covered: boolean }>([
    { name: 'an exact name', dnsNames: ['a.example.com'], host: 'a.example.com', covered: true },
    { name: 'an exact name, case-insensitively', dnsNames: ['a.example.com'], host: 'A.Example.COM', covered: true },
    { name: 'one label under a wildcard', dnsNames: ['*.example.com'], host: 'a.example.com', covered: true },
    { name: 'not the wildcard\'s bare domain', dnsNames: ['*.example.com'], host: 'example.com', covered: false },
    { name: 'not two labels under a wildcard', dnsNames: ['*.example.com'], host: 'a.b.example.com', covered: false },
    { name: 'a wildcard host by the same wildcard', dnsNames: ['*.example.com'], host: '*.example.com', covered: true },
    { name: 'not a wildcard host by a name under it', dnsNames: ['a.example.com'], host: '*.example.com', covered: false },
    { name: 'not a wildcard host by a wider wildcard', dnsNames: ['*.com'], host: '*.example.com', covered: false },
    { name: 'not a single-label host by a wildcard', dnsNames: ['*.example.com'], host: 'localhost', covered: false },
    { name: 'nothing by no names', dnsNames: [], host: 'a.example.com', covered: false },
  ])('$name', ({ dnsNames, host, covered }) => {
    expect(certificateCovers(dnsNames, host)).toBe(covered);
  });
});

describe('secretCertificate', () => {
  const pair = createTestCa().issue({ cn: 'Shop', sans: ['Shop.Example.com', '10.0.0.1', '*.shop.example.com'] });

  test('reads the DNS names, lower-cased, and skips IP addresses', () => {
    const result = secretCertificate(tlsSecret('shop', 'tls', pair.cert, pair.key));
    expect(result.ok && result.dnsNames).toEqual(['shop.example.com', '*.shop.example.com']);
  });

  test('parses a Secret object once and answers from the cache after', () => {
    const secret = tlsSecret('shop', 'tls', pair.cert, pair.key);
    expect(secretCertificate(secret)).toBe(secretCertificate(secret));
  });

  test('a replaced Secret object is parsed afresh', () => {
    const first = secretCertificate(tlsSecret('shop', 'tls', pair.cert, pair.key));
    const replaced = secretCertificate(tlsSecret('shop', 'tls', pair.cert, 'not a key'));
    expect([first.ok, replaced.ok]).toEqual([true, false]);
  });
});

// What OpenSSL at security level 2 (Debian's nginx) refuses, each checked against real nginx in
// test/controller/tls.test.ts: the checker must refuse exactly what would fail `nginx -t`.
describe('tlsSecretPair judges a Secret as nginx would load it', () => {
  const ca = createTestCa('Strength CA');
  const good = ca.issue({ cn: 'good.example.com' });
  const sha1Intermediate = ca.intermediate('SHA-1 Intermediate', { md: 'sha1' });
  const viaSha1 = sha1Intermediate.issue({ cn: 'via.example.com' });
  const weakIntermediate = ca.intermediate('1024-bit Intermediate', { keyBits: 1024 });
  const viaWeak = weakIntermediate.issue({ cn: 'via.example.com' });
  const sha1Root = opensslCertificate({ cn: 'Old Root', newkey: ['rsa:2048'], sign: ['-sha1'] });
  const ec256 = opensslCertificate({ cn: 'ec.example.com', newkey: ['ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] });
  const ec192 = opensslCertificate({ cn: 'ec.example.com', newkey: ['ec', '-pkeyopt', 'ec_paramgen_curve:prime192v1'] });
  const pssSha256 = opensslCertificate({ cn: 'pss.example.com', newkey: ['rsa:2048'], issuer: ca, sign: ['-sha256', '-sigopt', 'rsa_padding_mode:pss'] });
  const pssSha1 = opensslCertificate({ cn: 'pss.example.com', newkey: ['rsa:2048'], issuer: ca, sign: ['-sha1', '-sigopt', 'rsa_padding_mode:pss'] });
  const garbageBlock = '-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n';
  const ecParams = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n';
  const lf = (pem: string) => pem.replaceAll('\r\n', '\n');
  const crlf = (pem: string) => lf(pem).replaceAll('\n', '\r\n');
  const weakKey = ca.issue({ cn: 'weak.example.com', keyBits: 1024 });
  const sha1 = ca.issue({ cn: 'sha1.example.com', md: 'sha1' });
  const md5 = ca.issue({ cn: 'md5.example.com', md: 'md5' });

  test.for<{ name: string; cert: () => string; key: () => string; problem?: string }>([
    { name: 'a 2048-bit RSA certificate signed with SHA-256', cert: () => good.cert, key: () => good.key },
    { name: 'a chain (leaf, intermediate)', cert: () => good.cert + ca.cert, key: () => good.key },
    { name: 'a self-signed SHA-1 root at the end of the chain (OpenSSL does not judge self-signatures)', cert: () => good.cert + sha1Root.cert, key: () => good.key },
    { name: 'a P-256 key', cert: () => ec256.cert, key: () => ec256.key },
    { name: 'an EC key after its EC PARAMETERS block (openssl ecparam -genkey)', cert: () => ec256.cert, key: () => ecParams + ec256.key },
    { name: 'an RSA-PSS signature with SHA-256', cert: () => pssSha256.cert, key: () => pssSha256.key },
    { name: 'text around the blocks (Bag Attributes) and CRLF line ends', cert: () => `Bag Attributes\r\n${crlf(good.cert)}subject=CN=x\n`, key: () => `Bag Attributes\n${good.key}` },
    {
      name: 'a 1024-bit RSA key ("ee key too small")',
      cert: () => weakKey.cert,
      key: () => weakKey.key,
      problem: 'tls.crt certificate 1 has a 1024-bit RSA key; nginx (OpenSSL security level 2) refuses RSA keys under 2048 bits',
    },
    {
      name: 'a P-192 key ("ee key too small")',
      cert: () => ec192.cert,
      key: () => ec192.key,
      problem: 'tls.crt certificate 1 has an EC key on curve prime192v1 (192 bits); nginx (OpenSSL security level 2) refuses EC keys under 224 bits',
    },
    {
      name: 'a certificate signed with SHA-1 ("ca md too weak")',
      cert: () => sha1.cert,
      key: () => sha1.key,
      problem: 'tls.crt certificate 1 is signed with SHA-1 (sha1WithRSAEncryption); nginx (OpenSSL security level 2) refuses MD5 and SHA-1 signatures',
    },
    {
      name: 'a certificate signed with MD5 ("ca md too weak")',
      cert: () => md5.cert,
      key: () => md5.key,
      problem: 'tls.crt certificate 1 is signed with MD5 (md5WithRSAEncryption); nginx (OpenSSL security level 2) refuses MD5 and SHA-1 signatures',
    },
    {
      name: 'an RSA-PSS signature with SHA-1 (the digest inside the parameters)',
      cert: () => pssSha1.cert,
      key: () => pssSha1.key,
      problem: 'tls.crt certificate 1 is signed with SHA-1 (RSASSA-PSS); nginx (OpenSSL security level 2) refuses MD5 and SHA-1 signatures',
    },
    {
      name: 'an intermediate signed with SHA-1 ("ca md too weak")',
      cert: () => viaSha1.cert + sha1Intermediate.cert,
      key: () => viaSha1.key,
      problem: 'tls.crt certificate 2 is signed with SHA-1 (sha1WithRSAEncryption); nginx (OpenSSL security level 2) refuses MD5 and SHA-1 signatures',
    },
    {
      name: 'an intermediate with a 1024-bit key ("ca key too small")',
      cert: () => viaWeak.cert + weakIntermediate.cert,
      key: () => viaWeak.key,
      problem: 'tls.crt certificate 2 has a 1024-bit RSA key; nginx (OpenSSL security level 2) refuses RSA keys under 2048 bits',
    },
    { name: 'a garbage second PEM block in tls.crt', cert: () => good.cert + garbageBlock, key: () => good.key, problem: 'tls.crt block 2 is not a valid PEM certificate' },
    { name: 'a BEGIN line without its END', cert: () => good.cert + '-----BEGIN CERTIFICATE-----\nMIIB\n', key: () => good.key, problem: 'tls.crt has a CERTIFICATE block without its END line' },
    { name: 'a private key in tls.crt', cert: () => good.cert + good.key, key: () => good.key, problem: 'tls.crt block 2 is a private key; tls.crt must hold only certificates' },
    {
      name: 'a certificate appended to tls.key (nginx would take it for the server certificate)',
      cert: () => good.cert,
      key: () => good.key + ca.cert,
      problem: 'tls.key holds 2 PEM blocks (private key, certificate); it must hold only the private key',
    },
    { name: 'two keys in tls.key', cert: () => good.cert, key: () => good.key + good.key, problem: 'tls.key holds 2 PEM blocks (private key, private key); it must hold only the private key' },
    { name: 'a certificate where tls.key should be', cert: () => good.cert, key: () => ca.cert, problem: 'tls.key is not a PEM private key' },
  ])('$name', ({ cert, key, problem }) => {
    const result = tlsSecretPair(tlsSecret('shop', 'tls', cert(), key()));
    expect(result.ok ? undefined : result.problem).toBe(problem);
  });

  test('the PEM nginx gets holds the key, then the certificates in order, and nothing else', () => {
    const result = tlsSecretPair(tlsSecret('shop', 'tls', `Bag Attributes\r\n${crlf(good.cert)}junk\n${ca.cert}`, ecParams + good.key));
    expect(result.ok && result.pem).toBe(lf(good.key + good.cert + ca.cert));
  });

  test('the rules see the same verdict, without key material', () => {
    const secret = tlsSecret('shop', 'tls', good.cert + garbageBlock, good.key);
    expect(secretCertificate(secret)).toEqual({ ok: false, problem: 'tls.crt block 2 is not a valid PEM certificate' });
    const fine = secretCertificate(tlsSecret('shop', 'tls', good.cert, good.key));
    expect(Object.keys(fine).sort()).toEqual(['dnsNames', 'notAfter', 'notBefore', 'ok']);
  });
});
