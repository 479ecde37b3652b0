// StatusWriter with the real @kubernetes/client-node NetworkingV1Api on the real kube-apiserver's
// Ingress /status subresource (test/support/kube-cluster.ts). The writer runs as ServiceAccount
// gatehouse/status-writer, which may only patch ingresses/status, so the API server's audit log
// shows exactly what it wrote; the tests' own writes are admin's. Each test uses a fresh namespace.
// Failures the real API server cannot be made to show on demand come last, each block saying why.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { freePort } from '../../bench/lib.js';
import { StatusWriter } from '../../src/controller/status-writer.js';
import type { Ingress, LoadBalancerIngress } from '../../src/k8s/types.js';
import { ingress, namespace } from '../fixtures/builders.js';
import { FakeKubeApi } from '../support/fake-kube-api.js';
import { KubeCluster, kubeAssets } from '../support/kube-cluster.js';
import { apiOk, ApiRecorder, auditedRequests, createNamespace, plainHttpKubeConfig, serviceAccountWith, type Identity } from './real-api.js';

const assets = kubeAssets();

/** A pino logger whose lines land in `lines`, parsed. */
function capturingLogger(lines: Record<string, unknown>[]): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return pino({ level: 'debug' }, sink);
}

describe.skipIf(!assets)('StatusWriter.sync on a real API server', () => {
  let cluster: KubeCluster;
  let statusWriter: Identity;
  let logLines: Record<string, unknown>[];
  let writer: StatusWriter;
  let ns = '';
  let seq = 0;

  beforeAll(async () => {
    cluster = await KubeCluster.start(assets!);
    await createNamespace(cluster, 'gatehouse');
    // What the controller needs to publish addresses, and nothing more.
    statusWriter = await serviceAccountWith(cluster, 'gatehouse', 'status-writer', [{ apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['patch'] }], { clusterWide: true });
  }, 120_000);
  afterAll(async () => cluster?.stop(), 60_000);
  beforeEach(async () => {
    ns = `status-${++seq}`;
    await createNamespace(cluster, ns);
    logLines = [];
    writer = new StatusWriter({ kubeConfig: statusWriter.kubeConfig, logger: capturingLogger(logLines) });
  });

  const ingressPath = (name: string) => `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses/${name}`;
  const ingressOf = (name: string) => apiOk<Ingress>(cluster, 'GET', ingressPath(name));
  const statusOf = async (name: string) => (await ingressOf(name)).status?.loadBalancer?.ingress;

  /**
   * Creates an Ingress (and, when given, writes its status as admin: a create drops status) and
   * returns the stored copy, as an informer would hold it.
   */
  async function stored(name: string, lb?: LoadBalancerIngress[]): Promise<Ingress> {
    const created = await apiOk<Ingress>(cluster, 'POST', `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`, ingress({ namespace: ns, name }));
    if (!lb) return created;
    return apiOk<Ingress>(cluster, 'PUT', `${ingressPath(name)}/status`, { ...created, status: { loadBalancer: { ingress: lb } } });
  }

  /** The writer's requests in this test's namespace, per the API server's audit log. */
  const statusWrites = () => auditedRequests(cluster, statusWriter.username, { resource: 'ingresses', namespace: ns, subresource: 'status' });

  test('writes the addresses to every owned Ingress through /status', async () => {
    const owned = [await stored('a'), await stored('b')];
    const result = await writer.sync(owned, [{ ip: '10.0.0.1' }]);
    expect(result).toEqual({ updated: 2, failed: 0, gone: 0 });
    expect(await statusOf('a')).toEqual([{ ip: '10.0.0.1' }]);
    expect(await statusOf('b')).toEqual([{ ip: '10.0.0.1' }]);
    const writes = await statusWrites();
    expect(writes.map((e) => [e.verb, e.objectRef?.name, e.responseStatus?.code]).sort()).toEqual([
      ['patch', 'a', 200],
      ['patch', 'b', 200],
    ]);
  });

  test('sends a merge patch holding only status.loadBalancer.ingress, normalized', async () => {
    // The audit log keeps no bodies: a pass-through records what reached the API server.
    const recorder = await ApiRecorder.start(cluster, statusWriter);
    try {
      const recorded = new StatusWriter({ kubeConfig: recorder.kubeConfig(), logger: pino({ level: 'silent' }) });
      const result = await recorded.sync([await stored('a')], [{ hostname: 'lb.example.com' }, { ip: '10.0.0.2' }, { ip: '10.0.0.1' }]);
      expect(result).toEqual({ updated: 1, failed: 0, gone: 0 });
    } finally {
      await recorder.close();
    }
    const normalized = [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { hostname: 'lb.example.com' }];
    expect(recorder.requests).toHaveLength(1);
    expect(recorder.requests[0]).toMatchObject({ method: 'PATCH', url: `${ingressPath('a')}/status`, contentType: 'application/merge-patch+json', status: 200 });
    expect(recorder.requests[0]?.body).toEqual({ status: { loadBalancer: { ingress: normalized } } });
    expect(await statusOf('a')).toEqual(normalized);
  });

  test('leaves the spec and metadata of the Ingress alone', async () => {
    const before = await stored('a');
    await writer.sync([before], [{ ip: '10.0.0.1' }]);
    const after = await ingressOf('a');
    expect(after.status?.loadBalancer?.ingress).toEqual([{ ip: '10.0.0.1' }]);
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata.labels).toEqual(before.metadata.labels);
    expect(after.metadata.annotations).toEqual(before.metadata.annotations);
    // A status write is no spec change: the API server keeps the generation.
    expect(after.metadata.generation).toBe(before.metadata.generation);
  });

  test('sends nothing for an Ingress whose status already matches', async () => {
    const same = await stored('a', [{ ip: '10.0.0.1' }]);
    const stale = await stored('b', [{ ip: '10.0.0.9' }]);
    const result = await writer.sync([same, stale], [{ ip: '10.0.0.1' }]);
    expect(result).toEqual({ updated: 1, failed: 0, gone: 0 });
    expect((await statusWrites()).map((e) => [e.verb, e.objectRef?.name])).toEqual([['patch', 'b']]);
    expect(await statusOf('b')).toEqual([{ ip: '10.0.0.1' }]);
  });

  test('a second sync with the result of the first sends nothing', async () => {
    await stored('a');
    await writer.sync([await ingressOf('a')], [{ ip: '10.0.0.1' }]);
    const writes = (await statusWrites()).length;
    expect(writes).toBe(1);
    const result = await writer.sync([await ingressOf('a')], [{ ip: '10.0.0.1' }]);
    expect(result).toEqual({ updated: 0, failed: 0, gone: 0 });
    expect(await statusWrites()).toHaveLength(writes);
  });

  test('an empty desired list clears published addresses, and clearing again sends nothing', async () => {
    const owned = await stored('a', [{ ip: '10.0.0.1' }]);
    expect(await writer.sync([owned], [])).toEqual({ updated: 1, failed: 0, gone: 0 });
    // The API server drops an empty list (omitempty): no addresses left at all.
    const cleared = await ingressOf('a');
    expect(cleared.status).toEqual({ loadBalancer: {} });
    expect(await writer.sync([cleared], [])).toEqual({ updated: 0, failed: 0, gone: 0 });
    expect(await statusWrites()).toHaveLength(1);
  });

  test('a write the API server refuses is counted and logged with the Ingress and its reason, not thrown', async () => {
    // A writer allowed to patch the status of Ingress b only: the API forbids the write to a.
    const onlyB = await serviceAccountWith(cluster, ns, 'only-b', [{ apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['patch'], resourceNames: ['b'] }]);
    const limited = new StatusWriter({ kubeConfig: onlyB.kubeConfig, logger: capturingLogger(logLines) });
    const result = await limited.sync([await stored('a'), await stored('b')], [{ ip: '10.0.0.1' }]);
    expect(result).toEqual({ updated: 1, failed: 1, gone: 0 });
    expect(await statusOf('a')).toBeUndefined();
    expect(await statusOf('b')).toEqual([{ ip: '10.0.0.1' }]);
    const warning = logLines.find((l) => l.msg === 'cannot write Ingress status');
    expect(warning).toMatchObject({ ingress: `${ns}/a`, reason: expect.stringMatching(new RegExp(`^HTTP 403: ingresses.networking.k8s.io "a" is forbidden: User "${onlyB.username}" cannot patch`)) });
  });

  test('an Ingress deleted before its write counts as gone, not failed', async () => {
    const owned = await stored('a');
    await apiOk(cluster, 'DELETE', ingressPath('a'));
    expect(await writer.sync([owned], [{ ip: '10.0.0.1' }])).toEqual({ updated: 0, failed: 0, gone: 1 });
    expect(logLines.some((l) => l.msg === 'cannot write Ingress status')).toBe(false);
    expect((await statusWrites()).map((e) => [e.verb, e.objectRef?.name, e.responseStatus?.code])).toEqual([['patch', 'a', 404]]);
  });

  test('writes every one of many Ingresses', async () => {
    const owned = await Promise.all(Array.from({ length: 25 }, (_, i) => stored(`ing-${i}`)));
    const result = await writer.sync(owned, [{ ip: '10.0.0.1' }]);
    expect(result).toEqual({ updated: 25, failed: 0, gone: 0 });
    const statuses = await Promise.all(owned.map((i) => statusOf(i.metadata.name!)));
    expect(statuses.every((s) => s?.length === 1 && s[0]?.ip === '10.0.0.1')).toBe(true);
    expect(await statusWrites()).toHaveLength(25);
  });
});

