import { X509Certificate } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { generateCa, issueServingCert } from '../../src/certgen/generate.js';
import type { StoredMaterial } from '../../src/certgen/inspect.js';
import { splitPemCertificates } from '../../src/certgen/pem.js';
import { parseRetiredCas, planCertificates, type NewMaterial, type PlanInput, type RetiredCas } from '../../src/certgen/plan.js';

const DAY = 86_400_000;
const T0 = new Date('2026-03-01T00:00:00Z');
const HOSTS = ['gatehouse-webhook', 'gatehouse-webhook.gatehouse.svc'];
const at = (days: number) => new Date(T0.getTime() + days * DAY);

function input(stored: StoredMaterial, now: Date, extra: Partial<PlanInput> = {}): PlanInput {
  return {
    stored,
    retired: {},
    hosts: HOSTS,
    keySize: 2048,
    caValidityMs: 3650 * DAY,
    certValidityMs: 365 * DAY,
    renewBeforeMs: 30 * DAY,
    keepRetiredCas: true,
    now,
    ...extra,
  };
}

function changed(stored: StoredMaterial, now: Date, extra: Partial<PlanInput> = {}): { material: NewMaterial; retired: RetiredCas; message: string } {
  const plan = planCertificates(input(stored, now, extra));
  if (!plan.changed) throw new Error(`expected a change, got: ${plan.message}`);
  return plan;
}

const fingerprints = (bundle: string) => splitPemCertificates(bundle).map((b) => new X509Certificate(b).fingerprint256);
const fp = (pem: string) => new X509Certificate(pem).fingerprint256;

// One fresh issue at T0 that the cases below start from.
const first = changed({}, T0).material;

describe('planCertificates', () => {
  test('issues a CA and a serving certificate when nothing is stored', () => {
    const { message, material } = changed({}, T0);
    expect(message).toMatch(/^issued a new CA \(no readable CA\) and serving certificate \(no serving certificate\)$/);
    expect(fingerprints(material.ca)).toHaveLength(1);
    expect(new X509Certificate(material.cert).checkIssued(new X509Certificate(material.ca))).toBe(true);
  });

  test('changes nothing while the certificate is valid outside the renewal window', () => {
    const plan = planCertificates(input(first, at(100)));
    expect(plan).toEqual({ changed: false, message: expect.stringMatching(/^certificate valid until 2027-03-01T00:00:00\.000Z, renewal from 2027-01-30.*: nothing to do$/) });
  });

  test('renews the serving certificate inside the window from the same CA', () => {
    const { material, message } = changed(first, at(340));
    expect(message).toMatch(/^issued a new serving certificate \(.*within the renewal window.*\) from the existing CA$/);
    expect(fingerprints(material.ca)).toEqual(fingerprints(first.ca));
    expect(material.caKey).toBe(first.caKey);
    expect(fp(material.cert)).not.toBe(fp(first.cert));
    expect(Date.parse(new X509Certificate(material.cert).validTo)).toBe(at(340 + 365).getTime());
  });

  test('renews when a host is added', () => {
    const { message } = changed(first, at(10), { hosts: [...HOSTS, 'extra.example'] });
    expect(message).toMatch(/does not cover host extra\.example\) from the existing CA/);
  });

  describe('CA rotation', () => {
    // Renewed at day 3280 from the CA (valid 3650 days), valid until day 3645; at the next
    // renewal (day 3620) the CA cannot outlive a new 365-day certificate.
    const beforeRotation = changed(first, at(3280)).material;
    const rotated = changed(beforeRotation, at(3620));
    const oldCertNotAfter = new X509Certificate(beforeRotation.cert).validTo;

    test('mints a new CA when the old one would expire before the new certificate', () => {
      expect(rotated.message).toMatch(/^issued a new CA \(the CA expires .* before a new certificate would\)/);
      expect(fingerprints(rotated.material.ca)[0]).not.toBe(fp(first.ca));
      expect(new X509Certificate(rotated.material.cert).checkIssued(new X509Certificate(splitPemCertificates(rotated.material.ca)[0]!))).toBe(true);
    });

    test('keeps the old CA second in the bundle until the old serving certificate would expire', () => {
      expect(fingerprints(rotated.material.ca)).toEqual([expect.any(String), fp(first.ca)]);
      expect(rotated.retired).toEqual({ [fp(first.ca)]: new Date(oldCertNotAfter).toISOString() });
      expect(rotated.message).toMatch(/1 previous CA\(s\) stay in the bundle until /);
    });

    test('changes nothing while the old CA is still needed', () => {
      const plan = planCertificates(input(rotated.material, at(3630), { retired: rotated.retired }));
      expect(plan.changed).toBe(false);
    });

    test('drops the old CA once the old serving certificate has expired', () => {
      const pruned = changed(rotated.material, at(3700), { retired: rotated.retired });
      expect(pruned.message).toBe('certificate still valid; dropped 1 retired CA(s) from the bundle');
      expect(fingerprints(pruned.material.ca)).toEqual([fingerprints(rotated.material.ca)[0]]);
      expect(pruned.retired).toEqual({});
      expect(pruned.material.cert).toBe(rotated.material.cert);
    });

    test('keeps no old CA in --out-dir mode', () => {
      const plain = changed(beforeRotation, at(3620), { keepRetiredCas: false });
      expect(fingerprints(plain.material.ca)).toHaveLength(1);
    });
  });

  describe('a Secret written by kube-webhook-certgen (no CA key)', () => {
    const kwc = { ca: first.ca, cert: first.cert, key: first.key };

    test('is left alone while valid', () => {
      expect(planCertificates(input(kwc, at(10))).changed).toBe(false);
    });

    test('gets a new CA at renewal, with the old CA kept in the bundle', () => {
      const { material, message } = changed(kwc, at(340));
      expect(message).toMatch(/^issued a new CA \(no readable CA private key\)/);
      expect(fingerprints(material.ca)).toEqual([expect.any(String), fp(first.ca)]);
    });
  });

  test('drops a bundle entry that is neither current nor recorded as retired', () => {
    const stranger = generateCa({ keySize: 2048, validityMs: 3650 * DAY, now: T0 });
    const { material } = changed({ ...first, ca: first.ca + stranger.certPem }, at(10));
    expect(fingerprints(material.ca)).toEqual([fp(first.ca)]);
  });

  test('puts the CA that signed the valid certificate first in the bundle', () => {
    const oldCa = generateCa({ keySize: 2048, validityMs: 3650 * DAY, now: T0 });
    const oldCert = issueServingCert(oldCa, { hosts: HOSTS, keySize: 2048, validityMs: 365 * DAY, now: T0 });
    // A hand-edited Secret: the valid certificate's issuer is second, and nothing records `first` as retired.
    const plan = planCertificates(input({ ca: first.ca + oldCa.certPem, cert: oldCert.certPem, key: oldCert.keyPem, caKey: first.caKey }, at(10)));
    expect(plan.changed).toBe(true);
    expect(plan.changed && fingerprints(plan.material.ca)).toEqual([fp(oldCa.certPem)]);
  });
});

describe('parseRetiredCas', () => {
  test.for([
    ['empty', undefined, {}],
    ['not JSON', '{', {}],
    ['an array', '[]', {}],
    ['entries with bad dates dropped', '{"a":"2026-01-01T00:00:00Z","b":"soon","c":3}', { a: '2026-01-01T00:00:00Z' }],
  ] as const)('%s', ([, text, expected]) => {
    expect(parseRetiredCas(text)).toEqual(expected);
  });
});
