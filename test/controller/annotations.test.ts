// Annotations end to end: values the catalog accepts, rendered, served by a real nginx.
import http2 from 'node:http2';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { selfSignedKeyPair } from '../../src/tls/self-signed.js';
import { ingress, service, shopCluster, type IngressSpecInput } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { NginxHarness, startBackend, type Backend } from './harness.js';

const P = 'nginx.ingress.kubernetes.io/';
let nginx: NginxHarness;
const backends: Backend[] = [];
let tlsBackend: Server;
let grpcBackend: http2.Http2Server;
let text = '';

function annotated(name: string, host: string, annotations: Record<string, string>, more: Partial<IngressSpecInput> = {}) {
  const prefixed = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [P + k, v]));
  return ingress({ name, host, annotations: prefixed, paths: [{ path: '/', service: 'a' }], ...more });
}

beforeAll(async () => {
  const a = await startBackend('a', '127.0.0.30', (req, res) => {
    if (req.url !== '/slow') return false;
    setTimeout(() => res.end('late'), 3000);
    return true;
  });
  const b = await startBackend('b', '127.0.0.31');
  const c = await startBackend('c', '127.0.0.32');
  const lb1 = await startBackend('lb1', '127.0.0.33');
  const lb2 = await startBackend('lb2', '127.0.0.34');
  backends.push(a, b, c, lb1, lb2);
  const pair = selfSignedKeyPair(['127.0.0.35']);
  tlsBackend = createServer({ cert: pair.cert, key: pair.key }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ backend: 'tls', url: req.url, headers: req.headers }));
  });
  await new Promise<void>((resolve) => tlsBackend.listen(0, '127.0.0.35', resolve));
  const tlsPort = (tlsBackend.address() as AddressInfo).port;
  // gRPC is HTTP/2 with trailers; an h2c server that answers like one is enough for nginx.
  grpcBackend = http2.createServer((req, res) => {
    res.setHeader('content-type', 'application/grpc');
    res.setHeader('x-backend', 'grpc');
    res.setHeader('x-path', req.url);
    res.addTrailers({ 'grpc-status': '0' });
    res.end();
  });
  await new Promise<void>((resolve) => grpcBackend.listen(0, '127.0.0.36', resolve));
  const grpcPort = (grpcBackend.address() as AddressInfo).port;

  const cluster = shopCluster(
    ...['a', 'b', 'c', 'lb', 'tls', 'grpc'].map((n) => service('shop', n)),
    endpointSlice('shop', 'grpc', ['127.0.0.36'], grpcPort),
    // gRPC clients speak HTTP/2 over TLS: the host is listed in spec.tls (no Secret: fallback certificate).
    annotated('grpc', 'grpc.com', { 'backend-protocol': 'GRPC' }, { paths: [{ path: '/', service: 'grpc' }], tls: [{ hosts: ['grpc.com'] }] }),
    ...[a, b, c].map((x) => endpointSlice('shop', x.name, [x.ip], x.port)),
    endpointSlice('shop', 'lb', [lb1.ip], lb1.port),
    endpointSlice('shop', 'lb', [lb2.ip], lb2.port),
    endpointSlice('shop', 'tls', ['127.0.0.35'], tlsPort),
    annotated('rewrite', 'rw.com', { 'use-regex': 'true', 'rewrite-target': '/$2' }, { paths: [{ path: '/something(/|$)(.*)', pathType: 'ImplementationSpecific', service: 'a' }] }),
    annotated('regex', 'rw.com', { 'use-regex': 'true' }, { paths: [{ path: '/api/v[0-9]+/.*', pathType: 'ImplementationSpecific', service: 'b' }] }),
    ingress({ name: 'prefix-on-regex-host', host: 'rw.com', paths: [{ path: '/api', pathType: 'Prefix', service: 'c' }] }),
    annotated('rewrite-nowhere', 'rw-missing.com', { 'rewrite-target': '/$1' }, { paths: [{ path: '/x(.*)', pathType: 'ImplementationSpecific', service: 'missing' }] }),
    annotated('app-root', 'app.com', { 'app-root': '/app' }),
    annotated('ssl-off', 'tlsoff.com', { 'ssl-redirect': 'false' }, { tls: [{ hosts: ['tlsoff.com'] }] }),
    annotated('force-ssl', 'force.com', { 'force-ssl-redirect': 'true' }),
    annotated('https-backend', 'secure-backend.com', { 'backend-protocol': 'HTTPS' }, { paths: [{ path: '/', service: 'tls' }] }),
    annotated('body', 'body.com', { 'proxy-body-size': '1k' }),
    annotated('timeout', 'slow.com', { 'proxy-read-timeout': '1' }),
    annotated('deny', 'deny.com', { 'allowlist-source-range': '10.0.0.0/8, 192.168.0.0/16' }),
    annotated('allow', 'allow.com', { 'whitelist-source-range': '127.0.0.0/8' }),
    annotated('permanent', 'perm.com', { 'permanent-redirect': 'https://example.com/new', 'permanent-redirect-code': '308' }),
    annotated('temporal', 'temp.com', { 'temporal-redirect': 'https://example.com/later' }),
    annotated('both-redirects', 'both.com', {
      'permanent-redirect': 'https://example.com/new',
      'permanent-redirect-code': '308',
      'temporal-redirect': 'https://example.com/later',
    }),
    annotated('see-other', 'see-other.com', { 'temporal-redirect': 'https://example.com/form', 'temporal-redirect-code': '303' }),
    annotated('cors', 'cors.com', { 'enable-cors': 'true', 'cors-allow-origin': 'https://a.com, https://*.b.com', 'cors-allow-credentials': 'false' }),
    annotated('sticky', 'sticky.com', { affinity: 'cookie', 'session-cookie-name': 'ROUTE', 'session-cookie-max-age': '60' }, { paths: [{ path: '/', service: 'lb' }] }),
    annotated('hostile', 'hostile.com', { 'rewrite-target': '/x; return 200 pwned;' }),
    annotated('external-auth', 'auth.com', { 'auth-keepalive': '10', 'auth-proxy-set-headers': 'shop/auth-headers' }),
    annotated('passthrough', 'passthrough.com', { 'ssl-passthrough': 'true' }, { tls: [{ hosts: ['passthrough.com'] }] }),
  );
  nginx = await NginxHarness.create();
  expect((await nginx.apply(cluster)).status).toBe('applied');
  text = nginx.render(cluster).text;
});

