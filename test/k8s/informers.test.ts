// The live snapshot against the real @kubernetes/client-node ListWatch and a fake API server that
// speaks the list/watch protocol (chunked streams, bookmarks, 410 Expired, dropped connections).
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { BackoffOptions } from '../../src/k8s/backoff.js';
import { startLiveSnapshot, type LiveSnapshot } from '../../src/k8s/informers.js';
import type { SnapshotKind } from '../../src/k8s/types.js';
import { ingress, ingressClass, namespace, service, tlsSecret } from '../fixtures/builders.js';
import { FakeKubeApi } from '../support/fake-kube-api.js';

const WEBHOOK_KINDS: SnapshotKind[] = ['Namespace', 'Service', 'Secret', 'IngressClass', 'Ingress'];
const FAST: BackoffOptions = { initialMs: 20, maxMs: 200 };

let api: FakeKubeApi;
let live: LiveSnapshot | undefined;
let logLines: string[];

beforeEach(async () => {
  api = await FakeKubeApi.start();
  logLines = [];
});
afterEach(async () => {
  await live?.stop();
  live = undefined;
  await api.close();
});

function start(kinds: SnapshotKind[] = WEBHOOK_KINDS, backoff: BackoffOptions = FAST): LiveSnapshot {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  live = startLiveSnapshot(api.kubeconfig(), { kinds, logger: pino({ level: 'debug' }, sink), backoff });
  return live;
}

async function synced(l: LiveSnapshot): Promise<void> {
  await vi.waitFor(() => expect(l.synced()).toBe(true), { timeout: 2000 });
}

const listsOf = (path: string) => api.requestsMatching({ method: 'GET', path, watch: false });

describe('initial sync', () => {
  test('is synced with every listed object in the snapshot', async () => {
    api.upsert(namespace('shop'));
    api.upsert(service('shop', 'web'));
    api.upsert(tlsSecret('shop', 'tls', 'cert', 'key'));
    api.upsert(ingressClass('nginx'));
    api.upsert(ingress());
    const l = start();
    await l.whenSynced();
    expect(l.synced()).toBe(true);
    expect(l.snapshot.namespace('shop')?.status?.phase).toBe('Active');
    expect(l.snapshot.service('shop', 'web')?.spec?.ports).toEqual([{ name: 'http', port: 80 }]);
    expect(l.snapshot.secret('shop', 'tls')?.type).toBe('kubernetes.io/tls');
    expect(l.snapshot.ingressClass('nginx')?.spec?.controller).toBe('gatehouse.dev/ingress-controller');
    expect(l.snapshot.ingressesClaiming('shop.example.com', '/', 'Prefix').map((i) => i.metadata.name)).toEqual(['web']);
  });

  test('keeps listed objects as plain API JSON: apiVersion/kind set, timestamps as RFC 3339 strings', async () => {
    const stored = api.upsert(service('shop', 'web'));
    const l = start(['Service']);
    await synced(l);
    const cached = l.snapshot.service('shop', 'web')!;
    expect(cached).toMatchObject({ apiVersion: 'v1', kind: 'Service' });
    expect(cached.metadata.creationTimestamp).toBe(stored.metadata.creationTimestamp);
  });

  test('marks kinds with no objects as covered (known empty)', async () => {
    const l = start();
    await synced(l);
    for (const kind of WEBHOOK_KINDS) expect(l.snapshot.covers(kind)).toBe(true);
    expect(l.snapshot.covers('EndpointSlice')).toBe(false);
  });

  test('is not synced until every informer has listed', async () => {
    api.failNext({ path: '/api/v1/services', watch: false }, 500);
    const l = start(['Namespace', 'Service'], { initialMs: 300, jitter: 0 });
    await vi.waitFor(() => expect(api.watchCount('/api/v1/namespaces')).toBe(1));
    expect(l.synced()).toBe(false);
    expect(l.unsyncedKinds()).toEqual(['Service']);
    expect(l.snapshot.covers('Service')).toBe(false);
    await synced(l);
    expect(l.unsyncedKinds()).toEqual([]);
  });

  test('lists and watches Secrets with the kubernetes.io/tls field selector only', async () => {
    api.upsert(tlsSecret('shop', 'tls', 'cert', 'key'));
    api.upsert({ ...tlsSecret('shop', 'token', 'cert', 'key'), type: 'Opaque' });
    const l = start(['Secret']);
    await synced(l);
    await vi.waitFor(() => expect(api.watchCount('/api/v1/secrets')).toBe(1));
    const requests = api.requestsMatching({ path: '/api/v1/secrets' });
    expect(requests.map((r) => r.query.fieldSelector)).toEqual(['type=kubernetes.io/tls', 'type=kubernetes.io/tls']);
    expect(l.snapshot.secret('shop', 'token')).toBeUndefined();
  });

  test('watches EndpointSlices that name a Service only', async () => {
    const slice = (name: string, labels: Record<string, string>) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { namespace: 'shop', name, labels },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.1'] }],
    });
    api.upsert(slice('web-abc', { 'kubernetes.io/service-name': 'web' }));
    api.upsert(slice('orphan', {}));
    const l = start(['EndpointSlice']);
    await synced(l);
    expect(l.snapshot.endpointSlicesFor('shop', 'web').map((s) => s.metadata.name)).toEqual(['web-abc']);
    expect(l.snapshot.counts().EndpointSlice).toBe(1);
  });
});

