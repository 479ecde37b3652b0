// Endpoint changes without reloads for every balancing and backend protocol (docs/controller.md,
// "Endpoint changes without reloads"): consistent hashing moves only the keys of a removed
// endpoint, least-conn counts requests in flight, HTTPS and gRPC upstreams follow their
// endpoints and answer 503 without any, and hostile input to the Lua balancer is harmless.
import { readFile, rename, writeFile } from 'node:fs/promises';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ClusterSnapshot } from '../../src/k8s/snapshot.js';
import { upstreamKey } from '../../src/nginx/dynamic-upstreams.js';
import { endpointId } from '../../src/nginx/persistent-affinity.js';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { createTestCa } from '../fixtures/pki.js';
import { eventually, NginxHarness, startBackend, type Backend } from './harness.js';

const P = 'nginx.ingress.kubernetes.io/';
let nginx: NginxHarness;
const backends: Backend[] = [];
/** Requests to /slow are answered when `releaseSlow` is called. */
let releaseSlow: (() => void)[] = [];
const tlsPorts: number[] = [];
const tlsServers: https.Server[] = [];
const grpcServers: http2.Http2Server[] = [];
const grpcPorts: number[] = [];
const ca = createTestCa('Backend CA');

function annotated(name: string, host: string, svc: string, annotations: Record<string, string>, tls = false) {
  const prefixed = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [P + k, v]));
  return ingress({ name, host, annotations: prefixed, paths: [{ path: '/', service: svc }], ...(tls ? { tls: [{ hosts: [host] }] } : {}) });
}

const INGRESSES = [
  annotated('hash', 'hash.com', 'lb', { 'upstream-hash-by': '$http_x_user' }),
  annotated('balanced', 'balanced.com', 'lb', { affinity: 'cookie', 'session-cookie-name': 'AFF' }),
  annotated('ewma', 'ewma.com', 'lb', { 'load-balance': 'ewma' }),
  annotated('persistent', 'persistent.com', 'lb', { affinity: 'cookie', 'affinity-mode': 'persistent', 'session-cookie-name': 'PIN' }),
  annotated('tls', 'tls.com', 'tls', { 'backend-protocol': 'HTTPS' }),
  annotated('grpc', 'grpc.com', 'grpc', { 'backend-protocol': 'GRPC' }, true),
];

/** The Services' endpoints: `lb` over plain HTTP backends, `tls` HTTPS, `grpc` h2c. */
interface Endpoints {
  lb: readonly Backend[];
  tls: readonly number[];
  grpc: readonly number[];
}

let current: Endpoints;

function clusterWith(e: Endpoints): ClusterSnapshot {
  return shopCluster(
    service('shop', 'lb'),
    service('shop', 'tls'),
    service('shop', 'grpc'),
    ...e.lb.map((b) => endpointSlice('shop', 'lb', [b.ip], b.port, { name: `lb-${b.name}` })),
    ...e.tls.map((port, i) => endpointSlice('shop', 'tls', [`127.0.0.${74 + tlsPorts.indexOf(port)}`], port, { name: `tls-${i}` })),
    ...e.grpc.map((port, i) => endpointSlice('shop', 'grpc', [`127.0.0.${77 + grpcPorts.indexOf(port)}`], port, { name: `grpc-${i}` })),
    ...INGRESSES,
  );
}

/** An endpoint-only change: published through the channel, nginx.conf unchanged, no reload. */
async function churnTo(change: Partial<Endpoints>): Promise<void> {
  current = { ...current, ...change };
  const reloads = nginx.reloads;
  const result = await nginx.apply(clusterWith(current));
  expect(result.status).toBe('unchanged');
  expect(nginx.reloads).toBe(reloads);
}

