// The API server restarted (same etcd) under a running webhook: the webhook keeps answering from
// its cache while the API server is gone, /readyz says what is true (the cache it answers from is
// complete, so it stays ready), and its informers resync when the API server is back.
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { post1 } from '../support/https-client.js';
import { kubeAssets } from '../support/kube-cluster.js';
import { ingressManifest, readTlsSecret, useInstalledWebhook } from './gatehouse-install.js';

const assets = kubeAssets();

function review(uid: string, service: string): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' },
      resource: { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses' },
      operation: 'CREATE',
      namespace: 'shop',
      name: 'direct',
      object: JSON.parse(ingressManifest({ namespace: 'shop', name: 'direct', host: 'direct.example.com', service })),
    },
  });
}

describe.skipIf(!assets)('the API server restarts under a running webhook', () => {
  const suite = useInstalledWebhook('gh-restart-');
  let ca: string;

  const validate = async (service: string) =>
    (await post1(`https://${suite.installed.webhook.address}/validate`, review('7a3c1e52-5b7d-4f0e-9a55-0c7f8d2b1e01', service), { ca, servername: 'gatehouse-webhook.gatehouse.svc' })).json.response;

  // After useInstalledWebhook's beforeAll: hooks run in the order they are declared.
  beforeAll(async () => {
    ca = (await readTlsSecret(suite.cluster)).ca;
    await vi.waitFor(async () => expect((await validate('web')).allowed).toBe(true), { timeout: 10_000 });
  });

  test('while the API server is down the webhook answers from its cache and stays ready', async () => {
    const { cluster, installed } = suite;
    await cluster.stopApiServer();
    try {
      // Give the informers time to notice: their watches break and start retrying.
      await new Promise((r) => setTimeout(r, 3000));
      expect((await validate('web')).allowed).toBe(true);
      const denied = await validate('missing');
      expect(denied.allowed).toBe(false);
      expect(denied.status.message).toContain('[backend-service]');
      expect((await fetch(`${installed.webhook.health}/readyz`)).status).toBe(200);
      expect((await fetch(`${installed.webhook.health}/healthz`)).status).toBe(200);
    } finally {
      await cluster.startApiServer();
    }
  }, 120_000);

  test('after the restart it resyncs: a Service created then is seen', async () => {
    const { cluster } = suite;
    await cluster.kubectlOk(['create', 'service', 'clusterip', 'after-restart', '--tcp=80:8080', '-n', 'shop']);
    await vi.waitFor(async () => expect((await validate('after-restart')).allowed).toBe(true), { timeout: 45_000, interval: 250 });
    const res = await cluster.kubectl(['apply', '-f', '-'], { input: ingressManifest({ namespace: 'shop', name: 'after', host: 'after.example.com', service: 'after-restart' }) });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
  }, 60_000);
});
