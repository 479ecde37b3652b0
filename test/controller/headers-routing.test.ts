// Request headers, response rewrites and host names, end to end: rendered, served by a real nginx
// with loopback backends, observed from the client and from the backend.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { selfSignedKeyPair } from '../../src/tls/self-signed.js';
import { ingress, service, shopCluster, tlsSecret, type IngressSpecInput } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import type { ConfigMap } from '../../src/k8s/types.js';
import { NginxHarness, startBackend, type Backend } from './harness.js';

const P = 'nginx.ingress.kubernetes.io/';
let nginx: NginxHarness;
const backends: Backend[] = [];

function headersConfigMap(name: string, data: Record<string, string>, labelled = true): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'shop', name, ...(labelled ? { labels: { 'gatehouse.dev/response-headers': 'true' } } : {}) }, data };
}

function annotated(name: string, host: string, annotations: Record<string, string>, more: Partial<IngressSpecInput> = {}) {
  const prefixed = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [P + k, v]));
  return ingress({ name, host, annotations: prefixed, paths: [{ path: '/', service: 'a' }], ...more });
}

beforeAll(async () => {
  // /redirect answers with a Location naming the backend's own (internal) name; /cookie sets a cookie
  // scoped to the backend's domain and path.
  const a = await startBackend('a', '127.0.0.50', (req, res) => {
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://internal.local/inner/page' }).end();
      return true;
    }
    if (req.url === '/fail') {
      res.writeHead(500).end();
      return true;
    }
    if (req.url === '/own-header') {
      res.writeHead(200, { 'x-frame-options': 'SAMEORIGIN', 'content-type': 'text/plain' }).end('ok');
      return true;
    }
    if (req.url === '/cookie') {
      res.writeHead(200, { 'set-cookie': 'sid=1; Domain=internal.local; Path=/inner/x' }).end('ok');
      return true;
    }
    return false;
  });
  backends.push(a);
  const pair = selfSignedKeyPair(['tls-www.com']);
  const cluster = shopCluster(
    service('shop', 'a'),
    endpointSlice('shop', 'a', [a.ip], a.port),
    tlsSecret('shop', 'tls-www', pair.cert, pair.key),
    annotated('prefix', 'prefix.com', { 'x-forwarded-prefix': '/api' }),
    annotated('vhost', 'vhost.com', { 'upstream-vhost': 'internal.example.com:8080', 'x-forwarded-prefix': '/v' }),
    annotated('connection', 'conn.com', { 'connection-proxy-header': 'keep-alive' }),
    annotated('redirect', 'redir.com', { 'proxy-redirect-from': 'http://internal.local/inner/', 'proxy-redirect-to': '/outer/' }),
    annotated('cookies', 'cookie.com', { 'proxy-cookie-domain': 'internal.local cookie.com', 'proxy-cookie-path': '/inner/ /' }),
    annotated('www', 'www-target.com', { 'from-to-www-redirect': 'true' }),
    annotated('to-www', 'www.other.com', { 'from-to-www-redirect': 'true' }),
    annotated('tls-www', 'tls-www.com', { 'from-to-www-redirect': 'true' }, { tls: [{ hosts: ['tls-www.com'], secretName: 'tls-www' }] }),
    // www.taken.com is a host of its own: no redirect there.
    annotated('www-taken', 'taken.com', { 'from-to-www-redirect': 'true' }, { creationTimestamp: '2024-01-01T00:00:00Z' }),
    ingress({ name: 'www-taken-owner', host: 'www.taken.com', paths: [{ path: '/', service: 'a' }], creationTimestamp: '2024-01-02T00:00:00Z' }),
    annotated('alias', 'main.com', { 'server-alias': 'alias.com, second-alias.com' }, { creationTimestamp: '2024-01-01T00:00:00Z' }),
    // An alias that is another Ingress's host is not taken: the host's own Ingress answers it.
    annotated('alias-thief', 'thief.com', { 'server-alias': 'prefix.com' }, { namespace: 'shop', creationTimestamp: '2024-01-03T00:00:00Z' }),
    headersConfigMap('security-headers', { 'Content-Security-Policy': "default-src 'self'; img-src *", 'X-Frame-Options': 'DENY' }),
    headersConfigMap('unlabelled', { 'X-Frame-Options': 'DENY' }, false),
    annotated('custom', 'custom.com', { 'custom-headers': 'security-headers' }),
    annotated('custom-unlabelled', 'custom-unlabelled.com', { 'custom-headers': 'unlabelled' }),
    annotated('slash', 'slash.com', { 'force-ssl-redirect': 'true', 'preserve-trailing-slash': 'false' }),
    annotated('keep-slash', 'keep-slash.com', { 'force-ssl-redirect': 'true' }),
  );
  nginx = await NginxHarness.create();
  expect((await nginx.apply(cluster)).status).toBe('applied');
});

afterAll(async () => {
  await nginx?.close();
  await Promise.all(backends.map((b) => b.close()));
});