beforeAll(async () => {
  for (const [i, name] of ['one', 'two', 'three'].entries()) {
    backends.push(
      await startBackend(name, `127.0.0.${70 + i}`, (req, res) => {
        if (req.url !== '/slow') return false;
        releaseSlow.push(() => res.end(JSON.stringify({ backend: name })));
        res.setHeader('content-type', 'application/json');
        return true;
      }),
    );
  }
  for (const [i, name] of ['tls-one', 'tls-two'].entries()) {
    const leaf = ca.issue({ cn: 'tls.shop.svc' });
    const server = https.createServer({ cert: leaf.cert, key: leaf.key }, (_req, res) => res.end(name));
    await new Promise<void>((resolve) => server.listen(0, `127.0.0.${74 + i}`, resolve));
    tlsServers.push(server);
    tlsPorts.push((server.address() as AddressInfo).port);
  }
  for (const [i, name] of ['grpc-one', 'grpc-two'].entries()) {
    const server = http2.createServer((_req, res) => {
      res.setHeader('content-type', 'application/grpc');
      res.setHeader('x-backend', name);
      res.addTrailers({ 'grpc-status': '0' });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, `127.0.0.${77 + i}`, resolve));
    grpcServers.push(server);
    grpcPorts.push((server.address() as AddressInfo).port);
  }
  nginx = await NginxHarness.create(undefined, {}, { channel: true });
  current = { lb: backends, tls: tlsPorts.slice(0, 1), grpc: grpcPorts.slice(0, 1) };
  expect((await nginx.apply(clusterWith(current))).status).toBe('applied');
});

afterAll(async () => {
  for (const release of releaseSlow) release();
  await nginx?.close();
  await Promise.all(backends.map((b) => b.close()));
  for (const s of tlsServers) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  for (const s of grpcServers) await new Promise<void>((resolve) => s.close(() => resolve()));
});

test('nginx.conf lists no endpoint of any upstream', async () => {
  const conf = await readFile(join(nginx.dir, 'nginx.conf'), 'utf8');
  for (const ip of ['127.0.0.70', '127.0.0.71', '127.0.0.72', '127.0.0.74', '127.0.0.77']) expect(conf).not.toContain(ip);
  expect(conf).not.toMatch(/^\s*(?:hash|least_conn)\b/m);
});

/** Which backend each key lands on (a request per key). */
async function owners(host: string, keys: readonly string[], header: (key: string) => Record<string, string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const key of keys) out.set(key, (await nginx.get(host, '/', { headers: header(key) })).echo?.backend ?? 'none');
  return out;
}

const KEYS = Array.from({ length: 60 }, (_, i) => `key-${i}`);

describe.for([
  ['upstream-hash-by', 'hash.com', (k: string) => ({ 'x-user': k })],
  ['balanced cookie affinity', 'balanced.com', (k: string) => ({ cookie: `AFF=${k}` })],
] as const)('%s', ([, host, header]) => {
  test('a key sticks to one endpoint, and keys spread over all three', async () => {
    const first = await owners(host, KEYS, header);
    expect(await owners(host, KEYS, header)).toEqual(first);
    expect(new Set(first.values())).toEqual(new Set(['one', 'two', 'three']));
  });

  test('removing an endpoint moves only its keys; adding it back restores every key; no reload', async () => {
    const before = await owners(host, KEYS, header);
    await churnTo({ lb: backends.slice(0, 2) });
    const after = await owners(host, KEYS, header);
    for (const key of KEYS) {
      if (before.get(key) === 'three') expect(['one', 'two']).toContain(after.get(key));
      else expect(after.get(key)).toBe(before.get(key));
    }
    await churnTo({ lb: backends });
    expect(await owners(host, KEYS, header)).toEqual(before);
  });
});