afterAll(async () => {
  await nginx?.close();
  await Promise.all(backends.map((b) => b.close()));
  tlsBackend?.close();
  grpcBackend?.close();
});

describe('rewrite and regex paths', () => {
  test.for([
    ['/something/foo/bar?x=1', '/foo/bar?x=1'],
    ['/something', '/'],
    ['/SOMETHING/x', '/x'], // regex locations are case-insensitive, like ingress-nginx's ~*
  ] as const)('rewrite-target /$2 turns %s into %s', async ([path, seen]) => {
    const res = await nginx.get('rw.com', path);
    expect(res.echo?.url).toBe(seen);
  });

  test.for([
    ['/api/v1/users', 'b'], // the longer regex wins over a shorter prefix on the same host
    ['/api/other', 'c'], // a Prefix path on a regex host stays element-wise...
    ['/apix', 404], // ...and does not match /apix
  ] as const)('rw.com%s is served by %s', async ([path, expected]) => {
    const res = await nginx.get('rw.com', path);
    expect(res.echo?.backend ?? res.status).toBe(expected);
  });

  test('a rewriting location whose Service is missing answers 503 (not files from the prefix)', async () => {
    expect((await nginx.get('rw-missing.com', '/x/nginx.conf')).status).toBe(503);
  });
});

describe('redirects', () => {
  test('app-root redirects / with 302', async () => {
    const res = await nginx.get('app.com', '/');
    expect([res.status, res.headers.location]).toEqual([302, '/app']);
  });

  test('app-root leaves other paths alone', async () => {
    expect((await nginx.get('app.com', '/x')).echo?.url).toBe('/x');
  });

  test('ssl-redirect "false" serves a TLS host over HTTP', async () => {
    expect((await nginx.get('tlsoff.com', '/')).echo?.backend).toBe('a');
  });

  test('force-ssl-redirect redirects a host without TLS', async () => {
    expect((await nginx.get('force.com', '/p')).status).toBe(308);
  });

  test('permanent-redirect answers with its code and URL', async () => {
    const res = await nginx.get('perm.com', '/anything');
    expect([res.status, res.headers.location]).toEqual([308, 'https://example.com/new']);
  });

  test('temporal-redirect answers 302', async () => {
    const res = await nginx.get('temp.com', '/');
    expect([res.status, res.headers.location]).toEqual([302, 'https://example.com/later']);
  });

  test('temporal-redirect wins over permanent-redirect, as in ingress-nginx', async () => {
    const res = await nginx.get('both.com', '/');
    expect([res.status, res.headers.location]).toEqual([302, 'https://example.com/later']);
  });

  test('temporal-redirect-code 303 answers 303', async () => {
    const res = await nginx.get('see-other.com', '/', { method: 'POST', body: 'x' });
    expect([res.status, res.headers.location]).toEqual([303, 'https://example.com/form']);
  });
});

