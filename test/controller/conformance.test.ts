// Ingress semantics against a real nginx: which backend answers, and with what status.
// Cases follow the Kubernetes Ingress spec and kubernetes-sigs/ingress-controller-conformance
// (host rules, path types and precedence, default backend, load balancing).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { NginxHarness, startBackend, type Backend } from './harness.js';

const NAMES = ['a', 'b', 'c', 'd', 'lb1', 'lb2', 'def'] as const;
type Name = (typeof NAMES)[number];

let nginx: NginxHarness;
const backends = {} as Record<Name, Backend>;

function services() {
  const slices = (['a', 'b', 'c', 'd', 'def'] as const).map((n) => endpointSlice('shop', n, [backends[n].ip], backends[n].port));
  return [
    ...(['a', 'b', 'c', 'd', 'lb', 'empty', 'def'] as const).map((n) => service('shop', n)),
    ...slices,
    // Two slices of one Service, each with its own port: the target is resolved per slice.
    endpointSlice('shop', 'lb', [backends.lb1.ip], backends.lb1.port),
    endpointSlice('shop', 'lb', [backends.lb2.ip], backends.lb2.port),
    endpointSlice('shop', 'empty', ['127.0.0.99'], 9, { notReady: ['127.0.0.99'] }),
    // An ExternalName aimed at loopback (here a live backend) must never be proxied to: it would
    // let a tenant reach the controller's own status and metrics ports (SSRF).
    service('shop', 'ext', [{ name: 'http', port: backends.d.port }], { type: 'ExternalName', externalName: backends.d.ip }),
    // service-upstream: the ClusterIP and Service port are the upstream (here a live backend).
    service('shop', 'viaip', [{ name: 'http', port: backends.c.port }], { clusterIP: backends.c.ip }),
  ];
}

function routes() {
  return [
    ingress({
      name: 'foo',
      host: 'foo.com',
      paths: [
        { path: '/', pathType: 'Prefix', service: 'a' },
        { path: '/foo', pathType: 'Prefix', service: 'b' },
        { path: '/foo', pathType: 'Exact', service: 'c' },
        { path: '/foo/bar', pathType: 'Prefix', service: 'd' },
      ],
    }),
    ingress({
      name: 'kinds',
      host: 'kinds.com',
      paths: [
        { path: '/foo/', pathType: 'Prefix', service: 'b' },
        { path: '/exact', pathType: 'Exact', service: 'c' },
        { path: '/impl', pathType: 'ImplementationSpecific', service: 'd' },
      ],
    }),
    ingress({ name: 'wild', host: '*.wild.com', paths: [{ path: '/', service: 'a' }] }),
    ingress({ name: 'exact-over-wild', host: 'exact.wild.com', paths: [{ path: '/', service: 'b' }] }),
    ingress({ name: 'empty', host: 'empty.com', paths: [{ path: '/', service: 'empty' }] }),
    ingress({ name: 'missing', host: 'missing.com', paths: [{ path: '/', service: 'nope' }] }),
    ingress({ name: 'lb', host: 'lb.com', paths: [{ path: '/', service: 'lb' }] }),
    ingress({ name: 'ext', host: 'ext.com', paths: [{ path: '/', service: 'ext', port: 'http' }] }),
    ingress({ name: 'viaip', host: 'viaip.com', annotations: { 'nginx.ingress.kubernetes.io/service-upstream': 'true' }, paths: [{ path: '/', service: 'viaip', port: 'http' }] }),
    ingress({ name: 'nohost', rules: [{ paths: [{ path: '/nohost', service: 'd' }] }] }),
    ingress({ name: 'merge-one', host: 'merge.com', paths: [{ path: '/one', service: 'a' }] }),
    ingress({ name: 'merge-two', host: 'merge.com', paths: [{ path: '/two', service: 'b' }] }),
    ingress({ name: 'z-older', host: 'conflict.com', creationTimestamp: '2020-01-01T00:00:00Z', paths: [{ path: '/', service: 'a' }] }),
    ingress({ name: 'a-newer', host: 'conflict.com', creationTimestamp: '2024-01-01T00:00:00Z', paths: [{ path: '/', service: 'b' }] }),
    ingress({ name: 'other-class', host: 'other.com', className: 'traefik', paths: [{ path: '/', service: 'a' }] }),
  ];
}

beforeAll(async () => {
  for (const [i, name] of NAMES.entries()) backends[name] = await startBackend(name, `127.0.0.${i + 2}`);
  nginx = await NginxHarness.create();
  const result = await nginx.apply(shopCluster(...services(), ...routes()));
  expect(result.status).toBe('applied');
});

afterAll(async () => {
  await nginx?.close();
  await Promise.all(Object.values(backends).map((b) => b.close()));
});

async function who(host: string, path: string): Promise<string | number> {
  const res = await nginx.get(host, path);
  return res.echo?.backend ?? res.status;
}

