import { describe, expect, test } from 'vitest';
import { generateCa, issueServingCert } from '../../src/certgen/generate.js';
import { formatDuration, inspectCa, inspectServing, type StoredMaterial } from '../../src/certgen/inspect.js';

const DAY = 86_400_000;
const T0 = new Date('2026-03-01T00:00:00Z');
const HOSTS = ['gatehouse-webhook', 'gatehouse-webhook.gatehouse.svc', '10.0.0.1'];
const at = (days: number) => new Date(T0.getTime() + days * DAY);

const ca = generateCa({ keySize: 2048, validityMs: 3650 * DAY, now: T0 });
const otherCa = generateCa({ keySize: 2048, validityMs: 3650 * DAY, now: T0 });
const serving = issueServingCert(ca, { hosts: HOSTS, keySize: 2048, validityMs: 365 * DAY, now: T0 });
const foreign = issueServingCert(otherCa, { hosts: HOSTS, keySize: 2048, validityMs: 365 * DAY, now: T0 });
const later = issueServingCert(ca, { hosts: HOSTS, keySize: 2048, validityMs: 365 * DAY, now: at(10) });
const good: StoredMaterial = { ca: ca.certPem, cert: serving.certPem, key: serving.keyPem, caKey: ca.keyPem };

describe('inspectServing', () => {
  test('accepts a valid pair covering every host outside the renewal window', () => {
    const v = inspectServing(good, HOSTS, at(100), 30 * DAY);
    expect(v.ok).toBe(true);
  });

  test('accepts a bundle whose second CA signed the certificate', () => {
    const v = inspectServing({ ...good, ca: otherCa.certPem + ca.certPem }, HOSTS, at(1), 30 * DAY);
    expect(v.ok).toBe(true);
  });

  test.for([
    ['no certificate', { ...good, cert: undefined }, HOSTS, 1, /no serving certificate/],
    ['garbage certificate', { ...good, cert: 'not pem' }, HOSTS, 1, /not readable PEM/],
    ['no key', { ...good, key: undefined }, HOSTS, 1, /no readable serving private key/],
    ['key of another certificate', { ...good, key: foreign.keyPem }, HOSTS, 1, /does not match/],
    ['no CA bundle', { ...good, ca: undefined }, HOSTS, 1, /no readable CA bundle/],
    ['certificate from another CA', { ...good, cert: foreign.certPem, key: foreign.keyPem }, HOSTS, 1, /no CA of the bundle signed/],
    ['a CA not yet valid', good, HOSTS, -1, /the CA is outside its validity/],
    ['a certificate not yet valid', { ...good, cert: later.certPem, key: later.keyPem }, HOSTS, 9, /not valid before/],
    ['expired', good, HOSTS, 366, /expired 2027-/],
    ['inside the renewal window', good, HOSTS, 340, /within the renewal window \(30d\)/],
    ['a DNS name not covered', good, [...HOSTS, 'gatehouse-webhook.gatehouse'], 1, /does not cover host gatehouse-webhook\.gatehouse$/],
    ['an IP not covered', good, [...HOSTS, '10.0.0.2'], 1, /does not cover host 10\.0\.0\.2$/],
    ['a name matched only by the CN', good, ['gatehouse-webhook.other'], 1, /does not cover host/],
  ] as const)('refuses %s', ([, stored, hosts, day, reason]) => {
    const v = inspectServing(stored as StoredMaterial, hosts, at(day), 30 * DAY);
    expect(v.ok).toBe(false);
    expect(!v.ok && v.reason).toMatch(reason);
  });
});

describe('inspectCa', () => {
  test('accepts a CA with its key that outlives the next certificate', () => {
    expect(inspectCa(good, at(1), at(366)).ok).toBe(true);
  });

  test.for([
    ['no CA', { ...good, ca: undefined }, 366, /no readable CA/],
    ['no CA key (a kube-webhook-certgen Secret)', { ...good, caKey: undefined }, 366, /no readable CA private key/],
    ['the key of another CA', { ...good, caKey: otherCa.keyPem }, 366, /does not match the CA/],
    ['a leaf first in the bundle', { ...good, ca: serving.certPem }, 366, /not a CA/],
    ['a CA expiring before the new certificate', good, 3651, /expires .* before a new certificate would/],
  ] as const)('refuses %s', ([, stored, neededDay, reason]) => {
    const v = inspectCa(stored as StoredMaterial, at(1), at(neededDay));
    expect(v.ok).toBe(false);
    expect(!v.ok && v.reason).toMatch(reason);
  });
});

describe('formatDuration', () => {
  test.for([
    [30 * DAY, '30d'],
    [365 * DAY, '1y'],
    [36 * 3_600_000, '36h'],
    [90_000, '90s'],
    [1500, '1500ms'],
  ] as const)('%i ms is %s', ([ms, text]) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