describe('request headers the backend sees', () => {
  test('x-forwarded-prefix sends X-Forwarded-Prefix, keeping the other forwarded headers', async () => {
    const { echo } = await nginx.get('prefix.com', '/x');
    expect([echo?.headers['x-forwarded-prefix'], echo?.headers.host, echo?.headers['x-forwarded-host'], echo?.headers['x-real-ip']]).toEqual(['/api', 'prefix.com', 'prefix.com', '127.0.0.1']);
  });

  test('upstream-vhost replaces the Host header; X-Forwarded-Host keeps the request\'s', async () => {
    const { echo } = await nginx.get('vhost.com', '/');
    expect([echo?.headers.host, echo?.headers['x-forwarded-host'], echo?.headers['x-forwarded-prefix']]).toEqual(['internal.example.com:8080', 'vhost.com', '/v']);
  });

  test('connection-proxy-header replaces the Connection header', async () => {
    expect((await nginx.get('conn.com', '/')).echo?.headers.connection).toBe('keep-alive');
  });

  test('without them the backend gets Gatehouse\'s headers', async () => {
    const { echo } = await nginx.get('main.com', '/');
    expect([echo?.headers.host, echo?.headers['x-forwarded-prefix']]).toEqual(['main.com', undefined]);
  });
});

describe('response rewrites', () => {
  test('proxy-redirect-from/to rewrites the backend\'s Location', async () => {
    const res = await nginx.get('redir.com', '/redirect');
    expect([res.status, res.headers.location]).toEqual([302, '/outer/page']);
  });

  test('proxy-cookie-domain and proxy-cookie-path rewrite Set-Cookie', async () => {
    const res = await nginx.get('cookie.com', '/cookie');
    expect(res.headers['set-cookie']).toEqual(['sid=1; Domain=cookie.com; Path=/x']);
  });
});

describe('from-to-www-redirect', () => {
  test('www.<host> redirects 308 to <host>, keeping the URI and the client\'s port', async () => {
    const res = await nginx.get(`www.www-target.com:${nginx.httpPort}`, '/a/b?c=1');
    expect([res.status, res.headers.location]).toEqual([308, `http://www-target.com:${nginx.httpPort}/a/b?c=1`]);
  });

  test('<host> redirects 308 to www.<host> when the Ingress has the www name', async () => {
    const res = await nginx.get('other.com', '/x');
    expect([res.status, res.headers.location]).toEqual([308, 'http://www.other.com/x']);
  });

  test('over HTTPS with the host\'s certificate', async () => {
    const res = await nginx.get('www.tls-www.com', '/s', { https: true, sni: 'www.tls-www.com' });
    expect([res.status, res.headers.location, res.certCN]).toEqual([308, 'https://tls-www.com/s', 'tls-www.com']);
  });

  test('the host itself is served', async () => {
    expect((await nginx.get('www-target.com', '/')).echo?.backend).toBe('a');
  });

  test('not when the other name is the host of an Ingress: that Ingress answers it', async () => {
    expect((await nginx.get('www.taken.com', '/')).status).toBe(200);
    expect(nginx.lastBuild?.warnings).toContainEqual({ ingress: 'shop/www-taken', message: 'from-to-www-redirect: www.taken.com is a host of Ingress shop/www-taken-owner; no redirect to taken.com' });
  });
});

describe('server-alias', () => {
  test.for(['alias.com', 'second-alias.com', 'main.com'])('%s is answered by the aliased server', async (host) => {
    expect((await nginx.get(host, '/')).echo?.headers.host).toBe(host);
  });

  test('an alias that is another Ingress\'s host is not taken, and the conflict is reported', async () => {
    expect((await nginx.get('prefix.com', '/')).echo?.headers['x-forwarded-prefix']).toBe('/api');
    expect(nginx.lastBuild?.conflicts).toContainEqual({ winner: 'shop/prefix', loser: 'shop/alias-thief', claim: 'host prefix.com (server-alias of thief.com)' });
  });
});

describe('custom-headers', () => {
  test('the ConfigMap\'s headers are on the response, a CSP with ";" and quotes intact', async () => {
    const res = await nginx.get('custom.com', '/');
    expect([res.headers['content-security-policy'], res.headers['x-frame-options']]).toEqual(["default-src 'self'; img-src *", 'DENY']);
  });

  test('they replace the backend\'s header of the same name', async () => {
    const res = await nginx.get('custom.com', '/own-header');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  test('on error answers too (always)', async () => {
    const res = await nginx.get('custom.com', '/fail');
    expect([res.status, res.headers['x-frame-options']]).toEqual([500, 'DENY']);
  });

  test('a ConfigMap without the label: the Ingress is left out, with the reason', async () => {
    expect((await nginx.get('custom-unlabelled.com', '/')).status).toBe(404);
    expect(nginx.lastBuild?.skipped).toContainEqual({
      ingress: 'shop/custom-unlabelled',
      reason: 'annotation custom-headers: ConfigMap shop/unlabelled not found with label gatehouse.dev/response-headers (the only ConfigMaps Gatehouse reads)',
    });
  });
});

describe('preserve-trailing-slash', () => {
  test('"false": the HTTPS redirect drops a trailing slash', async () => {
    const res = await nginx.get('slash.com', '/app/');
    expect([res.status, res.headers.location]).toEqual([308, `https://slash.com:${nginx.httpsPort}/app`]);
  });

  test('unset: the HTTPS redirect keeps it', async () => {
    const res = await nginx.get('keep-slash.com', '/app/');
    expect([res.status, res.headers.location]).toEqual([308, `https://keep-slash.com:${nginx.httpsPort}/app/`]);
  });

  test('"false" leaves a URI without a trailing slash alone', async () => {
    expect((await nginx.get('slash.com', '/app?x=1')).headers.location).toBe(`https://slash.com:${nginx.httpsPort}/app?x=1`);
  });
});
