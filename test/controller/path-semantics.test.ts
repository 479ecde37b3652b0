// Ingress path semantics against a real nginx (issue 10): Exact `/foo/` answers `/foo/` only —
// nginx's automatic 301 for a location ending in "/" must not answer `/foo` — and a trailing
// slash in a Prefix path is the same route. Cases follow the Kubernetes "Path types" examples
// (https://kubernetes.io/docs/concepts/services-networking/ingress/#examples) and
// kubernetes-sigs/ingress-controller-conformance, which expects 404 for `/foo` on Exact `/foo/`.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { NginxHarness, startBackend, type Backend } from './harness.js';

const NAMES = ['a', 'b', 'c'] as const;
type Name = (typeof NAMES)[number];

let nginx: NginxHarness;
const backends = {} as Record<Name, Backend>;

function cluster() {
  return shopCluster(
    ...NAMES.map((n) => service('shop', n)),
    ...NAMES.map((n) => endpointSlice('shop', n, [backends[n].ip], backends[n].port)),
    ingress({ name: 'exact', host: 'exact.com', paths: [{ path: '/foo/', pathType: 'Exact', service: 'a' }] }),
    ingress({
      name: 'exact-root',
      host: 'exact-root.com',
      paths: [
        { path: '/', pathType: 'Prefix', service: 'b' },
        { path: '/foo/', pathType: 'Exact', service: 'a' },
      ],
    }),
    ingress({
      name: 'exact-regex',
      host: 'exact-regex.com',
      annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true' },
      paths: [
        { path: '/f.*', pathType: 'ImplementationSpecific', service: 'c' },
        { path: '/foo/', pathType: 'Exact', service: 'a' },
      ],
    }),
    ingress({ name: 'prefix', host: 'prefix.com', paths: [{ path: '/foo/', pathType: 'Prefix', service: 'b' }] }),
    ingress({ name: 'older', host: 'same-route.com', creationTimestamp: '2020-01-01T00:00:00Z', paths: [{ path: '/foo', pathType: 'Prefix', service: 'a' }] }),
    ingress({ name: 'newer', host: 'same-route.com', creationTimestamp: '2024-01-01T00:00:00Z', paths: [{ path: '/foo/', pathType: 'Prefix', service: 'b' }] }),
  );
}

beforeAll(async () => {
  for (const [i, name] of NAMES.entries()) backends[name] = await startBackend(name, `127.0.0.${i + 2}`);
  nginx = await NginxHarness.create();
  expect((await nginx.apply(cluster())).status).toBe('applied');
});

afterAll(async () => {
  await nginx?.close();
  await Promise.all(Object.values(backends).map((b) => b.close()));
});

/** The backend that answered, else the status and any redirect target. */
async function who(host: string, path: string): Promise<string> {
  const res = await nginx.get(host, path);
  if (res.echo) return res.echo.backend;
  return res.headers.location === undefined ? String(res.status) : `${res.status} → ${String(res.headers.location)}`;
}

describe('Exact "/foo/" answers "/foo/" only', () => {
  test.for([
    ['exact.com', '/foo/', 'a'],
    ['exact.com', '/foo', '404'], // what an unmatched request gets, not nginx's 301 to /foo/
    ['exact.com', '/foo?x=1', '404'],
    ['exact.com', '/foo/x', '404'],
    ['exact.com', '/foo//', 'a'], // nginx merges slashes before matching locations
    ['exact-root.com', '/foo/', 'a'],
    ['exact-root.com', '/foo', 'b'], // the Prefix "/" it would get without the Exact path
    ['exact-root.com', '/foo/x', 'b'],
    ['exact-regex.com', '/foo/', 'a'], // Exact beats a regex that also matches
    ['exact-regex.com', '/foo', 'c'], // the regex it would get without the Exact path
    ['exact-regex.com', '/foo/x', 'c'],
  ] as const)('%s%s → %s', async ([host, path, expected]) => {
    expect(await who(host, path)).toBe(expected);
  });
});

describe('Prefix "/foo/" is Prefix "/foo"', () => {
  test.for([
    ['/foo', 'b'],
    ['/foo/', 'b'],
    ['/foo/bar', 'b'],
    ['/foobar', '404'], // element-wise
  ] as const)('prefix.com%s → %s', async ([path, expected]) => {
    expect(await who('prefix.com', path)).toBe(expected);
  });

  test('Prefix "/foo" and "/foo/" of two Ingresses are one route: the oldest serves it, the other is reported', async () => {
    expect([await who('same-route.com', '/foo'), await who('same-route.com', '/foo/'), await who('same-route.com', '/foo/x')]).toEqual(['a', 'a', 'a']);
    expect(nginx.lastBuild?.conflicts).toContainEqual({ winner: 'shop/older', loser: 'shop/newer', claim: 'host same-route.com, prefix path /foo' });
  });
});
