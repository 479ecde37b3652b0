// TLS against a real nginx: certificates from Secrets by SNI, the fallback certificate, and
// the HTTP→HTTPS redirect of TLS hosts.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { selfSignedKeyPair } from '../../src/tls/self-signed.js';
import { ingress, service, shopCluster, tlsSecret } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
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
  const cluster = shopCluster(
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

  test('the missing and broken Secrets are reported as warnings', () => {
    const messages = nginx.lastBuild?.warnings.map((w) => `${w.ingress}: ${w.message}`);
    expect(messages).toEqual([
      'shop/broken: TLS Secret broken-tls tls.key does not match tls.crt; its hosts use the fallback certificate',
      'shop/nosecret: TLS Secret absent does not exist; its hosts use the fallback certificate',
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