describe('watch events', () => {
  test('reflects ADDED, MODIFIED and DELETED and tells listeners the kind', async () => {
    const l = start();
    await synced(l);
    const changes: SnapshotKind[] = [];
    l.onChange((kind) => changes.push(kind));
    api.upsert(service('shop', 'web'));
    await vi.waitFor(() => expect(l.snapshot.service('shop', 'web')).toBeDefined());
    api.upsert(service('shop', 'web', [{ port: 8080 }]));
    await vi.waitFor(() => expect(l.snapshot.service('shop', 'web')?.spec?.ports?.[0]?.port).toBe(8080));
    api.delete('Service', 'shop', 'web');
    await vi.waitFor(() => expect(l.snapshot.service('shop', 'web')).toBeUndefined());
    expect(changes).toEqual(['Service', 'Service', 'Service']);
  });

  test('asks for bookmarks and resumes from the last one, so a quiet watch needs no relist after compaction', async () => {
    const l = start(['Service']);
    await synced(l);
    await vi.waitFor(() => expect(api.watchCount('/api/v1/services')).toBe(1));
    expect(api.requestsMatching({ path: '/api/v1/services', watch: true })[0]?.query.allowWatchBookmarks).toBe('true');
    api.upsert(namespace('elsewhere'));
    const bookmark = api.resourceVersion;
    api.sendBookmarks();
    api.endWatches();
    api.compact();
    await vi.waitFor(() => expect(api.watchCount('/api/v1/services')).toBe(1));
    expect(api.requestsMatching({ path: '/api/v1/services', watch: true })[1]?.query.resourceVersion).toBe(bookmark);
    api.upsert(service('shop', 'web'));
    await vi.waitFor(() => expect(l.snapshot.service('shop', 'web')).toBeDefined());
    expect(listsOf('/api/v1/services')).toHaveLength(1);
  });

  test('reconnects at once when the server ends a watch cleanly', async () => {
    const l = start(['Service'], { initialMs: 5000 });
    await synced(l);
    await vi.waitFor(() => expect(api.watchCount('/api/v1/services')).toBe(1));
    api.endWatches();
    api.upsert(service('shop', 'web'));
    await vi.waitFor(() => expect(l.snapshot.service('shop', 'web')).toBeDefined());
    expect(listsOf('/api/v1/services')).toHaveLength(1);
  });

  test('stops taking changes after stop() and closes its watches', async () => {
    const l = start(['Service']);
    await synced(l);
    await vi.waitFor(() => expect(api.watchCount()).toBe(1));
    await l.stop();
    await vi.waitFor(() => expect(api.watchCount()).toBe(0));
    api.upsert(service('shop', 'web'));
    expect(l.snapshot.service('shop', 'web')).toBeUndefined();
  });
});

