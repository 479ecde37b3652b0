// TLS against a real nginx: certificates from Secrets by SNI, the fallback certificate, and
// the HTTP→HTTPS redirect of TLS hosts.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { selfSignedKeyPair } from '../../src/tls/self-signed.js';
import { ingress, service, shopCluster, tlsSecret } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { createTestCa } from '../fixtures/pki.js';
import { NginxHarness, startBackend, type Backend } from './harness.js';

let nginx: NginxHarness;
let backend: Backend;
const FALLBACK_CN = 'gatehouse-fallback.invalid';

beforeAll(async () => {
  backend = await startBackend('a', '127.0.0.20');
  nginx = await NginxHarness.create();
  const secure = selfSignedKeyPair(['secure.com']);
  const wildcard = selfSignedKeyPair(['*.wild.com']);
  const mismatched = selfSignedKeyPair(['broken.com']);
  // Secrets nginx itself refuses: each one, written into the configuration, fails `nginx -t`
  // for every host. A Secret update never passes the Ingress webhook, so the controller must
  // judge them itself.
  const ca = createTestCa('Unusable CA');
  const weak = ca.issue({ cn: 'weak.com', keyBits: 1024 }); // "ee key too small"
  const sha1 = ca.issue({ cn: 'sha1.com', md: 'sha1' }); // "ca md too weak"
  const garbage = ca.issue({ cn: 'garbage.com' });
  const keyCert = ca.issue({ cn: 'keycert.com' });
  const unusable = [
    tlsSecret('shop', 'weak-tls', weak.cert, weak.key),
    tlsSecret('shop', 'sha1-tls', sha1.cert, sha1.key),
    // PEM_read_bio_X509() failed (bad base64 decode)
    tlsSecret('shop', 'garbage-tls', `${garbage.cert}-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n`, garbage.key),
    // the CA certificate after the key would be read as the server's: "key values mismatch"
    tlsSecret('shop', 'keycert-tls', keyCert.cert, keyCert.key + ca.cert),
  ];
  const unusableIngresses = ['weak', 'sha1', 'garbage', 'keycert'].map((n) =>
    ingress({ name: n, host: `${n}.com`, tls: [{ hosts: [`${n}.com`], secretName: `${n}-tls` }], paths: [{ service: 'a' }] }),
  );
  const cluster = shopCluster(
    ...unusable,
    ...unusableIngresses,
    service('shop', 'a'),
    endpointSlice('shop', 'a', [backend.ip], backend.port),
    tlsSecret('shop', 'secure-tls', secure.cert, secure.key),
    tlsSecret('shop', 'wild-tls', wildcard.cert, wildcard.key),
    tlsSecret('shop', 'broken-tls', mismatched.cert, secure.key),
    ingress({ name: 'secure', host: 'secure.com', tls: [{ hosts: ['secure.com'], secretName: 'secure-tls' }], paths: [{ service: 'a' }] }),
    ingress({ name: 'wild', host: 'x.wild.com', tls: [{ hosts: ['*.wild.com'], secretName: 'wild-tls' }], paths: [{ service: 'a' }] }),
    ingress({ name: 'nosecret', host: 'nosecret.com', tls: [{ hosts: ['nosecret.com'], secretName: 'absent' }], paths: [{ service: 'a' }] }),
    ingress({ name: 'broken', host: 'broken.com', tls: [{ hosts: ['broken.com'], secretName: 'broken-tls' }], paths: [{ service: 'a' }] }),
    ingress({ name: 'plain', host: 'plain.com', paths: [{ service: 'a' }] }),
  );
  expect((await nginx.apply(cluster)).status).toBe('applied');
});

afterAll(async () => {
  await nginx?.close();
  await backend?.close();
});

