// The live snapshot against the real @kubernetes/client-node ListWatch. What it does in normal
// operation is checked against a real kube-apiserver v1.28.7 (../support/kube-cluster.ts), as a
// ServiceAccount holding the webhook's ClusterRole from manifests/install.yaml; the audit log shows
// what it asked. Only faults the real server cannot be made to show on demand (dropped or ended
// watches, 410 Gone at will, injected 500s, bookmarks) use the fake API server at the end.
import { Writable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import type { BackoffOptions } from '../../src/k8s/backoff.js';
import { loadKubeConfig } from '../../src/k8s/client.js';
import { startLiveSnapshot, type LiveSnapshot } from '../../src/k8s/informers.js';
import type { Secret, SnapshotKind } from '../../src/k8s/types.js';
import { ingress, ingressClass, namespace, service, tlsSecret } from '../fixtures/builders.js';
import { FakeKubeApi } from '../support/fake-kube-api.js';
import { KubeCluster, kubeAssets } from '../support/kube-cluster.js';
import {
  bindClusterRole,
  ClusterObjects,
  listsAndWatches,
  roleWithout,
  serviceAccountWithRole,
  webhookClusterRole,
  webhookRoleWithout,
  WEBHOOK_ROLE,
} from './real-api.js';

const WEBHOOK_KINDS: SnapshotKind[] = ['Namespace', 'Service', 'Secret', 'IngressClass', 'Ingress'];
const FAST: BackoffOptions = { initialMs: 20, maxMs: 200 };
const TLS_SELECTOR = 'type=kubernetes.io/tls';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** A debug-level logger whose lines land in `lines`. */
function capturingLogger(lines: string[]): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return pino({ level: 'debug' }, sink);
}

/** A Secret with more than the TLS keys, and a last-applied annotation that copies its key. */
function secretWithExtras(ns: string): Secret {
  return {
    ...tlsSecret(ns, 'tls', 'CERT-PEM', 'KEY-PEM'),
    metadata: { namespace: ns, name: 'tls', annotations: { [LAST_APPLIED]: '{"data":{"tls.key":"S0VZ"}}', keep: 'me' } },
    data: { 'tls.crt': 'Q0VSVA==', 'tls.key': 'S0VZ', 'ca.crt': 'Q0E=', password: 'aHVudGVyMg==' },
  };
}
const SECRET_VALUES = ['Q0VSVA==', 'S0VZ', 'aHVudGVyMg==', 'TkVXS0VZ', 'Q0E='];

const assets = kubeAssets();

