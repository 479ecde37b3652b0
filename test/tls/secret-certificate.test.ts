import { describe, expect, test } from 'vitest';
import { certificateCovers, secretCertificate } from '../../src/tls/secret-certificate.js';
import { tlsSecret } from '../fixtures/builders.js';
import { createTestCa } from '../fixtures/pki.js';

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
