// Load balancing annotations on a real nginx: upstream-hash-by, load-balance ewma (least_conn),
// and cookie affinity in both modes, including persistent sessions across endpoint changes. Each
// runs twice: endpoints in nginx.conf (nginx's own balancers, a reload per change) and through the
// Lua endpoint channel (lua/gatehouse/endpoints.lua, no reload): the behaviour must be the same.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ClusterSnapshot } from '../../src/k8s/snapshot.js';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { NginxHarness, startBackend, type Backend } from './harness.js';

const P = 'nginx.ingress.kubernetes.io/';
let nginx: NginxHarness;
const backends: Backend[] = [];

function annotated(name: string, host: string, annotations: Record<string, string>) {
  const prefixed = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [P + k, v]));
  return ingress({ name, host, annotations: prefixed, paths: [{ path: '/', service: 'lb' }] });
}

const INGRESSES = [
  annotated('hash', 'hash.com', { 'upstream-hash-by': '$http_x_user' }),
  annotated('ewma', 'ewma.com', { 'load-balance': 'ewma' }),
  annotated('persistent', 'persistent.com', { affinity: 'cookie', 'affinity-mode': 'persistent', 'session-cookie-name': 'PIN', 'session-cookie-domain': 'persistent.com' }),
  annotated('plain', 'plain.com', {}),
];

/** The lb Service with these backends as its endpoints. */
function clusterWith(endpoints: readonly Backend[]): ClusterSnapshot {
  return shopCluster(service('shop', 'lb'), ...endpoints.map((b) => endpointSlice('shop', 'lb', [b.ip], b.port)), ...INGRESSES);
}

beforeAll(async () => {
  for (const [i, name] of ['one', 'two', 'three'].entries()) backends.push(await startBackend(name, `127.0.0.${40 + i}`));
});

afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
});

describe.for([{ channel: false }, { channel: true }])('endpoint channel: $channel', ({ channel }) => {
beforeAll(async () => {
  nginx = await NginxHarness.create(undefined, {}, { channel });
  expect((await nginx.apply(clusterWith(backends.slice(0, 2)))).status).toBe('applied');
});

afterAll(async () => {
  await nginx?.close();
});

/** Applies an endpoint change: a reload on the reload path, none through the channel. */
async function changeEndpoints(endpoints: readonly Backend[]): Promise<void> {
  const reloads = nginx.reloads;
  const result = await nginx.apply(clusterWith(endpoints));
  expect(result.status).toBe(channel ? 'unchanged' : 'applied');
  expect(nginx.reloads).toBe(channel ? reloads : reloads + 1);
}

async function backendsSeen(host: string, n: number, headers: Record<string, string> = {}): Promise<Set<string | undefined>> {
  const seen = new Set<string | undefined>();
  for (let i = 0; i < n; i++) seen.add((await nginx.get(host, '/', { headers })).echo?.backend);
  return seen;
}

describe('upstream-hash-by', () => {
  test('requests with the same key go to one endpoint', async () => {
    for (const user of ['alice', 'bob', 'carol']) expect((await backendsSeen('hash.com', 6, { 'x-user': user })).size).toBe(1);
  });

  test('different keys are spread over the endpoints', async () => {
    const seen = new Set<string | undefined>();
    for (let i = 0; i < 40; i++) seen.add((await nginx.get('hash.com', '/', { headers: { 'x-user': `user-${i}` } })).echo?.backend);
    expect(seen).toEqual(new Set(['one', 'two']));
  });

  test('the upstream hashes on the key; a Service balanced differently by another Ingress gets its own upstream', () => {
    const text = nginx.render(clusterWith(backends.slice(0, 2))).text;
    expect(text).toContain(channel ? 'shop_lb_http_hash_' : 'hash "$http_x_user" consistent;');
    if (channel) expect(text).toMatch(/shop_lb_http_hash_[0-9a-f]{12} "\$http_x_user";/);
    expect(text).toMatch(/upstream shop_lb_http_hash_[0-9a-f]{12} \{/);
    expect(text).toMatch(/upstream shop_lb_http \{/);
  });
});

describe('load-balance ewma', () => {
  test('is served by least_conn over the endpoints', async () => {
    expect(nginx.render(clusterWith(backends.slice(0, 2))).text).toMatch(channel ? /upstream shop_lb_http_lc \{\n[^}]*balance_least_conn/ : /upstream shop_lb_http_lc \{\n\s+least_conn;/);
    expect(await backendsSeen('ewma.com', 8)).toEqual(new Set(['one', 'two']));
  });
});

describe('affinity-mode persistent', () => {
  test('a first request gets a cookie naming its endpoint, opaquely', async () => {
    const res = await nginx.get('persistent.com', '/');
    const cookie = res.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/^PIN=[0-9a-f]{16}; Path=\/; Domain=persistent\.com; HttpOnly$/);
    expect(cookie).not.toContain('127.0.0.');
  });

  test('requests carrying the cookie stay on that endpoint, get no new cookie, and stay when endpoints are added', async () => {
    const first = await nginx.get('persistent.com', '/');
    const cookie = (first.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
    const pinned = first.echo?.backend;
    for (let i = 0; i < 6; i++) {
      const res = await nginx.get('persistent.com', '/', { headers: { cookie } });
      expect(res.echo?.backend).toBe(pinned);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    await changeEndpoints(backends);
    for (let i = 0; i < 9; i++) expect((await nginx.get('persistent.com', '/', { headers: { cookie } })).echo?.backend).toBe(pinned);
    await changeEndpoints(backends.slice(0, 2));
  });

  test('when its endpoint is gone, the session moves and gets a new cookie', async () => {
    const first = await nginx.get('persistent.com', '/');
    const cookie = (first.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
    const others = backends.filter((b) => b.name !== first.echo?.backend);
    try {
      await changeEndpoints(others);
      const moved = await nginx.get('persistent.com', '/', { headers: { cookie } });
      expect(moved.echo?.backend).not.toBe(first.echo?.backend);
      expect(moved.headers['set-cookie']?.[0]).toMatch(/^PIN=[0-9a-f]{16};/);
      expect(moved.headers['set-cookie']?.[0]?.split(';')[0]).not.toBe(cookie);
    } finally {
      await changeEndpoints(backends.slice(0, 2));
    }
  });

  test('a cookie naming no current endpoint (forged) is balanced, never used as an address', async () => {
    for (const forged of ['PIN=127.0.0.1:22', 'PIN=0000000000000000', 'PIN=../../x']) {
      const res = await nginx.get('persistent.com', '/', { headers: { cookie: forged } });
      expect(['one', 'two']).toContain(res.echo?.backend);
      expect(res.headers['set-cookie']?.[0]).toMatch(/^PIN=[0-9a-f]{16};/);
    }
  });
});

test('without balancing annotations, round robin', async () => {
  expect(await backendsSeen('plain.com', 8)).toEqual(new Set(['one', 'two']));
});
});
