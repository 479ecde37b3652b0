// Sanity checks of the test double itself, through the real client-node typed clients where they
// reach, and raw HTTP where the wire format is the point.
import {
  AdmissionregistrationV1Api,
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ingress, namespace, service, tlsSecret } from '../fixtures/builders.js';
import { FakeKubeApi } from './fake-kube-api.js';

let api: FakeKubeApi;
beforeEach(async () => {
  api = await FakeKubeApi.start();
});
afterEach(async () => {
  await api.close();
});

interface WatchEvent {
  type: string;
  object: { kind?: string; code?: number; reason?: string; metadata?: { name?: string; resourceVersion?: string } };
}

/** Opens a raw watch; `next()` resolves with the next event, or undefined when the stream ends. */
async function rawWatch(path: string) {
  const response = await fetch(`${api.url}${path}`);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  return {
    response,
    async next(): Promise<WatchEvent | undefined> {
      for (;;) {
        const nl = buffered.indexOf('\n');
        if (nl >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          return JSON.parse(line) as WatchEvent;
        }
        const { value, done } = await reader.read();
        if (done) return undefined;
        buffered += value;
      }
    },
    cancel: () => reader.cancel(),
  };
}

/** Our read-only builder objects as the typed clients' mutable models. */
const wire = <T>(obj: object): T => obj as T;

async function statusOf(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
    return { code: err.code, body };
  }
  throw new Error('expected the request to fail');
}

describe('list', () => {
  test('answers a *List with the current resourceVersion and items without apiVersion/kind', async () => {
    api.upsert(namespace('shop'));
    const body = (await (await fetch(`${api.url}/api/v1/namespaces`)).json()) as Record<string, any>;
    expect(body).toMatchObject({ kind: 'NamespaceList', apiVersion: 'v1', metadata: { resourceVersion: api.resourceVersion } });
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).not.toHaveProperty('kind');
    expect(body.items[0].metadata).toMatchObject({ name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } });
  });

  test('filters Secrets by the type field selector', async () => {
    api.upsert(tlsSecret('shop', 'tls', 'c', 'k'));
    api.upsert({ ...tlsSecret('shop', 'opaque', 'c', 'k'), type: 'Opaque' });
    const list = await api.kubeconfig().makeApiClient(CoreV1Api).listSecretForAllNamespaces({ fieldSelector: 'type=kubernetes.io/tls' });
    expect(list.items.map((s) => s.metadata?.name)).toEqual(['tls']);
  });

  test('rejects a field selector the resource does not support with 400', async () => {
    const response = await fetch(`${api.url}/api/v1/services?fieldSelector=spec.selector=x`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'field label not supported: spec.selector' });
  });

  test('filters by a set-based label selector and by namespace', async () => {
    api.upsert({ ...service('shop', 'a'), metadata: { namespace: 'shop', name: 'a', labels: { tier: 'web' } } });
    api.upsert({ ...service('shop', 'b'), metadata: { namespace: 'shop', name: 'b', labels: { tier: 'db' } } });
    api.upsert({ ...service('blog', 'c'), metadata: { namespace: 'blog', name: 'c', labels: { tier: 'web' } } });
    const core = api.kubeconfig().makeApiClient(CoreV1Api);
    const list = await core.listNamespacedService({ namespace: 'shop', labelSelector: 'tier in (web,cache)' });
    expect(list.items.map((s) => s.metadata?.name)).toEqual(['a']);
  });
});

