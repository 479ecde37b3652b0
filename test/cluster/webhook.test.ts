// The whole webhook path on a real kube-apiserver, as an operator installs it and a user meets it:
// manifests applied with kubectl, certgen as its ServiceAccount, the webhook as its own, the API
// server calling it through the Service with the caBundle certgen wrote (Go's crypto/x509 judging
// the certificates), and kubectl showing the answers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { post1 } from '../support/https-client.js';
import { KubeCluster, kubeAssets } from '../support/kube-cluster.js';
import {
  applyInstall,
  caBundles,
  certgenCreate,
  certgenPatch,
  ingressManifest,
  MountedSecret,
  namespaceWithService,
  readTlsSecret,
  startWebhook,
  type RunningWebhook,
} from './gatehouse-install.js';

const assets = kubeAssets();

describe.skipIf(!assets)('webhook on a real API server', () => {
  let cluster: KubeCluster;
  let certgenKubeconfig: string;
  let webhookKubeconfig: string;
  let mounted: MountedSecret;
  let webhook: RunningWebhook | undefined;
  let certDir: string;

  const apply = (manifest: string, extra: string[] = []) => cluster.kubectl(['apply', '-f', '-', ...extra], { input: manifest });

  beforeAll(async () => {
    cluster = await KubeCluster.start(assets!);
    await applyInstall(cluster);
    certgenKubeconfig = await cluster.serviceAccountKubeconfig('gatehouse', 'gatehouse-certgen');
    webhookKubeconfig = await cluster.serviceAccountKubeconfig('gatehouse', 'gatehouse-webhook');
    certDir = await mkdtemp(join(tmpdir(), 'gh-mounted-'));
    mounted = new MountedSecret(certDir);
    await namespaceWithService(cluster, 'shop');
  }, 120_000);
  afterAll(async () => {
    await webhook?.stop();
    await cluster?.stop();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  }, 60_000);

  describe('certgen, as the certgen ServiceAccount', () => {
    test('create writes the Secret with the create Job args', async () => {
      const res = await certgenCreate(certgenKubeconfig);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      const secret = await readTlsSecret(cluster);
      const leaf = new X509Certificate(secret.cert);
      expect(leaf.subjectAltName).toContain('DNS:gatehouse-webhook.gatehouse.svc');
      expect(leaf.verify(new X509Certificate(secret.ca).publicKey)).toBe(true);
    });

    test('a rerun is a no-op: the resourceVersion does not move', async () => {
      const before = await readTlsSecret(cluster);
      const res = await certgenCreate(certgenKubeconfig);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain('nothing to do');
      expect((await readTlsSecret(cluster)).resourceVersion).toBe(before.resourceVersion);
    });

    test('a new host re-issues the serving certificate from the same CA', async () => {
      const before = await readTlsSecret(cluster);
      const res = await certgenCreate(certgenKubeconfig, ['--host=gatehouse-webhook,gatehouse-webhook.gatehouse,gatehouse-webhook.gatehouse.svc,gatehouse-webhook.gatehouse.svc.cluster.local']);
      expect(res.code).toBe(0);
      const after = await readTlsSecret(cluster);
      expect(after.cert).not.toBe(before.cert);
      expect(after.ca).toBe(before.ca);
      expect(new X509Certificate(after.cert).subjectAltName).toContain('DNS:gatehouse-webhook.gatehouse.svc.cluster.local');
    });

    test('RBAC confines it: a Secret of another name cannot be read', async () => {
      const res = await cluster.kubectl(['get', 'secret', 'other', '-n', 'gatehouse'], { kubeconfig: certgenKubeconfig });
      expect(res.stderr).toContain('Forbidden');
    });

    test('patch fills the caBundle of both webhook configurations that install.yaml created', async () => {
      expect((await caBundles(cluster)).every((b) => b === '')).toBe(true);
      const res = await certgenPatch(certgenKubeconfig);
      expect(res.code).toBe(0);
      const { ca } = await readTlsSecret(cluster);
      expect(await caBundles(cluster)).toEqual([ca, ca]);
    });
  });

  describe('kubectl against the webhook, run as the webhook ServiceAccount', () => {
    beforeAll(async () => {
      await mounted.write(await readTlsSecret(cluster));
      webhook = await startWebhook(cluster, webhookKubeconfig, mounted);
    }, 60_000);

    test('a bad Ingress is refused, naming every rule', async () => {
      const bad = ingressManifest({
        namespace: 'shop',
        name: 'bad',
        host: 'shop.example.com',
        path: '/checkout',
        port: 8080,
        annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/$2', 'nginx.ingress.kubernetes.io/proxy-body-size': '8m; load_module /tmp/x.so' },
        extraPaths: [{ path: '/api', service: 'api', port: 80 }],
      });
      const res = await apply(bad);
      expect(res.code).not.toBe(0);
      expect(res.stderr).toContain('admission webhook "validate.ingress.gatehouse.dev" denied the request:');
      for (const rule of ['backend-port', 'backend-service', 'rewrite', 'annotations']) expect(res.stderr).toContain(`[${rule}] `);
      expect(res.stderr).toContain('[backend-port] spec.rules[0].http.paths[0].backend.service.port.number:');
    });

    test('--dry-run=server is judged the same way, and persists nothing', async () => {
      const bad = ingressManifest({ namespace: 'shop', name: 'dry', host: 'dry.example.com', port: 9999 });
      const refused = await apply(bad, ['--dry-run=server']);
      expect(refused.stderr).toContain('denied the request:');
      expect(refused.stderr).toContain('[backend-port]');
      const good = ingressManifest({ namespace: 'shop', name: 'dry', host: 'dry.example.com' });
      const accepted = await apply(good, ['--dry-run=server']);
      expect(accepted.stdout).toContain('(server dry run)');
      expect((await cluster.kubectl(['get', 'ingress', 'dry', '-n', 'shop'])).stderr).toContain('NotFound');
    });

    test('the class annotation is converted to spec.ingressClassName, with a Warning', async () => {
      const legacy = ingressManifest({ namespace: 'shop', name: 'legacy', host: 'legacy.example.com', className: null, annotations: { 'kubernetes.io/ingress.class': 'nginx' } });
      const res = await apply(legacy);
      expect(res.code).toBe(0);
      expect(res.stderr).toMatch(/^Warning: .*ingress\.class/m);
      const stored = JSON.parse(await cluster.kubectlOk(['get', 'ingress', 'legacy', '-n', 'shop', '-o', 'json']));
      expect(stored.spec.ingressClassName).toBe('nginx');
      expect(stored.metadata.annotations?.['kubernetes.io/ingress.class']).toBeUndefined();
    });

    test('a good Ingress is created', async () => {
      const res = await apply(ingressManifest({ namespace: 'shop', name: 'good', host: 'shop.example.com' }));
      expect(res.stderr).toBe('');
      expect(res.stdout).toContain('ingress.networking.k8s.io/good created');
    });

    test('a Service created after start is seen', async () => {
      const late = ingressManifest({ namespace: 'shop', name: 'late', host: 'late.example.com', service: 'late' });
      expect((await apply(late)).stderr).toContain('[backend-service]');
      await cluster.kubectlOk(['create', 'service', 'clusterip', 'late', '--tcp=80:8080', '-n', 'shop']);
      await vi.waitFor(async () => expect((await apply(late)).code).toBe(0), { timeout: 10_000, interval: 200 });
    });

    test('a live host/path conflict with another namespace is refused', async () => {
      await namespaceWithService(cluster, 'intruder');
      const res = await apply(ingressManifest({ namespace: 'intruder', name: 'grab', host: 'shop.example.com' }));
      expect(res.code).not.toBe(0);
      expect(res.stderr).toContain('[host-path-conflict]');
      expect(res.stderr).toContain('shop/good');
    });

    test('UPDATE is judged: a broken change is refused and the stored object is kept', async () => {
      const res = await apply(ingressManifest({ namespace: 'shop', name: 'good', host: 'shop.example.com', port: 8443 }));
      expect(res.stderr).toContain('[backend-port]');
      const stored = JSON.parse(await cluster.kubectlOk(['get', 'ingress', 'good', '-n', 'shop', '-o', 'json']));
      expect(stored.spec.rules[0].http.paths[0].backend.service.port.number).toBe(80);
    });

    test('DELETE goes through, and frees the host/path for another Ingress', async () => {
      expect((await cluster.kubectl(['delete', 'ingress', 'good', '-n', 'shop'])).code).toBe(0);
      await vi.waitFor(async () => expect((await apply(ingressManifest({ namespace: 'intruder', name: 'grab', host: 'shop.example.com' }))).code).toBe(0), {
        timeout: 10_000,
        interval: 200,
      });
    });
  });

  describe('caller authentication (--client-ca-file) with the API server presenting its AdmissionConfiguration certificate', () => {
    beforeAll(async () => {
      await webhook?.stop();
      const caFile = join(certDir, 'client-ca.crt');
      const { writeFile } = await import('node:fs/promises');
      await writeFile(caFile, cluster.webhookClientCa);
      webhook = await startWebhook(cluster, webhookKubeconfig, mounted, ['--client-ca-file', caFile, '--allowed-client-names', 'kube-apiserver-admission']);
    }, 60_000);

    test('the API server calls are admitted', async () => {
      const res = await apply(ingressManifest({ namespace: 'shop', name: 'mtls', host: 'mtls.example.com' }));
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
    });

    test('a caller without the certificate is refused at the TLS handshake', async () => {
      const { ca } = await readTlsSecret(cluster);
      const review = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: '705ab4f5-6393-11e8-b7cc-42010a800002' } });
      await expect(post1(`https://${webhook!.address}/validate`, review, { ca, servername: 'gatehouse-webhook.gatehouse.svc' })).rejects.toThrow();
    });

    test('after a certificate rotation the API server is still admitted', async () => {
      const before = await readTlsSecret(cluster);
      // A new host makes certgen re-issue the serving certificate.
      expect((await certgenCreate(certgenKubeconfig, ['--host=gatehouse-webhook.gatehouse.svc,gatehouse-webhook,rotated.gatehouse.svc'])).code).toBe(0);
      expect((await certgenPatch(certgenKubeconfig)).code).toBe(0);
      const rotated = await readTlsSecret(cluster);
      expect(rotated.cert).not.toBe(before.cert);
      await mounted.write(rotated);
      const served = rotated.cert;
      // The reloader polls every 10 s; wait until the new certificate is what the webhook serves.
      await vi.waitFor(
        async () => {
          const res = await post1(`https://${webhook!.address}/validate`, '{}', {
            ca: (await readTlsSecret(cluster)).ca,
            servername: 'gatehouse-webhook.gatehouse.svc',
            cert: cluster.webhookClientCert.cert,
            key: cluster.webhookClientCert.key,
          });
          expect(res.peer?.fingerprint256).toBe(new X509Certificate(served).fingerprint256);
        },
        { timeout: 20_000, interval: 500 },
      );
      const res = await apply(ingressManifest({ namespace: 'shop', name: 'mtls-after', host: 'mtls-after.example.com' }));
      expect(res.stderr).toBe('');
    }, 40_000);
  });
});
