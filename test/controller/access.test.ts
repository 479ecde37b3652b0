// Client deny- and allow-lists on the real nginx; clients are told apart by their loopback source
// address (the client socket binds 127.0.0.x).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { NginxHarness, startBackend, type Backend } from './harness.js';

const P = 'nginx.ingress.kubernetes.io/';
let nginx: NginxHarness;
let backend: Backend;

function annotated(name: string, host: string, annotations: Record<string, string>) {
  const prefixed = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [P + k, v]));
  return ingress({ name, host, annotations: prefixed, paths: [{ path: '/', service: 'a' }] });
}

beforeAll(async () => {
  backend = await startBackend('a', '127.0.0.61');
  const cluster = shopCluster(
    service('shop', 'a'),
    endpointSlice('shop', 'a', [backend.ip], backend.port),
    annotated('deny', 'deny.com', { 'denylist-source-range': '127.0.0.2/32, 2001:db8::/32' }),
    annotated('both', 'both.com', { 'denylist-source-range': '127.0.0.2', 'allowlist-source-range': '127.0.0.0/24' }),
    annotated('satisfy-any', 'any.com', { 'allowlist-source-range': '127.0.0.3', satisfy: 'any' }),
  );
  nginx = await NginxHarness.create();
  expect((await nginx.apply(cluster)).status).toBe('applied');
});

afterAll(async () => {
  await nginx?.close();
  await backend?.close();
});

describe('denylist-source-range', () => {
  test.for([
    ['127.0.0.2', 403],
    ['127.0.0.3', 200],
  ] as const)('a client from %s gets %i', async ([source, status]) => {
    expect((await nginx.get('deny.com', '/', { localAddress: source })).status).toBe(status);
  });
});

describe('denylist-source-range with allowlist-source-range: the deny-list wins, as in ingress-nginx', () => {
  test.for([
    ['127.0.0.2', 403], // in both lists
    ['127.0.0.3', 200], // allowed
    ['127.0.1.1', 403], // in neither
  ] as const)('a client from %s gets %i', async ([source, status]) => {
    expect((await nginx.get('both.com', '/', { localAddress: source })).status).toBe(status);
  });
});

describe('satisfy', () => {
  test.for([
    ['127.0.0.3', 200],
    ['127.0.0.4', 403],
  ] as const)('"any" without authentication still applies the allow-list: %s gets %i', async ([source, status]) => {
    expect((await nginx.get('any.com', '/', { localAddress: source })).status).toBe(status);
  });
});