describe('proxy settings', () => {
  test('backend-protocol HTTPS speaks TLS to the backend', async () => {
    const res = await nginx.get('secure-backend.com', '/x');
    expect(res.echo?.backend).toBe('tls');
  });

  test('backend-protocol GRPC passes an HTTP/2 request to the backend with grpc_pass', async () => {
    const session = http2.connect(`https://127.0.0.1:${nginx.httpsPort}`, { servername: 'grpc.com', rejectUnauthorized: false });
    try {
      const headers = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
        const stream = session.request({ ':method': 'POST', ':path': '/pkg.Service/Method', ':authority': 'grpc.com', 'content-type': 'application/grpc', te: 'trailers' });
        stream.on('response', resolve);
        stream.on('error', reject);
        stream.end();
        stream.resume();
      });
      expect([headers[':status'], headers['x-backend'], headers['x-path']]).toEqual([200, 'grpc', '/pkg.Service/Method']);
    } finally {
      session.close();
    }
  });

  test.for([
    [500, 200],
    [4096, 413],
  ] as const)('proxy-body-size 1k: a %i-byte body gets %i', async ([size, status]) => {
    const res = await nginx.get('body.com', '/', { method: 'POST', body: 'x'.repeat(size) });
    expect(res.status).toBe(status);
  });

  test('proxy-read-timeout 1 gives up on a backend silent for 3 s with 504', async () => {
    expect((await nginx.get('slow.com', '/slow')).status).toBe(504);
  });

  test('allowlist-source-range refuses other sources with 403', async () => {
    expect((await nginx.get('deny.com', '/')).status).toBe(403);
  });

  test('whitelist-source-range admits a listed source', async () => {
    expect((await nginx.get('allow.com', '/')).echo?.backend).toBe('a');
  });
});

describe('CORS', () => {
  test('a preflight from a listed wildcard origin gets 204 and the origin echoed', async () => {
    const res = await nginx.get('cors.com', '/', { method: 'OPTIONS', headers: { origin: 'https://x.b.com' } });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://x.b.com');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  test('a request from an unlisted origin gets no Access-Control-Allow-Origin', async () => {
    const res = await nginx.get('cors.com', '/', { headers: { origin: 'https://evil.com' } });
    expect(res.echo?.backend).toBe('a');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('a wildcard origin matches one label only', async () => {
    const res = await nginx.get('cors.com', '/', { headers: { origin: 'https://x.y.b.com' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('cookie affinity', () => {
  test('a first request gets the affinity cookie', async () => {
    const res = await nginx.get('sticky.com', '/');
    expect(res.headers['set-cookie']?.[0]).toMatch(/^ROUTE=[0-9a-f]{32}; Path=\/; Max-Age=60; HttpOnly$/);
  });

  test('requests carrying the cookie stick to the endpoint of the first one', async () => {
    for (let round = 0; round < 3; round++) {
      const first = await nginx.get('sticky.com', '/');
      const cookie = (first.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
      const seen = new Set([first.echo?.backend]);
      for (let i = 0; i < 8; i++) {
        const res = await nginx.get('sticky.com', '/', { headers: { cookie } });
        expect(res.headers['set-cookie']).toBeUndefined();
        seen.add(res.echo?.backend);
      }
      expect(seen.size).toBe(1);
    }
  });
});

describe('refused and unsupported annotations', () => {
  test('an Ingress with a refused annotation value is skipped, not served', async () => {
    expect((await nginx.get('hostile.com', '/')).status).toBe(404);
    expect(nginx.lastBuild?.skipped.map((s) => s.ingress)).toContain('shop/hostile');
  });

  test('the refused value appears nowhere in the rendered configuration', () => {
    expect(text).not.toContain('pwned');
  });

  test.for([
    ['auth.com', 'shop/external-auth', ['auth-keepalive', 'auth-proxy-set-headers']],
    ['passthrough.com', 'shop/passthrough', ['ssl-passthrough']],
  ] as const)('%s, with annotations the controller does not implement, is skipped and reported', async ([host, key, annotations]) => {
    expect((await nginx.get(host, '/secret')).status).toBe(404);
    expect((await nginx.get(host, '/secret', { https: true, sni: host })).status).toBe(404);
    const skipped = nginx.lastBuild?.skipped.find((s) => s.ingress === key);
    for (const a of annotations) expect(skipped?.reason).toContain(`${P}${a} (`);
    expect(skipped?.reason).toContain('is not implemented by the bundled controller yet');
  });
});
