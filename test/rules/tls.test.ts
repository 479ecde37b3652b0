import { createPrivateKey } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { SnapshotStore } from '../../src/k8s/snapshot.js';
import type { Ingress, Secret } from '../../src/k8s/types.js';
import { tlsRule } from '../../src/rules/tls.js';
import type { Finding } from '../../src/rules/types.js';
import { contextFor, ingress, service, shopCluster, snapshotOf, tlsSecret } from '../fixtures/builders.js';
import { createTestCa } from '../fixtures/pki.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY);

const ca = createTestCa();
const good = ca.issue({ cn: 'shop.example.com', sans: ['shop.example.com', 'www.shop.example.com'], notBefore: at(-30), notAfter: at(60) });
const wildcard = ca.issue({ cn: '*.example.com', sans: ['*.example.com'], notBefore: at(-30), notAfter: at(60) });
const expired = ca.issue({ cn: 'shop.example.com', notBefore: at(-90), notAfter: at(-1) });
const expiring = ca.issue({ cn: 'shop.example.com', notBefore: at(-80), notAfter: at(3.5) });
const future = ca.issue({ cn: 'shop.example.com', notBefore: at(2), notAfter: at(90) });
const weakKey = ca.issue({ cn: 'shop.example.com', keyBits: 1024, notBefore: at(-30), notAfter: at(60) });
const sha1Signed = ca.issue({ cn: 'shop.example.com', md: 'sha1', notBefore: at(-30), notAfter: at(60) });
const encryptedKey = createPrivateKey(good.key).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;

function secretWith(name: string, data: Record<string, string>, type = 'kubernetes.io/tls'): Secret {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return { apiVersion: 'v1', kind: 'Secret', type, metadata: { namespace: 'shop', name }, data: encoded };
}

