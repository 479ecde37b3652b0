// custom-http-errors, default-backend and disable-proxy-intercept-errors on the real nginx, with
// endpoints in nginx.conf and through the Lua endpoint channel (the same behaviour).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SnapshotStore } from '../../src/k8s/snapshot.js';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { NginxHarness, startBackend, type Backend } from './harness.js';

const P = 'nginx.ingress.kubernetes.io/';
let nginx: NginxHarness;
let cluster: SnapshotStore;
const backends: Backend[] = [];
const GLOBAL_DEFAULT = { defaultBackendService: { namespace: 'shop', name: 'global-errors' } };

function annotated(name: string, host: string, annotations: Record<string, string>, svc = 'app') {
  const prefixed = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [P + k, v]));
  return ingress({ name, host, annotations: prefixed, paths: [{ path: '/', service: svc }] });
}

describe.for([{ channel: false }, { channel: true }])('endpoint channel: $channel', ({ channel }) => {
beforeAll(async () => {
  backends.length = 0;
  // The application answers /fail with its own 503 page and /missing with its own 404.
  const app = await startBackend('app', '127.0.0.63', (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const status = path === '/fail' ? 503 : path === '/missing' ? 404 : 0;
    if (status === 0) return false;
    res.statusCode = status;
    res.end('internal details of the app');
    return true;
  });
  const errors = await startBackend('error-pages', '127.0.0.64');
  const global = await startBackend('global-errors', '127.0.0.65');
  backends.push(app, errors, global);
  cluster = shopCluster(
    ...['app', 'error-pages', 'global-errors', 'empty'].map((n) => service('shop', n)),
    ...[app, errors, global].map((b) => endpointSlice('shop', b.name, [b.ip], b.port)),
    annotated('errors', 'errors.com', { 'custom-http-errors': '503, 500', 'default-backend': 'error-pages' }),
    annotated('no-endpoints', 'empty.com', { 'default-backend': 'error-pages' }, 'empty'),
    annotated('pass-through', 'pass.com', { 'custom-http-errors': '503', 'default-backend': 'error-pages', 'disable-proxy-intercept-errors': 'true' }, 'app'),
    annotated('pass-through-empty', 'pass-empty.com', { 'custom-http-errors': '503', 'disable-proxy-intercept-errors': 'true' }, 'empty'),
    annotated('global', 'global.com', { 'custom-http-errors': '503' }),
  );
  nginx = await NginxHarness.create(undefined, {}, { channel });
  expect((await nginx.apply(cluster, GLOBAL_DEFAULT)).status).toBe('applied');
});

afterAll(async () => {
  await nginx?.close();
  await Promise.all(backends.map((b) => b.close()));
});

describe('custom-http-errors with default-backend', () => {
  test('a 503 of the backend is replaced by the default backend, asked for / with X-Code and the original URI in headers', async () => {
    const res = await nginx.get('errors.com', '/fail?x=1', { headers: { accept: 'text/html' } });
    expect(res.echo?.backend).toBe('error-pages');
    // `rewrite (.*) / break;` as ingress-nginx: the query string stays.
    expect(res.echo?.url).toBe('/?x=1');
    expect(res.echo?.headers).toMatchObject({
      'x-code': '503',
      'x-format': 'text/html',
      'x-original-uri': '/fail?x=1',
      'x-namespace': 'shop',
      'x-ingress-name': 'errors',
      host: 'errors.com',
    });
    expect(res.echo?.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  test('a code not listed passes through', async () => {
    const res = await nginx.get('errors.com', '/missing');
    expect([res.status, res.text]).toEqual([404, 'internal details of the app']);
  });

  test('other responses are the backend\'s', async () => {
    expect((await nginx.get('errors.com', '/ok')).echo?.backend).toBe('app');
  });
});

describe('default-backend', () => {
  test('answers, with X-Code 503 and the original path, when the Service has no ready endpoint', async () => {
    const res = await nginx.get('empty.com', '/some/page');
    expect(res.echo?.backend).toBe('error-pages');
    expect(res.echo?.url).toBe('/some/page');
    expect(res.echo?.headers['x-code']).toBe('503');
  });
});

describe('disable-proxy-intercept-errors', () => {
  test('the backend\'s own error passes through', async () => {
    const res = await nginx.get('pass.com', '/fail');
    expect([res.status, res.text]).toEqual([503, 'internal details of the app']);
  });

  test('an error nginx answers itself (no endpoints) still goes to the default backend', async () => {
    const res = await nginx.get('pass-empty.com', '/');
    expect(res.echo?.backend).toBe('global-errors');
    expect(res.echo?.headers['x-code']).toBe('503');
  });
});

describe('custom-http-errors without default-backend', () => {
  test('goes to the controller\'s default backend (--default-backend-service)', async () => {
    const res = await nginx.get('global.com', '/fail');
    expect(res.echo?.backend).toBe('global-errors');
    expect(res.echo?.headers['x-code']).toBe('503');
  });

  test('without any default backend, nginx\'s own page replaces the backend\'s', async () => {
    expect((await nginx.apply(cluster)).status).toBe('applied');
    const res = await nginx.get('global.com', '/fail');
    expect(res.status).toBe(503);
    expect(res.text).not.toContain('internal details');
    expect(res.text).toContain('503 Service Temporarily Unavailable');
  });
});
});