describe('paths', () => {
  test.for([
    ['/', 'a'],
    ['/foo', 'c'], // Exact beats Prefix at equal length
    ['/foo/', 'b'],
    ['/foo/x', 'b'],
    ['/foobar', 'a'], // Prefix is element-wise: /foo does not match /foobar
    ['/foo/bar', 'd'], // longest match wins
    ['/foo/bar/baz', 'd'],
    ['/foo/barbaz', 'b'],
    ['/foo?x=1', 'c'],
  ] as const)('foo.com%s is served by %s', async ([path, expected]) => {
    expect(await who('foo.com', path)).toBe(expected);
  });

  test.for([
    ['/foo', 'b'], // a trailing slash in a Prefix path is ignored
    ['/foo/', 'b'],
    ['/foo/bar', 'b'],
    ['/foobar', 404],
    ['/exact', 'c'],
    ['/exact/', 404],
    ['/exactly', 404],
    ['/impl', 'd'], // ImplementationSpecific behaves as Prefix
    ['/impl/x', 'd'],
    ['/implx', 404],
    ['/', 404],
  ] as const)('kinds.com%s answers %s', async ([path, expected]) => {
    expect(await who('kinds.com', path)).toBe(expected);
  });
});

describe('hosts', () => {
  test.for([
    ['x.wild.com', 'a'],
    ['exact.wild.com', 'b'], // an exact host beats the wildcard
    ['a.b.wild.com', 404], // a wildcard matches exactly one label
    ['wild.com', 404],
    ['unknown.com', 404],
    ['FOO.com', 'a'], // host matching is case-insensitive
    ['foo.com:8080', 'a'], // the port in Host does not matter
    ['other.com', 404], // another controller's class
  ] as const)('%s is served by %s', async ([host, expected]) => {
    expect(await who(host, '/')).toBe(expected);
  });

  test('a rule without a host serves requests for any unmatched host', async () => {
    expect(await who('anything.example', '/nohost')).toBe('d');
  });

  test('several Ingresses for one host merge into one server', async () => {
    expect([await who('merge.com', '/one'), await who('merge.com', '/two')]).toEqual(['a', 'b']);
  });

  test('a conflicting host+path goes to the oldest Ingress and is reported', async () => {
    expect(await who('conflict.com', '/')).toBe('a');
    expect(nginx.lastBuild?.conflicts).toContainEqual({ winner: 'shop/z-older', loser: 'shop/a-newer', claim: 'host conflict.com, prefix path /' });
  });
});

describe('backends', () => {
  test('a Service without ready endpoints answers 503', async () => {
    expect(await who('empty.com', '/')).toBe(503);
  });

  test('a missing Service answers 503', async () => {
    expect(await who('missing.com', '/')).toBe(503);
  });

  test('an ExternalName Service aimed at a loopback address is never proxied to (the Ingress is left out)', async () => {
    expect(await who('ext.com', '/')).toBe(404);
    expect(nginx.lastBuild!.skipped.find((s) => s.ingress === 'shop/ext')?.reason).toContain('loopback');
  });

  test('service-upstream proxies to the ClusterIP and Service port', async () => {
    expect(await who('viaip.com', '/')).toBe('c');
  });

  test('requests are balanced across the ready endpoints', async () => {
    const seen = new Set<string | number>();
    for (let i = 0; i < 20; i++) seen.add(await who('lb.com', '/'));
    expect([...seen].sort()).toEqual(['lb1', 'lb2']);
  });

  test('the backend gets Host and X-Forwarded-* of the client request', async () => {
    const res = await nginx.get('foo.com', '/x?q=1', { headers: { 'x-forwarded-for': '6.6.6.6' } });
    expect(res.echo?.url).toBe('/x?q=1');
    expect(res.echo?.headers).toMatchObject({
      host: 'foo.com',
      'x-forwarded-host': 'foo.com',
      'x-forwarded-proto': 'http',
      'x-forwarded-port': String(nginx.httpPort),
      'x-real-ip': '127.0.0.1',
      'x-forwarded-for': '127.0.0.1', // a client-sent value is not trusted
    });
  });

  test('nginx speaks HTTP/1.1 to backends and reuses connections', async () => {
    const before = backends.c.connections();
    const echoes = [];
    for (let i = 0; i < 10; i++) echoes.push((await nginx.get('foo.com', '/foo')).echo);
    expect(echoes.every((e) => e?.httpVersion === '1.1' && e.headers.connection === undefined)).toBe(true);
    // One worker: one idle upstream connection serves all ten (allow one spare for timing).
    expect(backends.c.connections() - before).toBeLessThanOrEqual(2);
  });
});

describe('default backend', () => {
  test('without a default backend, unmatched requests get 404', async () => {
    expect(await who('unknown.com', '/')).toBe(404);
  });

  test("an Ingress's spec.defaultBackend answers unmatched hosts and paths", async () => {
    const withDefault = ingress({ name: 'default', rules: [], defaultBackend: { service: 'def' } });
    expect((await nginx.apply(shopCluster(...services(), ...routes(), withDefault))).status).toBe('applied');
    expect(await who('unknown.com', '/')).toBe('def');
    expect(await who('kinds.com', '/nothing-here')).toBe('def');
    expect(await who('foo.com', '/')).toBe('a');
  });
});