describe('single objects', () => {
  test('creates with 201 and server-set uid, creationTimestamp and resourceVersion', async () => {
    api.upsert(namespace('shop'));
    const created = await api.kubeconfig().makeApiClient(CoreV1Api).createNamespacedSecret({ namespace: 'shop', body: wire(tlsSecret('shop', 'tls', 'c', 'k')) });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.resourceVersion).toBe(api.resourceVersion);
    expect(api.requests.at(-1)).toMatchObject({ method: 'POST', path: '/api/v1/namespaces/shop/secrets', status: 201 });
  });

  test('answers a second create with 409 AlreadyExists', async () => {
    api.upsert(namespace('shop'));
    api.upsert(tlsSecret('shop', 'tls', 'c', 'k'));
    const core = api.kubeconfig().makeApiClient(CoreV1Api);
    const { code, body } = await statusOf(core.createNamespacedSecret({ namespace: 'shop', body: wire(tlsSecret('shop', 'tls', 'c', 'k')) }));
    expect(code).toBe(409);
    expect(body).toMatchObject({ reason: 'AlreadyExists', message: 'secrets "tls" already exists', details: { name: 'tls', kind: 'secrets' } });
  });

  test('refuses to create in a namespace that does not exist (NamespaceLifecycle)', async () => {
    const core = api.kubeconfig().makeApiClient(CoreV1Api);
    const { code, body } = await statusOf(core.createNamespacedSecret({ namespace: 'nowhere', body: wire(tlsSecret('nowhere', 'tls', 'c', 'k')) }));
    expect(code).toBe(404);
    expect(body).toMatchObject({ reason: 'NotFound', message: 'namespaces "nowhere" not found' });
  });

  test('answers a missing object with a NotFound Status shaped like the API server', async () => {
    const response = await fetch(`${api.url}/apis/networking.k8s.io/v1/namespaces/shop/ingresses/web`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'ingresses.networking.k8s.io "web" not found',
      reason: 'NotFound',
      details: { name: 'web', group: 'networking.k8s.io', kind: 'ingresses' },
      code: 404,
    });
  });

  test('answers a PUT with a stale resourceVersion with 409 Conflict', async () => {
    const stored = api.upsert(service('shop', 'web'));
    api.upsert(service('shop', 'web', [{ port: 81 }]));
    const core = api.kubeconfig().makeApiClient(CoreV1Api);
    const { code, body } = await statusOf(core.replaceNamespacedService({ namespace: 'shop', name: 'web', body: wire(stored) }));
    expect(code).toBe(409);
    expect(body).toMatchObject({ reason: 'Conflict', message: expect.stringContaining('Operation cannot be fulfilled on services "web"') });
  });

  test('a PUT with the current resourceVersion replaces the object and bumps the version', async () => {
    const stored = api.upsert(service('shop', 'web'));
    const core = api.kubeconfig().makeApiClient(CoreV1Api);
    const updated = await core.replaceNamespacedService({ namespace: 'shop', name: 'web', body: wire({ ...stored, spec: { ports: [{ port: 8080 }] } }) });
    expect(updated.spec?.ports?.[0]?.port).toBe(8080);
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(stored.metadata.resourceVersion));
  });

  test('a PUT that changes nothing keeps the resourceVersion', async () => {
    const stored = api.upsert(service('shop', 'web'));
    const core = api.kubeconfig().makeApiClient(CoreV1Api);
    const same = await core.replaceNamespacedService({ namespace: 'shop', name: 'web', body: wire(stored) });
    expect(same.metadata?.resourceVersion).toBe(stored.metadata.resourceVersion);
  });

  test('applies a JSON patch (the typed clients’ default content type)', async () => {
    api.upsert({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'gh' }, webhooks: [{ name: 'a.gatehouse.dev', clientConfig: {} }] });
    const admission = api.kubeconfig().makeApiClient(AdmissionregistrationV1Api);
    const patched = await admission.patchValidatingWebhookConfiguration({
      name: 'gh',
      body: [{ op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: 'Q0E=' }],
    });
    expect(patched.webhooks?.[0]?.clientConfig.caBundle).toBe('Q0E=');
    expect(api.requests.at(-1)?.contentType).toBe('application/json-patch+json');
  });

  test('applies a merge patch, with null deleting a key', async () => {
    api.upsert(ingress({ annotations: { a: '1', b: '2' } }));
    const networking = api.kubeconfig().makeApiClient(NetworkingV1Api);
    const patched = await networking.patchNamespacedIngress(
      { namespace: 'shop', name: 'web', body: { metadata: { annotations: { a: null, c: '3' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.metadata?.annotations).toEqual({ b: '2', c: '3' });
  });

  test('a JSON patch whose test operation fails is refused with 422 and changes nothing', async () => {
    const stored = api.upsert(service('shop', 'web'));
    const response = await fetch(`${api.url}/api/v1/namespaces/shop/services/web`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'test', path: '/spec/type', value: 'NodePort' }, { op: 'remove', path: '/spec' }]),
    });
    expect(response.status).toBe(422);
    expect(api.get('Service', 'shop', 'web')).toEqual(stored);
  });

  test('writes to /status change only the status of an Ingress', async () => {
    api.upsert(ingress());
    const networking = api.kubeconfig().makeApiClient(NetworkingV1Api);
    const current = await networking.readNamespacedIngress({ namespace: 'shop', name: 'web' });
    await networking.replaceNamespacedIngressStatus({
      namespace: 'shop',
      name: 'web',
      body: { ...current, spec: {}, status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } } },
    });
    const after = api.get<ReturnType<typeof ingress>>('Ingress', 'shop', 'web')!;
    expect(after.status?.loadBalancer?.ingress).toEqual([{ ip: '10.0.0.1' }]);
    expect(after.spec).toEqual(ingress().spec);
  });

  test('serves Leases through CoordinationV1Api', async () => {
    api.upsert(namespace('gatehouse'));
    const coordination = api.kubeconfig().makeApiClient(CoordinationV1Api);
    await coordination.createNamespacedLease({ namespace: 'gatehouse', body: { metadata: { name: 'leader' }, spec: { holderIdentity: 'pod-a' } } });
    const lease = await coordination.readNamespacedLease({ namespace: 'gatehouse', name: 'leader' });
    expect(lease.spec?.holderIdentity).toBe('pod-a');
  });

  test('serves discovery well enough for the generic KubernetesObjectApi', async () => {
    api.upsert(ingress());
    const objects = api.kubeconfig().makeApiClient(KubernetesObjectApi);
    const read = await objects.read({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { namespace: 'shop', name: 'web' } });
    expect(read.metadata?.name).toBe('web');
  });

  test('deletes an object and answers a Success Status', async () => {
    api.upsert(service('shop', 'web'));
    const response = await fetch(`${api.url}/api/v1/namespaces/shop/services/web`, { method: 'DELETE' });
    expect(await response.json()).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'web', kind: 'services' } });
    expect(api.get('Service', 'shop', 'web')).toBeUndefined();
  });
});

