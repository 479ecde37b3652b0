// Client certificates (auth-tls-*) against a real nginx: each location of an Ingress that asks for
// a certificate enforces its own mode; other locations of the host stay open.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { selfSignedKeyPair } from '../../src/tls/self-signed.js';
import { ingress, opaqueSecret, service, shopCluster, tlsSecret } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { createTestCa, type Issued } from '../fixtures/pki.js';
import { NginxHarness, startBackend, type Backend, type RequestOptions } from './harness.js';

const P = 'nginx.ingress.kubernetes.io/';
const HOST = 'mtls.com';
let nginx: NginxHarness;
let backend: Backend;
const clientCa = createTestCa('Client CA');
const otherCa = createTestCa('Other CA');
const clientA = clientCa.issue({ cn: 'client-a', usage: 'client' });
const clientB = clientCa.issue({ cn: 'client-b', usage: 'client' });
const stranger = otherCa.issue({ cn: 'client-a', usage: 'client' });

/** An Ingress on HOST for one path, created at `minute` (older wins a conflict). */
function onHost(name: string, path: string, annotations: Record<string, string>, minute = 0) {
  return ingress({
    name,
    host: HOST,
    annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [P + k, v])),
    tls: [{ hosts: [HOST], secretName: 'mtls-tls' }],
    paths: [{ path, service: 'a' }],
    creationTimestamp: `2026-01-01T00:${String(minute).padStart(2, '0')}:00Z`,
  });
}

beforeAll(async () => {
  backend = await startBackend('a', '127.0.0.21');
  nginx = await NginxHarness.create();
  const server = selfSignedKeyPair([HOST]);
  const cluster = shopCluster(
    service('shop', 'a'),
    endpointSlice('shop', 'a', [backend.ip], backend.port),
    tlsSecret('shop', 'mtls-tls', server.cert, server.key),
    opaqueSecret('shop', 'client-ca', { 'ca.crt': clientCa.cert }),
    opaqueSecret('shop', 'other-ca', { 'ca.crt': otherCa.cert }),
    onHost('required', '/on', { 'auth-tls-secret': 'client-ca', 'auth-tls-pass-certificate-to-upstream': 'true' }),
    onHost('unpassed', '/unpassed', { 'auth-tls-secret': 'client-ca' }),
    onHost('optional', '/optional', { 'auth-tls-secret': 'client-ca', 'auth-tls-verify-client': 'optional' }),
    onHost('noca', '/noca', { 'auth-tls-secret': 'client-ca', 'auth-tls-verify-client': 'optional_no_ca' }),
    onHost('errorpage', '/errorpage', { 'auth-tls-secret': 'client-ca', 'auth-tls-error-page': 'https://example.com/certificate-required' }),
    onHost('cn', '/cn', { 'auth-tls-secret': 'client-ca', 'auth-tls-match-cn': 'CN=client-a' }),
    onHost('plainhttp', '/plainhttp', { 'auth-tls-secret': 'client-ca', 'ssl-redirect': 'false' }),
    onHost('open', '/open', {}),
    ingress({ name: 'missing', host: 'missing.com', annotations: { [`${P}auth-tls-secret`]: 'absent' }, tls: [{ hosts: ['missing.com'] }], paths: [{ service: 'a' }] }),
    // Another CA on the same host: nginx takes one per server; the later Ingress is left out
    // (the oldest, then the first by name, holds the host's: shop/cn).
    onHost('conflict', '/conflict', { 'auth-tls-secret': 'other-ca' }, 30),
  );
  expect((await nginx.apply(cluster)).status).toBe('applied');
});

afterAll(async () => {
  await nginx?.close();
  await backend?.close();
});

function get(path: string, cert?: Issued, extra: RequestOptions = {}) {
  return nginx.get(HOST, path, { https: true, sni: HOST, ...(cert ? { clientCert: cert } : {}), ...extra });
}

describe('auth-tls-verify-client on (the default)', () => {
  test('without a client certificate: 400', async () => {
    expect((await get('/on')).status).toBe(400);
  });

  test('with a certificate from the CA: 200, and the backend receives it in ssl-client-cert', async () => {
    const res = await get('/on', clientA);
    expect(res.status).toBe(200);
    const sent = decodeURIComponent(String(res.echo?.headers['ssl-client-cert']));
    expect(sent.replace(/\r/g, '')).toBe(clientA.cert.replace(/\r/g, ''));
    expect(res.echo?.headers['ssl-client-verify']).toBe('SUCCESS');
    expect(res.echo?.headers['ssl-client-subject-dn']).toBe('CN=client-a');
    // The http-level headers are still sent (nginx drops them when a location sets its own).
    expect(res.echo?.headers['x-forwarded-proto']).toBe('https');
    expect(res.echo?.headers['host']).toBe(HOST);
  });

  test('with a certificate from another CA: 400', async () => {
    expect((await get('/on', stranger)).status).toBe(400);
  });

  test('without pass-certificate-to-upstream, a client-sent ssl-client-cert header does not reach the backend', async () => {
    const res = await get('/unpassed', clientA, { headers: { 'ssl-client-cert': 'forged' } });
    expect(res.status).toBe(200);
    expect(res.echo?.headers['ssl-client-cert']).toBeUndefined();
  });

  test('plain HTTP never bypasses it: a redirect to HTTPS, or 400 with ssl-redirect off', async () => {
    expect((await nginx.get(HOST, '/on')).status).toBe(308);
    expect((await nginx.get(HOST, '/plainhttp')).status).toBe(400);
  });
});

describe('other modes', () => {
  test('optional: passes without a certificate, 200 with one from the CA, 400 with one from another CA', async () => {
    expect((await get('/optional')).status).toBe(200);
    expect((await get('/optional', clientA)).status).toBe(200);
    expect((await get('/optional', stranger)).status).toBe(400);
  });

  test('optional_no_ca: a certificate from another CA passes, and the backend is told it failed', async () => {
    const res = await get('/noca', stranger);
    expect(res.status).toBe(200);
    expect(String(res.echo?.headers['ssl-client-verify'])).toMatch(/^FAILED/);
  });

  test('auth-tls-error-page: a 302 there instead of 400', async () => {
    const res = await get('/errorpage');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('https://example.com/certificate-required');
    expect((await get('/errorpage', clientA)).status).toBe(200);
  });

  test('auth-tls-match-cn: a certificate of the CA with another CN gets 403', async () => {
    expect((await get('/cn', clientA)).status).toBe(200);
    expect((await get('/cn', clientB)).status).toBe(403);
  });
});

test('an Ingress whose CA Secret is missing is left out, with the reason, never served without the check', async () => {
  expect(nginx.lastBuild?.skipped).toContainEqual({ ingress: 'shop/missing', reason: 'annotation auth-tls-secret names Secret shop/absent, which does not exist' });
  expect((await nginx.get('missing.com', '/', { https: true, sni: 'missing.com' })).status).toBe(404);
});

describe('one host, several Ingresses', () => {
  test('a location of the host without auth-tls is reachable without a certificate', async () => {
    expect((await get('/open')).status).toBe(200);
  });

  test('an Ingress naming another CA for the host is left out (a conflict), never served with either CA', async () => {
    expect(nginx.lastBuild?.conflicts).toContainEqual({ winner: 'shop/cn', loser: 'shop/conflict', claim: `host ${HOST}, client-certificate settings (one per host)` });
    expect((await get('/conflict', stranger)).status).toBe(404);
  });
});
