import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { freePort } from '../../bench/lib.js';
import { ingress, ingressClass, namespace, service } from '../fixtures/builders.js';
import { KubeCluster, kubeAssets } from '../support/kube-cluster.js';
import { runCli, type CliRun } from '../support/run-cli.js';
import { bindClusterRole, ClusterObjects, listsAndWatches, roleWithout, serviceAccountWithRole, webhookClusterRole, webhookRoleWithout, WEBHOOK_ROLE } from '../k8s/real-api.js';
import { request } from 'node:https';

const ROOT = join(import.meta.dirname, '../..');

/** POST to the self-signed webhook (certificate verification is what the other suites test). */
function postInsecure(url: string, body: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function startWebhook(args: string[]): Promise<{ run: CliRun; base: string; health: string }> {
  const [port, healthPort] = [await freePort(), await freePort()];
  const run = runCli(['webhook', '--self-signed', '--log-level', 'silent', '--listen', `127.0.0.1:${port}`, '--health-listen', `127.0.0.1:${healthPort}`, ...args]);
  const health = `http://127.0.0.1:${healthPort}`;
  await vi.waitFor(async () => expect((await fetch(`${health}/healthz`)).status).toBe(200), { timeout: 15_000, interval: 50 });
  return { run, base: `https://127.0.0.1:${port}`, health };
}

describe('gatehouse webhook on the example snapshot (npm start)', () => {
  let hook: Awaited<ReturnType<typeof startWebhook>>;
  beforeAll(async () => {
    hook = await startWebhook(['--snapshot', join(ROOT, 'examples/snapshot'), '--print-curl']);
  });
  afterAll(async () => expect(await hook.run.stop()).toBe(0));

  test('prints a ready-to-paste curl', () => {
    expect(hook.run.stdout()).toContain("curl -sk -H 'Content-Type: application/json' --data @examples/reviews/denied.json https://127.0.0.1:");
  });

  test('denies the example review, naming every violation with its field path', async () => {
    const res = await postInsecure(`${hook.base}/validate`, await readFile(join(ROOT, 'examples/reviews/denied.json'), 'utf8'));
    expect(res.json.response.uid).toBe('705ab4f5-6393-11e8-b7cc-42010a800002');
    expect(res.json.response.allowed).toBe(false);
    const message: string = res.json.response.status.message;
    for (const rule of ['backend-port', 'backend-service', 'rewrite', 'annotations']) expect(message).toContain(`[${rule}] `);
    expect(message).toContain('[backend-port] spec.rules[0].http.paths[0].backend.service.port.number: ');
    expect(res.json.response.warnings.join('\n')).toContain('[deprecated-class-annotation]');
  });

  test('allows the flink rewrite example', async () => {
    const res = await postInsecure(`${hook.base}/validate`, await readFile(join(ROOT, 'examples/reviews/allowed.json'), 'utf8'));
    expect(res.json.response).toMatchObject({ uid: '0f6e2a7c-8f44-4d2b-9b1e-3c2f3f0b7a11', allowed: true });
  });

  test('mutates the class annotation into spec.ingressClassName', async () => {
    const res = await postInsecure(`${hook.base}/mutate`, await readFile(join(ROOT, 'examples/reviews/denied.json'), 'utf8'));
    expect(res.json.response.allowed).toBe(true);
    expect(res.json.response.patchType).toBe('JSONPatch');
    const patch = JSON.parse(Buffer.from(res.json.response.patch, 'base64').toString());
    expect(patch).toEqual([
      { op: 'add', path: '/spec/ingressClassName', value: 'nginx' },
      { op: 'remove', path: '/metadata/annotations/kubernetes.io~1ingress.class' },
    ]);
  });

  test('is ready at once and counts reviews in /metrics', async () => {
    expect((await fetch(`${hook.health}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${hook.health}/metrics`)).text();
    expect(text).toMatch(/gatehouse_admission_requests_total\{webhook="validate",verdict="denied"\} [1-9]/);
    expect(text).toContain('gatehouse_snapshot_objects{kind="Ingress"} 1');
    expect(text).toContain('gatehouse_tls_cert_expiry_timestamp_seconds');
  });
});

const assets = kubeAssets();

describe.skipIf(!assets)('gatehouse webhook on the live API (a real kube-apiserver)', () => {
  let cluster: KubeCluster;
  let objects: ClusterObjects;
  let hook: Awaited<ReturnType<typeof startWebhook>>;
  const user = 'system:serviceaccount:gatehouse:gatehouse-webhook';

  const review = (uid: string, object: object) =>
    JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { uid, kind: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' }, operation: 'CREATE', namespace: 'shop', object },
    });

  beforeAll(async () => {
    cluster = await KubeCluster.start(assets!);
    objects = new ClusterObjects(cluster);
    for (const obj of [namespace('shop'), service('shop', 'web'), ingressClass('nginx'), ingress({ name: 'storefront' }), namespace('gatehouse')]) await objects.create(obj);
    // The webhook runs as its ServiceAccount with the manifests' ClusterRole minus Services: RBAC
    // refuses its Service list until the first test grants the whole role, so the unsynced phase
    // lasts as long as that test needs.
    const role = await webhookClusterRole();
    await objects.create(role);
    await objects.create(roleWithout(role, 'services'));
    const sa = await serviceAccountWithRole(cluster, objects, 'gatehouse', 'gatehouse-webhook', webhookRoleWithout('services'));
    hook = await startWebhook(['--kubeconfig', sa.kubeconfig]);
  }, 120_000);
  afterAll(async () => {
    if (hook) expect(await hook.run.stop()).toBe(0);
    await cluster?.stop();
  }, 60_000);

  test('stays unready and never denies on an unsynced cache, then syncs and judges', async () => {
    const body = (name: string, port: number) =>
      review('705ab4f5-6393-11e8-b7cc-42010a800002', ingress({ name, host: `${name}.example.com`, paths: [{ port }] }));
    const early = await fetch(`${hook.health}/readyz`);
    expect(early.status).toBe(503);
    expect(await early.text()).toContain('informers have not synced');
    // Retried: the HTTPS listener opens just after the health one startWebhook waited for.
    const res = await vi.waitFor(() => postInsecure(`${hook.base}/validate`, body('early', 8080)), { timeout: 10_000, interval: 50 });
    expect(res.json.response.allowed).toBe(true);
    expect(res.json.response.warnings[0]).toContain('still loading');
    expect((await listsAndWatches(cluster, user, 'services')).map((r) => r.code)).toContain(403);
    await bindClusterRole(objects, 'gatehouse', 'gatehouse-webhook', WEBHOOK_ROLE);
    await vi.waitFor(async () => expect((await fetch(`${hook.health}/readyz`)).status).toBe(200), { timeout: 15_000, interval: 100 });
    const denied = await postInsecure(`${hook.base}/validate`, body('late', 8080));
    expect(denied.json.response.allowed).toBe(false);
    expect(denied.json.response.status.message).toContain('[backend-port]');
  });

  test('follows changes from the watch', async () => {
    await objects.create(service('shop', 'late', [{ name: 'http', port: 8080 }]));
    const body = review('705ab4f5-6393-11e8-b7cc-42010a800003', ingress({ name: 'late', host: 'late.example.com', paths: [{ service: 'late', port: 8080 }] }));
    await vi.waitFor(async () => expect((await postInsecure(`${hook.base}/validate`, body)).json.response.allowed).toBe(true), { timeout: 10_000, interval: 100 });
  });

  test('lists and watches Secrets with the kubernetes.io/tls field selector only', async () => {
    const secretRequests = await listsAndWatches(cluster, user, 'secrets');
    expect(secretRequests.map((r) => r.verb)).toEqual(expect.arrayContaining(['list', 'watch']));
    for (const r of secretRequests) expect(r.query.get('fieldSelector')).toBe('type=kubernetes.io/tls');
  });
});
