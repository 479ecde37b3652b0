// Certificate rotation under load on a real API server: while admissions keep flowing, certgen
// re-issues the serving certificate, then rotates the CA; the API server (Go's crypto/x509, the
// caBundle certgen patched) must never fail a call. The order is what the manifests do: create,
// then patch, and only later does the kubelet update the mounted Secret.
import { X509Certificate } from 'node:crypto';
import { describe, expect, test, vi } from 'vitest';
import { post1 } from '../support/https-client.js';
import { kubeAssets, type KubeCluster } from '../support/kube-cluster.js';
import { certgenCreate, certgenPatch, caBundles, ingressManifest, readTlsSecret, useInstalledWebhook } from './gatehouse-install.js';

const assets = kubeAssets();
const HOSTS = 'gatehouse-webhook,gatehouse-webhook.gatehouse,gatehouse-webhook.gatehouse.svc';

/** Admissions in a loop (server-side dry-run creates, each calling both webhooks) until stopped. */
function admissionLoop(cluster: KubeCluster, workers: number) {
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const body = JSON.parse(ingressManifest({ namespace: 'shop', name: 'load', host: 'load.example.com' }));
  const worker = async () => {
    while (running) {
      try {
        const res = await cluster.api('POST', '/apis/networking.k8s.io/v1/namespaces/shop/ingresses?dryRun=All', body);
        if (res.status === 201) ok++;
        else failures.push(`${res.status}: ${res.json?.message}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  };
  const done = Promise.all(Array.from({ length: workers }, worker));
  return {
    get ok() {
      return ok;
    },
    failures,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

describe.skipIf(!assets)('certificate rotation under load', () => {
  const suite = useInstalledWebhook('gh-rotation-');

  /** Waits until the webhook presents `certPem` on new connections (the reloader polls every 10 s). */
  async function waitUntilServed(certPem: string): Promise<void> {
    const { cluster, installed } = suite;
    const want = new X509Certificate(certPem).fingerprint256;
    await vi.waitFor(
      async () => {
        const res = await post1(`https://${installed.webhook.address}/validate`, '{}', { ca: (await readTlsSecret(cluster)).ca, servername: 'gatehouse-webhook.gatehouse.svc' });
        expect(res.peer?.fingerprint256).toBe(want);
      },
      { timeout: 25_000, interval: 250 },
    );
  }

  test('a new serving certificate, then a new CA, without one failed admission', async () => {
    const { cluster, installed } = suite;
    const load = admissionLoop(cluster, 4);
    try {
      await vi.waitFor(() => expect(load.ok).toBeGreaterThan(20), { timeout: 10_000 });

      // 1. A new serving certificate from the same CA (a new host forces it).
      const before = await readTlsSecret(cluster);
      expect((await certgenCreate(installed.certgenKubeconfig, [`--host=${HOSTS},reissued.gatehouse.svc`])).code).toBe(0);
      const reissued = await readTlsSecret(cluster);
      expect(reissued.ca).toBe(before.ca);
      expect(reissued.cert).not.toBe(before.cert);
      expect((await certgenPatch(installed.certgenKubeconfig)).code).toBe(0);
      await installed.mounted.write(reissued);
      await waitUntilServed(reissued.cert);
      const afterReissue = load.ok;
      await vi.waitFor(() => expect(load.ok).toBeGreaterThan(afterReissue + 20), { timeout: 10_000 });

      // 2. A new CA: the stored one (10 years) cannot outlive a certificate of 3651 days.
      expect((await certgenCreate(installed.certgenKubeconfig, [`--host=${HOSTS},rotated.gatehouse.svc`, '--cert-validity=3651d', '--ca-validity=20y'])).code).toBe(0);
      const rotated = await readTlsSecret(cluster);
      const [newCa, oldCa] = rotated.ca.split(/(?<=-----END CERTIFICATE-----)\s*/).filter(Boolean);
      expect(new X509Certificate(oldCa!).fingerprint256).toBe(new X509Certificate(before.ca).fingerprint256);
      expect(new X509Certificate(rotated.cert).verify(new X509Certificate(newCa!).publicKey)).toBe(true);
      expect((await certgenPatch(installed.certgenKubeconfig)).code).toBe(0);
      expect(await caBundles(cluster)).toEqual([rotated.ca, rotated.ca]);
      await installed.mounted.write(rotated);
      await waitUntilServed(rotated.cert);
      const afterRotation = load.ok;
      await vi.waitFor(() => expect(load.ok).toBeGreaterThan(afterRotation + 20), { timeout: 10_000 });
    } finally {
      await load.stop();
    }
    expect(load.failures).toEqual([]);
    expect(load.ok).toBeGreaterThan(60);
  }, 120_000);
});
