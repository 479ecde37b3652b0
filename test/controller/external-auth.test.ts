// External authentication on the real nginx: auth_request to a loopback auth service, a loopback
// backend behind it. The service answers by the client's Authorization header.
import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { freePort, NginxHarness, startBackend, type Backend } from './harness.js';

const P = 'nginx.ingress.kubernetes.io/';
const AUTH_IP = '127.0.0.40';
let nginx: NginxHarness;
let auth: Backend;
let backend: Backend;
let text = '';
/** What the auth service saw, last first. */
const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];

function annotated(name: string, host: string, annotations: Record<string, string>) {
  const prefixed = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [P + k, v]));
  return ingress({ name, host, annotations: prefixed, paths: [{ path: '/', service: 'app' }] });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  auth = await startBackend('auth', AUTH_IP, (req, res) => {
    seen.unshift({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const token = req.headers.authorization;
    if (token === 'Bearer good') {
      res.setHeader('X-Auth-Request-User', 'alice');
      res.setHeader('X-Auth-Request-Email', 'alice@example.com');
      res.setHeader('Set-Cookie', 'session=refreshed; Path=/');
      res.end();
    } else if (token === 'Bearer anonymous') {
      res.end();
    } else if (token === 'Bearer forbidden') {
      res.statusCode = 403;
      res.end();
    } else {
      res.statusCode = 401;
      res.setHeader('WWW-Authenticate', 'Bearer realm="test"');
      res.end();
    }
    return true;
  });
  backend = await startBackend('app', '127.0.0.41');
  const url = `http://${AUTH_IP}:${auth.port}/verify`;
  const cluster = shopCluster(
    service('shop', 'app'),
    endpointSlice('shop', 'app', [backend.ip], backend.port),
    annotated('ext', 'ext.com', { 'auth-url': url, 'auth-response-headers': 'X-Auth-Request-User, X-Auth-Request-Email' }),
    annotated('signin', 'signin.com', { 'auth-url': url, 'auth-signin': 'https://login.example.com/start' }),
    annotated('method', 'method.com', { 'auth-url': `${url}?m=1`, 'auth-method': 'POST', 'auth-request-redirect': '/after-login' }),
    annotated('down', 'down.com', { 'auth-url': `http://127.0.0.42:${await freePort()}/verify` }),
    // No `resolver` in these render options: the name is looked up per request and fails it.
    annotated('dns', 'dns.com', { 'auth-url': 'http://auth.shop.svc.cluster.local/verify' }),
  );
  nginx = await NginxHarness.create();
  expect((await nginx.apply(cluster, { allowAuthUrlLoopback: true })).status).toBe('applied');
  text = nginx.render(cluster, { allowAuthUrlLoopback: true }).text;
  expect(nginx.lastBuild?.skipped).toEqual([]);
});

afterAll(async () => {
  await nginx?.close();
  await Promise.all([auth?.close(), backend?.close()]);
});