// A 500 for one chosen request: the real API server cannot be made to answer that on demand, so
// this test injects it through the fake API server (test/support/fake-kube-api.ts).
describe('StatusWriter.sync when the API server fails a write (fake API server: injected 500)', () => {
  let api: FakeKubeApi;

  beforeEach(async () => {
    api = await FakeKubeApi.start();
    api.upsert(namespace('shop'));
  });
  afterEach(async () => {
    await api.close();
  });

  test('a failed write is counted and logged with the Ingress and the reason, not thrown', async () => {
    const logLines: Record<string, unknown>[] = [];
    const writer = new StatusWriter({ kubeConfig: api.kubeconfig(), logger: capturingLogger(logLines) });
    const owned = [api.upsert<Ingress>(ingress({ name: 'a' })), api.upsert<Ingress>(ingress({ name: 'b' }))];
    api.failNext({ method: 'PATCH', path: '/apis/networking.k8s.io/v1/namespaces/shop/ingresses/a/status' }, 500);
    const result = await writer.sync(owned, [{ ip: '10.0.0.1' }]);
    expect(result).toEqual({ updated: 1, failed: 1, gone: 0 });
    expect(api.get<Ingress>('Ingress', 'shop', 'b')?.status?.loadBalancer?.ingress).toEqual([{ ip: '10.0.0.1' }]);
    const warning = logLines.find((l) => l.msg === 'cannot write Ingress status');
    expect(warning).toMatchObject({ ingress: 'shop/a', reason: 'HTTP 500: injected failure 500' });
  });
});

