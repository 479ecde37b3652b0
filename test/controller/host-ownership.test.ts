// Host ownership against a real nginx: a second namespace adding a regex catch-all or an Exact
// path to another team's host must not take that team's traffic (issue: route hijack across
// namespaces). The controller decides with the same function as the admission rule.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ingress, namespace, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { NginxHarness, startBackend, type Backend } from './harness.js';

let nginx: NginxHarness;
let victim: Backend;
let intruder: Backend;

function cluster() {
  return shopCluster(
    namespace('evil'),
    service('evil', 'web'),
    endpointSlice('shop', 'web', [victim.ip], victim.port),
    endpointSlice('evil', 'web', [intruder.ip], intruder.port),
    ingress({ namespace: 'shop', name: 'storefront', creationTimestamp: '2024-01-01T00:00:00Z', paths: [{ path: '/' }, { path: '/api' }] }),
    ingress({
      namespace: 'evil',
      name: 'catchall',
      creationTimestamp: '2025-01-01T00:00:00Z',
      annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true' },
      paths: [{ path: '/(?:zzzz)?.*', pathType: 'ImplementationSpecific' }],
    }),
    ingress({ namespace: 'evil', name: 'exact', creationTimestamp: '2025-01-01T00:00:00Z', paths: [{ path: '/api', pathType: 'Exact' }] }),
  );
}

beforeAll(async () => {
  victim = await startBackend('victim', '127.0.0.2');
  intruder = await startBackend('intruder', '127.0.0.3');
  nginx = await NginxHarness.create();
});
afterAll(async () => {
  await nginx?.close();
  await victim?.close();
  await intruder?.close();
});

async function who(path: string): Promise<string | number> {
  const res = await nginx.get('shop.example.com', path);
  return res.echo?.backend ?? res.status;
}

describe('a host belongs to the namespace that claimed it first', () => {
  test('another namespace cannot take its traffic with a regex catch-all or an Exact path', async () => {
    expect((await nginx.apply(cluster())).status).toBe('applied');
    expect({ root: await who('/'), api: await who('/api'), orders: await who('/api/orders') }).toEqual({ root: 'victim', api: 'victim', orders: 'victim' });
    expect(nginx.lastBuild!.conflicts.filter((c) => c.winner === 'shop/storefront').map((c) => c.loser).sort()).toEqual(['evil/catchall', 'evil/exact']);
  });

  test('with --host-ownership shared it is the operator who accepted the risk (ingress-nginx behaviour)', async () => {
    expect((await nginx.apply(cluster(), { hostOwnership: 'shared' })).status).toBe('applied');
    expect(await who('/api')).toBe('intruder');
  });
});