test('balanced cookie affinity: a first request gets a cookie, and the cookie keeps it on its endpoint', async () => {
  const first = await nginx.get('balanced.com', '/');
  const cookie = (first.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  expect(cookie).toMatch(/^AFF=\S+$/);
  for (let i = 0; i < 5; i++) expect((await nginx.get('balanced.com', '/', { headers: { cookie } })).echo?.backend).toBe(first.echo?.backend);
});

describe('least-conn (load-balance ewma)', () => {
  test('an endpoint busy with a request is avoided until it ends, and endpoints added without a reload are used', async () => {
    await churnTo({ lb: backends.slice(0, 2) });
    const slow = nginx.get('ewma.com', '/slow');
    expect(await eventually(async () => releaseSlow.length === 1)).toBe(true);
    const idle = (await nginx.get('ewma.com', '/')).echo?.backend;
    for (let i = 0; i < 6; i++) expect((await nginx.get('ewma.com', '/')).echo?.backend).toBe(idle);
    releaseSlow.shift()!();
    const busy = (await slow).echo?.backend;
    expect(busy).not.toBe(idle);
    // Released in the log phase: both endpoints take requests again.
    const seen = new Set<string | undefined>();
    for (let i = 0; i < 6; i++) seen.add((await nginx.get('ewma.com', '/')).echo?.backend);
    expect(seen).toEqual(new Set(['one', 'two']));
    await churnTo({ lb: backends });
    const all = new Set<string | undefined>();
    for (let i = 0; i < 9; i++) all.add((await nginx.get('ewma.com', '/')).echo?.backend);
    expect(all).toEqual(new Set(['one', 'two', 'three']));
  });
});

describe('persistent cookie affinity', () => {
  test('the cookie is the id the controller computes for the endpoint, and a session moves when its endpoint goes, without a reload', async () => {
    const first = await nginx.get('persistent.com', '/');
    const pinned = backends.find((b) => b.name === first.echo?.backend)!;
    const name = nginx.lastBuild!.model.upstreams.find((u) => u.balance?.kind === 'cookie' && u.balance.persistent)!.name;
    const cookie = `PIN=${endpointId(name, `${pinned.ip}:${pinned.port}`)}`;
    expect(first.headers['set-cookie']?.[0]?.split(';')[0]).toBe(cookie);
    await churnTo({ lb: backends.filter((b) => b !== pinned) });
    const moved = await nginx.get('persistent.com', '/', { headers: { cookie } });
    expect(moved.echo?.backend).not.toBe(pinned.name);
    expect(moved.headers['set-cookie']?.[0]).toMatch(/^PIN=[0-9a-f]{16};/);
    await churnTo({ lb: backends });
    expect((await nginx.get('persistent.com', '/', { headers: { cookie } })).echo?.backend).toBe(pinned.name);
  });

  test.for([
    ['an address', 'PIN=127.0.0.1:22'],
    ['a huge value', `PIN=${'a'.repeat(3000)}`],
    ['a map separator', 'PIN=x|x'],
    ['Lua-looking text', 'PIN=os.exit(1)'],
    ['an id of another upstream', `PIN=${'0'.repeat(16)}`],
  ] as const)('a cookie holding %s is balanced like a first request', async ([, cookie]) => {
    const res = await nginx.get('persistent.com', '/', { headers: { cookie } });
    expect(['one', 'two', 'three']).toContain(res.echo?.backend);
    expect(res.headers['set-cookie']?.[0]).toMatch(/^PIN=[0-9a-f]{16};/);
  });
});

describe('HTTPS backends', () => {
  async function tlsBackendsSeen(n: number): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const res = await nginx.get('tls.com', '/');
      seen.add(res.status === 200 ? res.text : String(res.status));
    }
    return seen;
  }

  test('follow their endpoints without a reload, answer 503 with none, and answer again', async () => {
    expect(await tlsBackendsSeen(3)).toEqual(new Set(['tls-one']));
    await churnTo({ tls: tlsPorts });
    expect(await tlsBackendsSeen(6)).toEqual(new Set(['tls-one', 'tls-two']));
    await churnTo({ tls: [] });
    expect(await tlsBackendsSeen(3)).toEqual(new Set(['503']));
    await churnTo({ tls: tlsPorts.slice(1) });
    expect(await tlsBackendsSeen(3)).toEqual(new Set(['tls-two']));
  });
});