describe('failures', () => {
  test('reconnects after a dropped connection and replays what changed meanwhile, deletions included', async () => {
    api.upsert(service('shop', 'gone'));
    const l = start(['Service']);
    await synced(l);
    await vi.waitFor(() => expect(api.watchCount('/api/v1/services')).toBe(1));
    api.dropWatches();
    api.delete('Service', 'shop', 'gone');
    api.upsert(service('shop', 'new'));
    await vi.waitFor(() => {
      expect(l.snapshot.service('shop', 'gone')).toBeUndefined();
      expect(l.snapshot.service('shop', 'new')).toBeDefined();
    });
    expect(listsOf('/api/v1/services')).toHaveLength(1);
    expect(logLines.filter((line) => line.includes('informer stopped; restarting'))).toHaveLength(1);
  });

  test('relists after 410 Expired and drops objects deleted while disconnected', async () => {
    api.upsert(service('shop', 'gone'));
    api.upsert(service('shop', 'kept'));
    const l = start(['Service']);
    await synced(l);
    const changes: SnapshotKind[] = [];
    l.onChange((kind) => changes.push(kind));
    await vi.waitFor(() => expect(api.watchCount('/api/v1/services')).toBe(1));
    api.dropWatches();
    api.delete('Service', 'shop', 'gone');
    api.upsert(service('shop', 'added'));
    api.compact();
    await vi.waitFor(() => expect(listsOf('/api/v1/services')).toHaveLength(2));
    await vi.waitFor(() => expect(l.snapshot.service('shop', 'added')).toBeDefined());
    expect(l.snapshot.service('shop', 'gone')).toBeUndefined();
    expect(l.snapshot.service('shop', 'kept')).toBeDefined();
    expect(l.snapshot.counts().Service).toBe(2);
    expect(changes).toHaveLength(2);
  });

  test('relists when the watch request itself answers 410 Gone', async () => {
    const l = start(['Service']);
    await synced(l);
    await vi.waitFor(() => expect(api.watchCount('/api/v1/services')).toBe(1));
    api.failNext({ path: '/api/v1/services', watch: true }, 410);
    api.dropWatches();
    api.upsert(service('shop', 'web'));
    await vi.waitFor(() => expect(l.snapshot.service('shop', 'web')).toBeDefined());
    expect(listsOf('/api/v1/services')).toHaveLength(2);
  });

  test('retries a failing list with growing delays until it syncs', async () => {
    api.upsert(service('shop', 'web'));
    api.failNext({ path: '/api/v1/services', watch: false }, 500, 3);
    const l = start(['Service'], { initialMs: 50, maxMs: 1000, jitter: 0 });
    await synced(l);
    const lists = listsOf('/api/v1/services');
    expect(lists.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    const gaps = lists.slice(1).map((r, i) => r.at - lists[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[1]).toBeGreaterThanOrEqual(95);
    expect(gaps[2]).toBeGreaterThanOrEqual(195);
    expect(l.snapshot.service('shop', 'web')).toBeDefined();
    expect(logLines.filter((line) => line.includes('informer stopped; restarting'))).toHaveLength(3);
  });

  test('restarts a watch that fails with a server error', async () => {
    const l = start(['Service']);
    await synced(l);
    await vi.waitFor(() => expect(api.watchCount('/api/v1/services')).toBe(1));
    api.failNext({ path: '/api/v1/services', watch: true }, 500, 2);
    api.dropWatches();
    api.upsert(service('shop', 'web'));
    await vi.waitFor(() => expect(l.snapshot.service('shop', 'web')).toBeDefined());
    expect(api.requestsMatching({ path: '/api/v1/services', watch: true }).map((r) => r.status)).toEqual([200, 500, 500, 200]);
  });
});

describe('what is cached and logged', () => {
  const secret = {
    ...tlsSecret('shop', 'tls', 'CERT-PEM', 'KEY-PEM'),
    metadata: {
      namespace: 'shop',
      name: 'tls',
      managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsV1: {} }],
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"tls.key":"S0VZ"}}', keep: 'me' },
    },
    data: { 'tls.crt': 'Q0VSVA==', 'tls.key': 'S0VZ', 'ca.crt': 'Q0E=', password: 'aHVudGVyMg==' },
  };

  test('keeps only the TLS keys of a Secret and drops managedFields and last-applied-configuration', async () => {
    api.upsert(secret);
    const l = start(['Secret']);
    await synced(l);
    const cached = l.snapshot.secret('shop', 'tls')!;
    expect(cached.data).toEqual({ 'tls.crt': 'Q0VSVA==', 'tls.key': 'S0VZ', 'ca.crt': 'Q0E=' });
    expect(cached.metadata).not.toHaveProperty('managedFields');
    expect(cached.metadata.annotations).toEqual({ keep: 'me' });
  });

  test('trims objects arriving by watch the same way', async () => {
    const l = start(['Secret']);
    await synced(l);
    api.upsert(secret);
    await vi.waitFor(() => expect(l.snapshot.secret('shop', 'tls')).toBeDefined());
    expect(l.snapshot.secret('shop', 'tls')!.data).not.toHaveProperty('password');
    expect(l.snapshot.secret('shop', 'tls')!.metadata).not.toHaveProperty('managedFields');
  });

  test('never logs Secret data', async () => {
    api.upsert(secret);
    api.failNext({ path: '/api/v1/secrets', watch: false }, 500);
    const l = start(['Secret']);
    await synced(l);
    api.dropWatches();
    api.upsert({ ...secret, data: { ...secret.data, 'tls.key': 'TkVXS0VZ' } });
    await vi.waitFor(() => expect(l.snapshot.secret('shop', 'tls')?.data?.['tls.key']).toBe('TkVXS0VZ'));
    const logs = logLines.join('');
    expect(logs).toContain('"kind":"Secret"');
    for (const value of ['Q0VSVA==', 'S0VZ', 'aHVudGVyMg==', 'TkVXS0VZ', 'Q0E=']) expect(logs).not.toContain(value);
  });
});