const SECRETS: Secret[] = [
  tlsSecret('shop', 'good', good.cert, good.key),
  tlsSecret('shop', 'chain', `${good.cert}${ca.cert}`, good.key),
  tlsSecret('shop', 'wildcard', wildcard.cert, wildcard.key),
  tlsSecret('shop', 'expired', expired.cert, expired.key),
  tlsSecret('shop', 'expiring', expiring.cert, expiring.key),
  tlsSecret('shop', 'future', future.cert, future.key),
  tlsSecret('shop', 'mismatched', good.cert, wildcard.key),
  tlsSecret('shop', 'opaque', good.cert, good.key, 'Opaque'),
  tlsSecret('shop', 'garbage-cert', 'not a certificate', good.key),
  tlsSecret('shop', 'der-cert', Buffer.from(good.cert.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64').toString('latin1'), good.key),
  tlsSecret('shop', 'garbage-key', good.cert, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
  tlsSecret('shop', 'encrypted-key', good.cert, encryptedKey),
  tlsSecret('shop', 'weak-key', weakKey.cert, weakKey.key),
  tlsSecret('shop', 'sha1', sha1Signed.cert, sha1Signed.key),
  tlsSecret('shop', 'garbage-block', `${good.cert}-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n`, good.key),
  tlsSecret('shop', 'key-and-cert', good.cert, `${good.key}${ca.cert}`),
  secretWith('no-key', { 'tls.crt': good.cert }),
  secretWith('no-cert', { 'tls.key': good.key }),
  { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { namespace: 'shop', name: 'string-data' }, stringData: { 'tls.crt': good.cert, 'tls.key': good.key } },
  tlsSecret('prod', 'elsewhere', good.cert, good.key),
];

const cluster = shopCluster(...SECRETS);

function tlsIngress(secretName: string, hosts = ['shop.example.com'], annotations?: Record<string, string>): Ingress {
  return ingress({ tls: [{ hosts, secretName }], ...(annotations ? { annotations } : {}) });
}

interface Case {
  name: string;
  ingress: Ingress;
  cluster?: SnapshotStore;
  expected: Omit<Finding, 'rule'>[];
}

const SECRET_PATH = 'spec.tls[0].secretName';

const cases: Case[] = [
  { name: 'a valid certificate and key covering the host', ingress: tlsIngress('good', ['shop.example.com', 'WWW.shop.example.com']), expected: [] },
  { name: 'a chain in tls.crt (leaf first)', ingress: tlsIngress('chain'), expected: [] },
  { name: 'stringData instead of data', ingress: tlsIngress('string-data'), expected: [] },
  { name: 'a wildcard SAN covering one label', ingress: tlsIngress('wildcard', ['shop.example.com', 'api.example.com']), expected: [] },
  { name: 'a wildcard host covered by the same wildcard SAN', ingress: tlsIngress('wildcard', ['*.example.com']), expected: [] },
  { name: 'a tls entry without secretName (default certificate)', ingress: ingress({ tls: [{ hosts: ['shop.example.com'] }] }), expected: [] },
  {
    name: 'a missing Secret',
    ingress: tlsIngress('shop-tls'),
    expected: [{ severity: 'deny', path: SECRET_PATH, message: 'Secret "shop/shop-tls" not found (Gatehouse sees only Secrets of type kubernetes.io/tls)' }],
  },
  {
    name: 'a Secret in another namespace than the Ingress',
    ingress: tlsIngress('elsewhere'),
    expected: [{ severity: 'deny', path: SECRET_PATH, message: 'Secret "shop/elsewhere" not found (Gatehouse sees only Secrets of type kubernetes.io/tls)' }],
  },
  {
    name: 'a missing Secret that cert-manager will create',
    ingress: tlsIngress('shop-tls', ['shop.example.com'], { 'cert-manager.io/cluster-issuer': 'letsencrypt' }),
    expected: [{ severity: 'warn', path: SECRET_PATH, message: 'Secret "shop/shop-tls" does not exist yet; cert-manager is expected to create it' }],
  },
  {
    name: 'a missing Secret with a namespaced cert-manager issuer',
    ingress: tlsIngress('shop-tls', ['shop.example.com'], { 'cert-manager.io/issuer': 'shop-ca' }),
    expected: [{ severity: 'warn', path: SECRET_PATH, message: 'Secret "shop/shop-tls" does not exist yet; cert-manager is expected to create it' }],
  },
  {
    name: 'a Secret of the wrong type',
    ingress: tlsIngress('opaque'),
    expected: [{ severity: 'deny', path: SECRET_PATH, message: 'Secret "shop/opaque" has type "Opaque", not kubernetes.io/tls' }],
  },
  {
    name: 'a key that does not match the certificate',
    ingress: tlsIngress('mismatched'),
    expected: [{ severity: 'deny', path: SECRET_PATH, message: 'Secret "shop/mismatched" tls.key does not match the certificate in tls.crt' }],
  },
  {
    name: 'a tls.crt that is not PEM',
    ingress: tlsIngress('garbage-cert'),
    expected: [{ severity: 'deny', path: SECRET_PATH, message: 'Secret "shop/garbage-cert" tls.crt is not a PEM certificate' }],
  },
  {
    name: 'a DER certificate (nginx reads only PEM)',
    ingress: tlsIngress('der-cert'),
    expected: [{ severity: 'deny', path: SECRET_PATH, message: 'Secret "shop/der-cert" tls.crt is not a PEM certificate' }],
  },
  {
    name: 'a PEM-framed tls.key that is not a key',
    ingress: tlsIngress('garbage-key'),
    expected: [{ severity: 'deny', path: SECRET_PATH, message: 'Secret "shop/garbage-key" tls.key is not a valid unencrypted PEM private key' }],
  },
  {
    name: 'an encrypted private key (nginx cannot load it without a passphrase)',
    ingress: tlsIngress('encrypted-key'),
    expected: [{ severity: 'deny', path: SECRET_PATH, message: 'Secret "shop/encrypted-key" tls.key is not a valid unencrypted PEM private key' }],
  },
  {
    name: 'a 1024-bit RSA key (nginx: "ee key too small")',
    ingress: tlsIngress('weak-key'),
    expected: [
      {
        severity: 'deny',
        path: SECRET_PATH,
        message: 'Secret "shop/weak-key" tls.crt certificate 1 has a 1024-bit RSA key; nginx (OpenSSL security level 2) refuses RSA keys under 2048 bits',
      },
    ],
  },
  {
    name: 'a certificate signed with SHA-1 (nginx: "ca md too weak")',
    ingress: tlsIngress('sha1'),
    expected: [
      {
        severity: 'deny',
        path: SECRET_PATH,
        message: 'Secret "shop/sha1" tls.crt certificate 1 is signed with SHA-1 (sha1WithRSAEncryption); nginx (OpenSSL security level 2) refuses MD5 and SHA-1 signatures',
      },
    ],
  },
  {
    name: 'a garbage second PEM block in tls.crt (nginx: PEM_read_bio_X509 failed)',
    ingress: tlsIngress('garbage-block'),
    expected: [{ severity: 'deny', path: SECRET_PATH, message: 'Secret "shop/garbage-block" tls.crt block 2 is not a valid PEM certificate' }],
  },
  {
    name: 'a certificate appended to tls.key (nginx would take it for the leaf: "key values mismatch")',
    ingress: tlsIngress('key-and-cert'),
    expected: [
      {
        severity: 'deny',
        path: SECRET_PATH,
        message: 'Secret "shop/key-and-cert" tls.key holds 2 PEM blocks (private key, certificate); it must hold only the private key',
      },
    ],
  },
  { name: 'a Secret without tls.key', ingress: tlsIngress('no-key'), expected: [{ severity: 'deny', path: SECRET_PATH, message: 'Secret "shop/no-key" has no tls.key' }] },
  { name: 'a Secret without tls.crt', ingress: tlsIngress('no-cert'), expected: [{ severity: 'deny', path: SECRET_PATH, message: 'Secret "shop/no-cert" has no tls.crt' }] },
  {
    name: 'an expired certificate',
    ingress: tlsIngress('expired'),
    expected: [{ severity: 'warn', path: SECRET_PATH, message: `certificate in Secret "shop/expired" expired on ${at(-1).toISOString()}` }],
  },
  {
    name: 'a certificate expiring within 14 days',
    ingress: tlsIngress('expiring'),
    expected: [{ severity: 'warn', path: SECRET_PATH, message: `certificate in Secret "shop/expiring" expires on ${at(3.5).toISOString()} (in 3 days)` }],
  },
  {
    name: 'a certificate not yet valid',
    ingress: tlsIngress('future'),
    expected: [{ severity: 'warn', path: SECRET_PATH, message: `certificate in Secret "shop/future" is not valid before ${at(2).toISOString()}` }],
  },
  {
    name: 'hosts the certificate does not cover',
    ingress: tlsIngress('good', ['shop.example.com', 'api.example.com']),
    expected: [
      {
        severity: 'warn',
        path: 'spec.tls[0].hosts[1]',
        message: 'host "api.example.com" is not covered by the certificate in Secret "shop/good"; it covers shop.example.com, www.shop.example.com',
      },
    ],
  },
  {
    name: 'a wildcard SAN covers neither the bare domain nor two labels',
    ingress: tlsIngress('wildcard', ['example.com', 'a.b.example.com']),
    expected: [
      { severity: 'warn', path: 'spec.tls[0].hosts[0]', message: 'host "example.com" is not covered by the certificate in Secret "shop/wildcard"; it covers *.example.com' },
      { severity: 'warn', path: 'spec.tls[0].hosts[1]', message: 'host "a.b.example.com" is not covered by the certificate in Secret "shop/wildcard"; it covers *.example.com' },
    ],
  },
  {
    name: 'every tls entry is checked',
    ingress: ingress({ tls: [{ hosts: ['shop.example.com'], secretName: 'good' }, { secretName: 'missing' }, { secretName: 'mismatched' }] }),
    expected: [
      { severity: 'deny', path: 'spec.tls[1].secretName', message: 'Secret "shop/missing" not found (Gatehouse sees only Secrets of type kubernetes.io/tls)' },
      { severity: 'deny', path: 'spec.tls[2].secretName', message: 'Secret "shop/mismatched" tls.key does not match the certificate in tls.crt' },
    ],
  },
  {
    name: 'nothing when the snapshot holds no Secrets',
    ingress: tlsIngress('shop-tls'),
    cluster: snapshotOf(service('shop', 'web')),
    expected: [],
  },
];

describe('tls rule', () => {
  test.for(cases)('$name', ({ ingress: ing, cluster: c, expected }) => {
    expect(tlsRule.check(ing, contextFor(c ?? cluster, { now: NOW }))).toEqual(expected.map((e) => ({ rule: 'tls', ...e })));
  });

  test('no message ever contains key or certificate material', () => {
    const keyLines = [good.key, wildcard.key, encryptedKey, weakKey.key, sha1Signed.key].flatMap((k) => k.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')));
    const messages = cases.flatMap((c) => tlsRule.check(c.ingress, contextFor(c.cluster ?? cluster, { now: NOW }))).map((f) => f.message);
    expect(messages.length).toBeGreaterThan(10);
    for (const m of messages) {
      expect(m).not.toMatch(/BEGIN|PRIVATE KEY/);
      for (const line of keyLines) expect(m).not.toContain(line.slice(0, 16));
    }
  });
});