describe('gRPC backends', () => {
  async function grpcCall(): Promise<{ status: number; backend?: string }> {
    const session = http2.connect(`https://127.0.0.1:${nginx.httpsPort}`, { servername: 'grpc.com', rejectUnauthorized: false });
    try {
      return await new Promise((resolve, reject) => {
        const stream = session.request({ ':method': 'POST', ':path': '/pkg.Service/Method', ':authority': 'grpc.com', 'content-type': 'application/grpc', te: 'trailers' });
        stream.on('response', (h) => resolve({ status: Number(h[':status']), ...(typeof h['x-backend'] === 'string' ? { backend: h['x-backend'] } : {}) }));
        stream.on('error', reject);
        stream.end();
      });
    } finally {
      session.close();
    }
  }

  test('follow their endpoints without a reload', async () => {
    expect(await grpcCall()).toEqual({ status: 200, backend: 'grpc-one' });
    await churnTo({ grpc: grpcPorts.slice(1) });
    expect(await grpcCall()).toEqual({ status: 200, backend: 'grpc-two' });
  });

  test('with no endpoint answer HTTP 503 (gRPC UNAVAILABLE), as on the reload path and in ingress-nginx', async () => {
    await churnTo({ grpc: [] });
    expect(await grpcCall()).toEqual({ status: 503 });
    await churnTo({ grpc: grpcPorts.slice(0, 1) });
    expect(await grpcCall()).toEqual({ status: 200, backend: 'grpc-one' });
  });
});

test.for([
  ['upstream-hash-by', 'hash.com'],
  ['least-conn', 'ewma.com'],
  ['persistent affinity', 'persistent.com'],
] as const)('%s: upstream keepalive still reuses connections to an endpoint', async ([, host]) => {
  const first = await nginx.get(host, '/', { headers: { 'x-user': 'same' } });
  const cookie = (first.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  const headers = { 'x-user': 'same', ...(cookie ? { cookie } : {}) };
  const next = [];
  // Least-conn takes idle endpoints in turn: some of the next requests come back to the first one.
  for (let i = 0; i < 6; i++) next.push(await nginx.get(host, '/', { headers }));
  const same = next.filter((r) => r.echo?.backend === first.echo?.backend);
  expect(same.length).toBeGreaterThan(0);
  for (const r of same) expect(r.echo?.connection).toBe(first.echo?.connection);
});

test('a huge hash key is hashed like any other', async () => {
  const res = await nginx.get('hash.com', '/', { headers: { 'x-user': 'k'.repeat(6000) } });
  expect(['one', 'two', 'three']).toContain(res.echo?.backend);
});

describe('hostile endpoint files', () => {
  test('duplicates and junk among a hash upstream\'s endpoints are skipped; a huge list is capped and still served', async () => {
    const name = nginx.lastBuild!.model.upstreams.find((u) => u.balance?.kind === 'hash')!.name;
    const two = backends[1]!;
    const junk = ['example.com:80', `${two.ip}:${two.port}`, `${two.ip}:${two.port}`, '127.0.0.1:0', '[::1%lo]:80', 'x'.repeat(100), '1.2.3.4:5:6'];
    const original = await readFile(nginx.channel!.file, 'utf8');
    const hand = async (line: string): Promise<void> => {
      const header = `gatehouse-endpoints v1 ${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}`;
      await writeFile(`${nginx.channel!.file}.hand`, `${header}\n${line}\n`);
      await rename(`${nginx.channel!.file}.hand`, nginx.channel!.file);
      await nginx.endpointsLoaded();
    };
    try {
      await hand(`${upstreamKey(name)} ${junk.join(' ')}`);
      expect(new Set((await owners('hash.com', KEYS.slice(0, 10), (k) => ({ 'x-user': k }))).values())).toEqual(new Set(['two']));
      // 5,000 endpoints, the last one real: past the cap of 4,096, so never chosen; nothing else answers.
      const many = Array.from({ length: 5000 }, (_, i) => (i === 0 ? `${two.ip}:${two.port}` : `127.1.${i >> 8}.${i & 255}:1`));
      await hand(`${upstreamKey(name)} ${many.join(' ')} ${backends[0]!.ip}:${backends[0]!.port}`);
      const started = Date.now();
      const res = await nginx.get('hash.com', '/', { headers: { 'x-user': 'key-1' } });
      expect(res.echo?.backend === 'two' || res.status === 502).toBe(true);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await writeFile(`${nginx.channel!.file}.hand`, original);
      await rename(`${nginx.channel!.file}.hand`, nginx.channel!.file);
      await nginx.endpointsLoaded();
    }
  });
});
