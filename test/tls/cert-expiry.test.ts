import { describe, expect, test } from 'vitest';
import { generateCa, issueServingCert } from '../../src/certgen/generate.js';
import { certExpiry } from '../../src/tls/cert-expiry.js';

const now = new Date('2026-05-01T10:00:00Z');
const ca = generateCa({ keySize: 2048, validityMs: 100 * 86_400_000, now });

describe('certExpiry', () => {
  test('is the notAfter of the first certificate of a chain', () => {
    const leaf = issueServingCert(ca, { hosts: ['a'], keySize: 2048, validityMs: 86_400_000, now });
    expect(certExpiry(leaf.certPem + ca.certPem)).toEqual(new Date('2026-05-02T10:00:00Z'));
  });

  test('throws a one-line reason for text that is not a certificate', () => {
    expect(() => certExpiry('hello')).toThrow(/^not a PEM certificate/);
  });
});