describe.skipIf(!assets)('on a real API server', () => {
  let cluster: KubeCluster;
  /** What a test created; deleted after it, so every test starts from the same cluster. */
  let objects: ClusterObjects;
  let seq = 0;
  const lives: LiveSnapshot[] = [];
  let logLines: string[];

  beforeAll(async () => {
    cluster = await KubeCluster.start(assets!);
    objects = new ClusterObjects(cluster);
    const role = await webhookClusterRole();
    const roles = new ClusterObjects(cluster);
    for (const r of [role, roleWithout(role, 'services'), roleWithout(role, 'secrets')]) await roles.create(r);
  }, 120_000);
  beforeEach(() => {
    logLines = [];
  });
  afterEach(async () => {
    await Promise.all(lives.splice(0).map((l) => l.stop()));
    await objects.cleanup();
  });
  afterAll(async () => cluster?.stop(), 60_000);

  /**
   * A fresh namespace and, in it, ServiceAccount `informers` bound to `role`: the test's objects
   * go there, and the informers' requests are the only ones of that user in the audit log.
   */
  async function tenant(prefix: string, role = WEBHOOK_ROLE): Promise<{ ns: string; user: string; kc: KubeConfig }> {
    const ns = `${prefix}-${++seq}`;
    await objects.create(namespace(ns));
    const sa = await serviceAccountWithRole(cluster, objects, ns, 'informers', role);
    return { ns, user: sa.user, kc: loadKubeConfig(sa.kubeconfig) };
  }

  function start(kc: KubeConfig, kinds: SnapshotKind[] = WEBHOOK_KINDS, backoff: BackoffOptions = FAST): LiveSnapshot {
    const live = startLiveSnapshot(kc, { kinds, logger: capturingLogger(logLines), backoff });
    lives.push(live);
    return live;
  }

  const eventually = (check: () => unknown) => vi.waitFor(check, { timeout: 10_000, interval: 20 });
  const synced = (l: LiveSnapshot) => eventually(() => expect(l.synced()).toBe(true));

  describe('initial sync', () => {
    test('is synced with every listed object in the snapshot', async () => {
      const { ns, kc } = await tenant('sync');
      await objects.create(service(ns, 'web'));
      await objects.create(tlsSecret(ns, 'tls', 'cert', 'key'));
      await objects.create(ingressClass('nginx'));
      await objects.create(ingress({ namespace: ns }));
      const l = start(kc);
      await l.whenSynced();
      expect(l.synced()).toBe(true);
      expect(l.snapshot.namespace(ns)?.status?.phase).toBe('Active');
      expect(l.snapshot.service(ns, 'web')?.spec?.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }]);
      expect(l.snapshot.secret(ns, 'tls')?.type).toBe('kubernetes.io/tls');
      expect(l.snapshot.ingressClass('nginx')?.spec?.controller).toBe('gatehouse.dev/ingress-controller');
      expect(l.snapshot.ingressesClaiming('shop.example.com', '/').map((i) => `${i.metadata.namespace}/${i.metadata.name}`)).toEqual([`${ns}/web`]);
    });

    test('keeps listed objects as the API serves them, as plain JSON: apiVersion/kind set, timestamps as RFC 3339 strings', async () => {
      const { ns, kc } = await tenant('plain');
      await objects.create(service(ns, 'web'));
      const served = await objects.get(service(ns, 'web'));
      const { managedFields, ...metadata } = served.metadata;
      expect(managedFields).not.toHaveLength(0);
      const l = start(kc, ['Service']);
      await synced(l);
      const cached = l.snapshot.service(ns, 'web')!;
      expect(cached).toMatchObject({ apiVersion: 'v1', kind: 'Service' });
      expect(cached.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      // Strict: no Date, no typed-client model instance, no undefined field; only managedFields gone.
      expect(cached).toStrictEqual({ ...served, metadata });
    });

    test('marks kinds with no objects as covered (known empty)', async () => {
      const { kc } = await tenant('empty');
      for (const path of [`/api/v1/secrets?fieldSelector=${encodeURIComponent(TLS_SELECTOR)}`, '/apis/networking.k8s.io/v1/ingressclasses', '/apis/networking.k8s.io/v1/ingresses']) {
        expect((await cluster.api('GET', path)).json.items, path).toEqual([]);
      }
      const l = start(kc);
      await synced(l);
      for (const kind of WEBHOOK_KINDS) expect(l.snapshot.covers(kind)).toBe(true);
      expect(l.snapshot.counts()).toMatchObject({ Secret: 0, IngressClass: 0, Ingress: 0 });
      expect(l.snapshot.covers('EndpointSlice')).toBe(false);
    });

    // RBAC refuses the Service list until the test grants it: "before the first list completes"
    // lasts as long as the test needs, with no fault injected.
    test('is not synced until every informer has listed', async () => {
      const { ns, user, kc } = await tenant('unsynced', webhookRoleWithout('services'));
      const l = start(kc, ['Namespace', 'Service']);
      await eventually(async () => {
        expect(l.unsyncedKinds()).toEqual(['Service']);
        expect((await listsAndWatches(cluster, user, 'services')).map((r) => r.code)).toContain(403);
      });
      expect(l.synced()).toBe(false);
      expect(l.snapshot.covers('Namespace')).toBe(true);
      expect(l.snapshot.covers('Service')).toBe(false);
      await bindClusterRole(objects, ns, 'informers', WEBHOOK_ROLE);
      await synced(l);
      expect(l.unsyncedKinds()).toEqual([]);
      expect(l.snapshot.service('default', 'kubernetes')).toBeDefined();
    });

    test('lists and watches Secrets with the kubernetes.io/tls field selector only', async () => {
      const { ns, user, kc } = await tenant('secrets');
      await objects.create(tlsSecret(ns, 'tls', 'cert', 'key'));
      await objects.create(tlsSecret(ns, 'token', 'cert', 'key', 'Opaque'));
      const l = start(kc, ['Secret']);
      await synced(l);
      await eventually(async () => expect((await listsAndWatches(cluster, user, 'secrets')).map((r) => r.verb)).toEqual(['list', 'watch']));
      const requests = await listsAndWatches(cluster, user, 'secrets');
      expect(requests.map((r) => r.query.get('fieldSelector'))).toEqual([TLS_SELECTOR, TLS_SELECTOR]);
      expect(l.snapshot.secret(ns, 'tls')).toBeDefined();
      expect((await objects.get(tlsSecret(ns, 'token', '', ''))).type).toBe('Opaque');
      expect(l.snapshot.secret(ns, 'token')).toBeUndefined();
    });

    test('watches EndpointSlices that name a Service only', async () => {
      const { ns, user, kc } = await tenant('slices');
      const slice = (name: string, labels: Record<string, string>) => ({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { namespace: ns, name, labels },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.0.0.1'] }],
      });
      await objects.create(slice('web-abc', { 'kubernetes.io/service-name': 'web' }));
      await objects.create(slice('orphan', {}));
      const l = start(kc, ['EndpointSlice']);
      await synced(l);
      expect(l.snapshot.endpointSlicesFor(ns, 'web').map((s) => s.metadata.name)).toEqual(['web-abc']);
      expect((await cluster.api('GET', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`)).json.items).toHaveLength(2);
      expect(l.snapshot.counts().EndpointSlice).toBe(1);
      await eventually(async () => expect((await listsAndWatches(cluster, user, 'endpointslices')).map((r) => r.verb)).toEqual(['list', 'watch']));
      for (const r of await listsAndWatches(cluster, user, 'endpointslices')) expect(r.query.get('labelSelector')).toBe('kubernetes.io/service-name');
    });

    test('asks for bookmarks on every watch', async () => {
      const { user, kc } = await tenant('bookmarks');
      const l = start(kc);
      await synced(l);
      for (const resource of ['namespaces', 'services', 'secrets', 'ingressclasses', 'ingresses']) {
        await eventually(async () => expect((await listsAndWatches(cluster, user, resource)).map((r) => r.verb)).toEqual(['list', 'watch']));
        const [, watch] = await listsAndWatches(cluster, user, resource);
        expect(watch!.query.get('allowWatchBookmarks'), resource).toBe('true');
      }
    });
  });

  describe('watch events', () => {
    test('reflects ADDED, MODIFIED and DELETED and tells listeners the kind', async () => {
      const { ns, kc } = await tenant('events');
      const l = start(kc);
      await synced(l);
      const changes: SnapshotKind[] = [];
      l.onChange((kind) => changes.push(kind));
      await objects.create(service(ns, 'web'));
      await eventually(() => expect(l.snapshot.service(ns, 'web')).toBeDefined());
      await objects.update(service(ns, 'web'), (s) => (s.spec.ports[0].port = 8080));
      await eventually(() => expect(l.snapshot.service(ns, 'web')?.spec?.ports?.[0]?.port).toBe(8080));
      await objects.remove(service(ns, 'web'));
      await eventually(() => expect(l.snapshot.service(ns, 'web')).toBeUndefined());
      expect(changes).toEqual(['Service', 'Service', 'Service']);
    });

    test('stops taking changes after stop() and closes its watches', async () => {
      const { ns, user, kc } = await tenant('stop');
      const l = start(kc, ['Service']);
      await synced(l);
      const watches = async () => (await listsAndWatches(cluster, user, 'services')).filter((r) => r.verb === 'watch');
      await eventually(async () => expect((await watches()).map((w) => w.complete)).toEqual([false]));
      await l.stop();
      await eventually(async () => expect((await watches()).map((w) => w.complete)).toEqual([true]));
      // A second informer sees the new Service: by then the stopped one would have, had it kept watching.
      const witness = start(kc, ['Service']);
      await synced(witness);
      await objects.create(service(ns, 'web'));
      await eventually(() => expect(witness.snapshot.service(ns, 'web')).toBeDefined());
      expect(l.snapshot.service(ns, 'web')).toBeUndefined();
    });
  });

  describe('what is cached and logged', () => {
    test('keeps only the TLS keys of a Secret and drops managedFields and last-applied-configuration', async () => {
      const { ns, kc } = await tenant('trim');
      const stored = await objects.create(secretWithExtras(ns));
      expect(stored.metadata.managedFields).not.toHaveLength(0);
      const l = start(kc, ['Secret']);
      await synced(l);
      const cached = l.snapshot.secret(ns, 'tls')!;
      expect(cached.data).toEqual({ 'tls.crt': 'Q0VSVA==', 'tls.key': 'S0VZ', 'ca.crt': 'Q0E=' });
      expect(cached.metadata).not.toHaveProperty('managedFields');
      expect(cached.metadata.annotations).toEqual({ keep: 'me' });
    });

    test('trims objects arriving by watch the same way', async () => {
      const { ns, kc } = await tenant('trim-watch');
      const l = start(kc, ['Secret']);
      await synced(l);
      expect((await objects.create(secretWithExtras(ns))).metadata.managedFields).not.toHaveLength(0);
      await eventually(() => expect(l.snapshot.secret(ns, 'tls')).toBeDefined());
      const cached = l.snapshot.secret(ns, 'tls')!;
      expect(cached.data).toEqual({ 'tls.crt': 'Q0VSVA==', 'tls.key': 'S0VZ', 'ca.crt': 'Q0E=' });
      expect(cached.metadata).not.toHaveProperty('managedFields');
      expect(cached.metadata.annotations).toEqual({ keep: 'me' });
    });

    test('never logs Secret data: refused, listed or changed by watch', async () => {
      const { ns, kc } = await tenant('quiet', webhookRoleWithout('secrets'));
      const secret = secretWithExtras(ns);
      await objects.create(secret);
      const l = start(kc, ['Secret']);
      await eventually(() => expect(logLines.some((line) => line.includes('informer stopped; restarting') && line.includes('"code":403'))).toBe(true));
      await bindClusterRole(objects, ns, 'informers', WEBHOOK_ROLE);
      await synced(l);
      await objects.update(secret, (s) => (s.data['tls.key'] = 'TkVXS0VZ'));
      await eventually(() => expect(l.snapshot.secret(ns, 'tls')?.data?.['tls.key']).toBe('TkVXS0VZ'));
      const logs = logLines.join('');
      expect(logs).toContain('"kind":"Secret"');
      for (const value of SECRET_VALUES) expect(logs).not.toContain(value);
    });
  });
});

// Faults at will. The real API server cannot be told to drop or end a watch now, to expire a
// resourceVersion now (its compaction runs every 5 minutes), to fail the next N requests with a
// 500 or a 410, or to send a bookmark now (about once a minute), so these tests stay on the fake.
describe('faults at will, on the fake API server', () => {
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
    live = startLiveSnapshot(api.kubeconfig(), { kinds, logger: capturingLogger(logLines), backoff });
    return live;
  }

  async function synced(l: LiveSnapshot): Promise<void> {
    await vi.waitFor(() => expect(l.synced()).toBe(true), { timeout: 2000 });
  }

  const listsOf = (path: string) => api.requestsMatching({ method: 'GET', path, watch: false });

  // Needs: a bookmark sent, the watch ended and the history compacted, all on demand.
  describe('bookmarks and watches the server ends', () => {
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
  });

  // Needs: a connection dropped, changes made while it is down, 410 and 500 answers, all on demand.
  describe('dropped connections, 410 Gone and server errors', () => {
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

  // Needs: a 500 on the list and a dropped watch, so the error paths log; the real-server test above
  // covers a refused list, the list and a watch event.
  describe('Secret data on the error paths', () => {
    test('never logs Secret data', async () => {
      const base = secretWithExtras('shop');
      const secret = { ...base, metadata: { ...base.metadata, managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsV1: {} }] } };
      api.upsert(secret);
      api.failNext({ path: '/api/v1/secrets', watch: false }, 500);
      const l = start(['Secret']);
      await synced(l);
      api.dropWatches();
      api.upsert({ ...secret, data: { ...secret.data, 'tls.key': 'TkVXS0VZ' } });
      await vi.waitFor(() => expect(l.snapshot.secret('shop', 'tls')?.data?.['tls.key']).toBe('TkVXS0VZ'));
      const logs = logLines.join('');
      expect(logs).toContain('"kind":"Secret"');
      for (const value of SECRET_VALUES) expect(logs).not.toContain(value);
    });
  });
});