describe('certificates by SNI', () => {
  test.for([
    ['secure.com', 'secure.com'],
    ['x.wild.com', '*.wild.com'], // a wildcard tls host covers a one-label-deeper rule host
    ['nosecret.com', FALLBACK_CN], // missing Secret: fallback certificate, host still served
    ['broken.com', FALLBACK_CN], // key does not match the certificate: fallback
    ['weak.com', FALLBACK_CN], // 1024-bit RSA key: fallback, and nginx -t still passes
    ['sha1.com', FALLBACK_CN], // SHA-1 signature: fallback
    ['garbage.com', FALLBACK_CN], // garbage second block in tls.crt: fallback
    ['keycert.com', FALLBACK_CN], // certificate appended to tls.key: fallback
    ['unknown.com', FALLBACK_CN],
    ['plain.com', FALLBACK_CN],
  ] as const)('SNI %s gets the certificate for %s', async ([sni, cn]) => {
    const res = await nginx.get(sni, '/', { https: true, sni });
    expect(res.certCN).toBe(cn);
  });

  test('an HTTPS request for a TLS host reaches its backend', async () => {
    const res = await nginx.get('secure.com', '/x', { https: true, sni: 'secure.com' });
    expect(res.echo?.backend).toBe('a');
    expect(res.echo?.headers['x-forwarded-proto']).toBe('https');
  });

  test('a host without spec.tls is not served over HTTPS: the default server answers 404', async () => {
    expect((await nginx.get('plain.com', '/', { https: true, sni: 'plain.com' })).status).toBe(404);
  });

  test('an unknown SNI name gets the default server (404)', async () => {
    expect((await nginx.get('unknown.com', '/', { https: true, sni: 'unknown.com' })).status).toBe(404);
  });

  test('a host whose Secret nginx would refuse is still served, over HTTPS with the fallback certificate', async () => {
    const res = await nginx.get('weak.com', '/x', { https: true, sni: 'weak.com' });
    expect([res.certCN, res.echo?.backend]).toEqual([FALLBACK_CN, 'a']);
  });

  test('the missing and unusable Secrets are reported as warnings', () => {
    const messages = nginx.lastBuild?.warnings.map((w) => `${w.ingress}: ${w.message}`).sort();
    expect(messages).toEqual([
      'shop/broken: TLS Secret broken-tls tls.key does not match the certificate in tls.crt; its hosts use the fallback certificate',
      'shop/garbage: TLS Secret garbage-tls tls.crt block 2 is not a valid PEM certificate; its hosts use the fallback certificate',
      'shop/keycert: TLS Secret keycert-tls tls.key holds 2 PEM blocks (private key, certificate); it must hold only the private key; its hosts use the fallback certificate',
      'shop/nosecret: TLS Secret absent does not exist; its hosts use the fallback certificate',
      'shop/sha1: TLS Secret sha1-tls tls.crt certificate 1 is signed with SHA-1 (sha1WithRSAEncryption); nginx (OpenSSL security level 2) refuses MD5 and SHA-1 signatures; its hosts use the fallback certificate',
      'shop/weak: TLS Secret weak-tls tls.crt certificate 1 has a 1024-bit RSA key; nginx (OpenSSL security level 2) refuses RSA keys under 2048 bits; its hosts use the fallback certificate',
    ]);
  });

  test('certificate files are written with mode 0600, one per distinct Secret', async () => {
    const dir = join(nginx.dir, 'certs');
    const files = await readdir(dir);
    expect(files).toHaveLength(2);
    for (const f of files) expect((await stat(join(dir, f))).mode & 0o777).toBe(0o600);
  });
});

describe('HTTP to HTTPS redirect', () => {
  test('a TLS host redirects plain HTTP with 308 to the same URL on HTTPS', async () => {
    const res = await nginx.get('secure.com', '/a/b?c=d');
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe(`https://secure.com:${nginx.httpsPort}/a/b?c=d`);
  });

  test('a TLS host whose Secret is missing still redirects', async () => {
    expect((await nginx.get('nosecret.com', '/')).status).toBe(308);
  });

  test('a host without TLS is served over plain HTTP', async () => {
    expect((await nginx.get('plain.com', '/')).echo?.backend).toBe('a');
  });
});