describe('auth-url', () => {
  test('without credentials the client gets the service\'s 401 and its WWW-Authenticate; the backend is not reached', async () => {
    const res = await nginx.get('ext.com', '/private');
    expect(res.status).toBe(401);
    expect(res.echo).toBeUndefined();
    expect(res.headers['www-authenticate']).toBe('Bearer realm="test"');
  });

  test('a 403 from the service is answered 403', async () => {
    expect((await nginx.get('ext.com', '/private', { headers: bearer('forbidden') })).status).toBe(403);
  });

  test('with good credentials the backend answers, with the auth-response-headers and the service\'s cookie', async () => {
    const res = await nginx.get('ext.com', '/private?x=1', { headers: bearer('good') });
    expect(res.status).toBe(200);
    expect(res.echo?.backend).toBe('app');
    expect(res.echo?.url).toBe('/private?x=1');
    expect(res.echo?.headers['x-auth-request-user']).toBe('alice');
    expect(res.echo?.headers['x-auth-request-email']).toBe('alice@example.com');
    expect(res.headers['set-cookie']).toEqual(['session=refreshed; Path=/']);
  });

  test('the http level\'s proxy headers still reach the backend of a location that sets its own', async () => {
    const res = await nginx.get('ext.com', '/private', { headers: { ...bearer('good'), 'x-forwarded-for': '6.6.6.6' } });
    expect(res.echo?.headers['x-forwarded-host']).toBe('ext.com');
    expect(res.echo?.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(res.echo?.headers.host).toBe('ext.com');
  });

  test('a response header the service did not send is removed, not taken from the client', async () => {
    const res = await nginx.get('ext.com', '/private', { headers: { ...bearer('anonymous'), 'x-auth-request-user': 'admin' } });
    expect(res.status).toBe(200);
    expect(res.echo?.headers['x-auth-request-user']).toBeUndefined();
  });

  test('the service gets the original URL and method, the client\'s headers and no body', async () => {
    await nginx.get('ext.com', '/private?x=1', { method: 'PUT', headers: bearer('good'), body: 'secret body' });
    const req = seen[0]!;
    // nginx's subrequests are GETs (ngx_http_subrequest), as in ingress-nginx without auth-method.
    expect(req).toMatchObject({ method: 'GET', url: '/verify' });
    expect(req.headers['x-original-url']).toBe('http://ext.com/private?x=1');
    expect(req.headers['x-original-method']).toBe('PUT');
    expect(req.headers['x-auth-request-redirect']).toBe('/private?x=1');
    expect(req.headers.authorization).toBe('Bearer good');
    expect(req.headers['content-length']).toBeUndefined();
    expect(req.headers.host).toBe(`${AUTH_IP}:${auth.port}`);
  });

  test('auth-method and auth-request-redirect are honoured', async () => {
    expect((await nginx.get('method.com', '/x', { headers: bearer('good') })).status).toBe(200);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/verify?m=1' });
    expect(seen[0]!.headers['x-original-method']).toBe('GET');
    expect(seen[0]!.headers['x-original-uri']).toBe('/x');
    expect(seen[0]!.headers['x-auth-request-redirect']).toBe('/after-login');
  });

  test('a service that is down fails closed: 500, the backend is not reached', async () => {
    const res = await nginx.get('down.com', '/private', { headers: bearer('good') });
    expect(res.status).toBe(500);
    expect(res.echo).toBeUndefined();
  });

  test('a DNS name nginx cannot resolve (no resolver) passes nginx -t and fails its requests closed (500)', async () => {
    const res = await nginx.get('dns.com', '/private', { headers: bearer('good') });
    expect(res.status).toBe(500);
    expect(res.echo).toBeUndefined();
  });

  test('the internal auth location answers clients 404', async () => {
    const path = /location = "(\/_gh_auth\|[0-9a-f]+)"/.exec(text.split('server_name ext.com;')[1] ?? '')?.[1];
    expect(path).toBeDefined();
    const res = await nginx.get('ext.com', path!, { headers: bearer('good') });
    expect(res.echo?.url ?? res.status).toBe(404);
  });
});

describe('auth-signin', () => {
  test('a 401 becomes a 302 to the sign-in URL with the original URL in rd', async () => {
    const res = await nginx.get('signin.com', '/private?x=1');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('https://login.example.com/start?rd=http://signin.com/private?x=1');
    expect(res.echo).toBeUndefined();
  });

  test('good credentials reach the backend', async () => {
    expect((await nginx.get('signin.com', '/private', { headers: bearer('good') })).echo?.backend).toBe('app');
  });
});

describe('loopback auth-url outside tests', () => {
  test('the controller leaves the Ingress out, saying why', () => {
    const cluster = shopCluster(
      service('shop', 'app'),
      endpointSlice('shop', 'app', [backend.ip], backend.port),
      annotated('ext', 'ext.com', { 'auth-url': `http://${AUTH_IP}:${auth.port}/verify` }),
    );
    const { build } = nginx.render(cluster);
    expect(build.skipped).toEqual([
      { ingress: 'shop/ext', reason: `auth-url "http://${AUTH_IP}:${auth.port}/verify" cannot be dialled by nginx: ${AUTH_IP} is a loopback, link-local, unspecified or metadata address` },
    ]);
  });
});