// No API server at all, and one that accepts requests but never answers: neither is something the
// real API server does on demand, and no API objects are needed (the writer only sends patches).
describe('StatusWriter.sync when the API server is unreachable or hangs (no API server)', () => {
  const owned = (n: number) => Array.from({ length: n }, (_, i) => ingress({ name: `ing-${i}` }));

  test('an unreachable API server fails every write without throwing', async () => {
    const nobody = plainHttpKubeConfig(`http://127.0.0.1:${await freePort()}`);
    const writer = new StatusWriter({ kubeConfig: nobody, logger: pino({ level: 'silent' }) });
    expect(await writer.sync(owned(2), [{ ip: '10.0.0.1' }])).toEqual({ updated: 0, failed: 2, gone: 0 });
  });

  test('a write that does not answer in time is abandoned and counted as failed', async () => {
    const hung = await hangingServer();
    try {
      const slow = new StatusWriter({ kubeConfig: hung.kubeConfig, logger: pino({ level: 'silent' }), requestTimeoutMs: 100 });
      const started = performance.now();
      expect(await slow.sync(owned(1), [{ ip: '10.0.0.1' }])).toEqual({ updated: 0, failed: 1, gone: 0 });
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      await hung.close();
    }
  });

  test('no more writes are in flight at once than the concurrency allows', async () => {
    const hung = await hangingServer();
    try {
      const slow = new StatusWriter({ kubeConfig: hung.kubeConfig, logger: pino({ level: 'silent' }), requestTimeoutMs: 100, concurrency: 3 });
      expect(await slow.sync(owned(10), [{ ip: '10.0.0.1' }])).toEqual({ updated: 0, failed: 10, gone: 0 });
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
  return {
    kubeConfig: plainHttpKubeConfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    received: () => received,
    maxInFlight: () => max,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
