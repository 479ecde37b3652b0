// StatusWriter against the real @kubernetes/client-node NetworkingV1Api and the fake API server's
// Ingress /status subresource.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { StatusWriter } from '../../src/controller/status-writer.js';
import type { Ingress, LoadBalancerIngress } from '../../src/k8s/types.js';
import { ingress, namespace } from '../fixtures/builders.js';
import { FakeKubeApi } from '../support/fake-kube-api.js';

let api: FakeKubeApi;
let logLines: Record<string, unknown>[];
let writer: StatusWriter;

beforeEach(async () => {
  api = await FakeKubeApi.start();
  logLines = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  writer = new StatusWriter({ kubeConfig: api.kubeconfig(), logger: pino({ level: 'debug' }, sink) });
  api.upsert(namespace('shop'));
});
afterEach(async () => {
  await api.close();
});

/** Stores an Ingress in the API (optionally with a status) and returns the stored copy, as an informer would hold it. */
function stored(name: string, lb?: LoadBalancerIngress[]): Ingress {
  const base = ingress({ name });
  return api.upsert<Ingress>(lb ? { ...base, status: { loadBalancer: { ingress: lb } } } : base);
}

const statusOf = (name: string) => api.get<Ingress>('Ingress', 'shop', name)?.status?.loadBalancer?.ingress;
const statusWrites = () => api.requestsMatching({ method: 'PATCH', path: /^\/apis\/networking\.k8s\.io\/v1\/namespaces\/shop\/ingresses\/[^/]+\/status$/ });

describe('StatusWriter.sync', () => {
  test('writes the addresses to every owned Ingress through /status', async () => {
    const owned = [stored('a'), stored('b')];
    const result = await writer.sync(owned, [{ ip: '10.0.0.1' }]);
    expect(result).toEqual({ updated: 2, failed: 0, gone: 0 });
    expect(statusOf('a')).toEqual([{ ip: '10.0.0.1' }]);
    expect(statusOf('b')).toEqual([{ ip: '10.0.0.1' }]);
  });

  test('sends a merge patch holding only status.loadBalancer.ingress, normalized', async () => {
    await writer.sync([stored('a')], [{ hostname: 'lb.example.com' }, { ip: '10.0.0.2' }, { ip: '10.0.0.1' }]);
    const [write] = statusWrites();
    expect(write?.contentType).toBe('application/merge-patch+json');
    expect(write?.body).toEqual({ status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { hostname: 'lb.example.com' }] } } });
  });

  test('leaves the spec and metadata of the Ingress alone', async () => {
    const before = stored('a');
    await writer.sync([before], [{ ip: '10.0.0.1' }]);
    const after = api.get<Ingress>('Ingress', 'shop', 'a')!;
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata.labels).toEqual(before.metadata.labels);
  });

  test('sends nothing for an Ingress whose status already matches', async () => {
    const same = stored('a', [{ ip: '10.0.0.1' }]);
    const stale = stored('b', [{ ip: '10.0.0.9' }]);
    const result = await writer.sync([same, stale], [{ ip: '10.0.0.1' }]);
    expect(result).toEqual({ updated: 1, failed: 0, gone: 0 });
    expect(statusWrites().map((r) => r.path)).toEqual(['/apis/networking.k8s.io/v1/namespaces/shop/ingresses/b/status']);
  });

  test('a second sync with the result of the first sends nothing', async () => {
    stored('a');
    await writer.sync([api.get<Ingress>('Ingress', 'shop', 'a')!], [{ ip: '10.0.0.1' }]);
    const writes = statusWrites().length;
    const result = await writer.sync([api.get<Ingress>('Ingress', 'shop', 'a')!], [{ ip: '10.0.0.1' }]);
    expect(result).toEqual({ updated: 0, failed: 0, gone: 0 });
    expect(statusWrites()).toHaveLength(writes);
  });

  test('an empty desired list clears published addresses', async () => {
    const owned = stored('a', [{ ip: '10.0.0.1' }]);
    await writer.sync([owned], []);
    expect(statusOf('a')).toEqual([]);
  });

  test('a failed write is counted and logged with the Ingress and the reason, not thrown', async () => {
    const owned = [stored('a'), stored('b')];
    api.failNext({ method: 'PATCH', path: '/apis/networking.k8s.io/v1/namespaces/shop/ingresses/a/status' }, 500);
    const result = await writer.sync(owned, [{ ip: '10.0.0.1' }]);
    expect(result).toEqual({ updated: 1, failed: 1, gone: 0 });
    expect(statusOf('b')).toEqual([{ ip: '10.0.0.1' }]);
    const warning = logLines.find((l) => l.msg === 'cannot write Ingress status');
    expect(warning).toMatchObject({ ingress: 'shop/a', reason: 'HTTP 500: injected failure 500' });
  });

  test('an Ingress deleted before its write counts as gone, not failed', async () => {
    const owned = stored('a');
    api.delete(owned);
    expect(await writer.sync([owned], [{ ip: '10.0.0.1' }])).toEqual({ updated: 0, failed: 0, gone: 1 });
    expect(logLines.some((l) => l.msg === 'cannot write Ingress status')).toBe(false);
  });

  test('an unreachable API server fails every write without throwing', async () => {
    const owned = [stored('a'), stored('b')];
    await api.close();
    expect(await writer.sync(owned, [{ ip: '10.0.0.1' }])).toEqual({ updated: 0, failed: 2, gone: 0 });
    // afterEach closes again: harmless on a closed server.
    api = await FakeKubeApi.start();
  });

  test('writes every one of many Ingresses', async () => {
    const owned = Array.from({ length: 25 }, (_, i) => stored(`ing-${i}`));
    const result = await writer.sync(owned, [{ ip: '10.0.0.1' }]);
    expect(result.updated).toBe(25);
    expect(owned.every((i) => statusOf(i.metadata.name!)?.[0]?.ip === '10.0.0.1')).toBe(true);
  });

  test('a write that does not answer in time is abandoned and counted as failed', async () => {
    const hung = await hangingServer();
    try {
      const slow = new StatusWriter({ kubeConfig: hung.kubeConfig, logger: pino({ level: 'silent' }), requestTimeoutMs: 100 });
      const started = performance.now();
      expect(await slow.sync([stored('a')], [{ ip: '10.0.0.1' }])).toEqual({ updated: 0, failed: 1, gone: 0 });
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      await hung.close();
    }
  });

  test('no more writes are in flight at once than the concurrency allows', async () => {
    const hung = await hangingServer();
    try {
      const slow = new StatusWriter({ kubeConfig: hung.kubeConfig, logger: pino({ level: 'silent' }), requestTimeoutMs: 100, concurrency: 3 });
      const owned = Array.from({ length: 10 }, (_, i) => stored(`ing-${i}`));
      expect(await slow.sync(owned, [{ ip: '10.0.0.1' }])).toEqual({ updated: 0, failed: 10, gone: 0 });
      expect(hung.received()).toBe(10);
      expect(hung.maxInFlight()).toBe(3);
    } finally {
      await hung.close();
    }
  });
});

/** An API server that accepts requests and never answers, counting them. */
async function hangingServer() {
  let inFlight = 0;
  let max = 0;
  let received = 0;
  const server = createServer((req) => {
    received++;
    max = Math.max(max, ++inFlight);
    req.socket.on('close', () => inFlight--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(api.kubeconfigYaml().replace(api.url, `http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  return {
    kubeConfig,
    received: () => received,
    maxInFlight: () => max,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