describe('watch', () => {
  test('streams ADDED, MODIFIED and DELETED after the given resourceVersion', async () => {
    api.upsert(service('shop', 'old'));
    const from = api.resourceVersion;
    const w = await rawWatch(`/api/v1/services?watch=true&resourceVersion=${from}`);
    expect(w.response.headers.get('content-type')).toBe('application/json');
    api.upsert(service('shop', 'web'));
    api.upsert(service('shop', 'web', [{ port: 81 }]));
    api.delete('Service', 'shop', 'web');
    const events = [await w.next(), await w.next(), await w.next()];
    expect(events.map((e) => [e?.type, e?.object.kind, e?.object.metadata?.name])).toEqual([
      ['ADDED', 'Service', 'web'],
      ['MODIFIED', 'Service', 'web'],
      ['DELETED', 'Service', 'web'],
    ]);
    expect(events[2]?.object.metadata?.resourceVersion).toBe(api.resourceVersion);
    await w.cancel();
  });

  test('replays changes made since the resourceVersion before going live', async () => {
    api.upsert(service('shop', 'web'));
    const from = api.resourceVersion;
    api.delete('Service', 'shop', 'web');
    const w = await rawWatch(`/api/v1/services?watch=true&resourceVersion=${from}`);
    expect((await w.next())?.type).toBe('DELETED');
    await w.cancel();
  });

  test('starts with synthetic ADDED events when no resourceVersion is given', async () => {
    api.upsert(service('shop', 'web'));
    const w = await rawWatch(`/api/v1/services?watch=true`);
    expect(await w.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'web' } } });
    await w.cancel();
  });

  test('sends a BOOKMARK with the current resourceVersion only to watches that allow them', async () => {
    const w = await rawWatch(`/api/v1/services?watch=true&resourceVersion=${api.resourceVersion}&allowWatchBookmarks=true`);
    const plain = await rawWatch(`/api/v1/namespaces?watch=true&resourceVersion=${api.resourceVersion}`);
    await expect.poll(() => api.watchCount()).toBe(2);
    api.sendBookmarks();
    expect(await w.next()).toEqual({ type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'Service', metadata: { resourceVersion: api.resourceVersion } } });
    api.upsert(namespace('shop'));
    expect((await plain.next())?.type).toBe('ADDED');
    await w.cancel();
    await plain.cancel();
  });

  test('answers a watch from a compacted resourceVersion with a 410 Expired ERROR event and ends the stream', async () => {
    const from = api.resourceVersion;
    api.upsert(service('shop', 'web'));
    api.compact();
    const w = await rawWatch(`/api/v1/services?watch=true&resourceVersion=${from}`);
    expect(w.response.status).toBe(200);
    expect(await w.next()).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    expect(await w.next()).toBeUndefined();
  });

  test('ends the stream after timeoutSeconds', async () => {
    const w = await rawWatch(`/api/v1/services?watch=true&resourceVersion=${api.resourceVersion}&timeoutSeconds=1`);
    const started = Date.now();
    expect(await w.next()).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  test('turns an object leaving the field selector into DELETED', async () => {
    api.upsert(tlsSecret('shop', 'tls', 'c', 'k'));
    const w = await rawWatch(`/api/v1/secrets?watch=true&fieldSelector=type%3Dkubernetes.io%2Ftls&resourceVersion=${api.resourceVersion}`);
    api.upsert({ ...tlsSecret('shop', 'tls', 'c', 'k'), type: 'Opaque' });
    expect(await w.next()).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'tls' } } });
    await w.cancel();
  });

  test('dropWatches() cuts open streams without a final chunk', async () => {
    const w = await rawWatch(`/api/v1/services?watch=true&resourceVersion=${api.resourceVersion}`);
    await expect.poll(() => api.watchCount('/api/v1/services')).toBe(1);
    expect(api.dropWatches()).toBe(1);
    await expect(w.next()).rejects.toThrow();
    expect(api.watchCount()).toBe(0);
  });
});

describe('test controls', () => {
  test('failNext answers the matching request with the injected Status once', async () => {
    api.failNext({ path: '/api/v1/services', watch: false }, 503);
    const first = await fetch(`${api.url}/api/v1/services`);
    expect(first.status).toBe(503);
    expect(await first.json()).toMatchObject({ kind: 'Status', code: 503, reason: 'ServiceUnavailable' });
    expect((await fetch(`${api.url}/api/v1/services`)).status).toBe(200);
  });

  test('kubeconfigFile() writes a kubeconfig client-node can load', async () => {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromFile(await api.kubeconfigFile());
    expect(kc.getCurrentCluster()?.server).toBe(api.url);
  });
});
