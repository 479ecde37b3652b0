// Rolling the webhook out on a real API server: in audit mode a bad Ingress is admitted and the
// API server's audit log carries what would have been denied (auditAnnotations); a namespace
// labelled exempt is admitted without checks while others are still judged.
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { kubeAssets } from '../support/kube-cluster.js';
import { ingressManifest, startWebhook, useInstalledWebhook } from './gatehouse-install.js';

const assets = kubeAssets();
const badIngress = (namespace: string, name: string) => ingressManifest({ namespace, name, host: `${name}.${namespace}.example.com`, port: 8080 });

describe.skipIf(!assets)('webhook rule actions on a real API server', () => {
  const suite = useInstalledWebhook('gh-policy-');
  const restartWith = async (args: string[]) => {
    await suite.installed.webhook.stop();
    suite.installed.webhook = await startWebhook(suite.cluster, suite.installed.webhookKubeconfig, suite.installed.mounted, args);
  };
  const apply = (manifest: string) => suite.cluster.kubectl(['apply', '-f', '-'], { input: manifest });

  describe('--mode audit', () => {
    beforeAll(() => restartWith(['--mode', 'audit']), 60_000);

    test('a bad Ingress is admitted and the audit log records what would have been denied', async () => {
      const res = await apply(badIngress('shop', 'audited'));
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      await vi.waitFor(
        async () => {
          const events = await suite.cluster.auditEvents('gatehouse-test-admin');
          const created = events.find((e) => e.verb === 'create' && e.objectRef?.resource === 'ingresses' && e.objectRef.name === 'audited');
          expect(created?.annotations?.['validate.ingress.gatehouse.dev/backend-port']).toContain('has no port 8080');
        },
        { timeout: 10_000, interval: 250 },
      );
    });
  });

  describe('--exempt-namespace-label (enforcing)', () => {
    beforeAll(async () => {
      await restartWith([]);
      await suite.cluster.kubectlOk(['create', 'namespace', 'sandbox']);
      await suite.cluster.kubectlOk(['label', 'namespace', 'sandbox', 'gatehouse.dev/exempt=true']);
      await suite.cluster.kubectlOk(['create', 'service', 'clusterip', 'web', '--tcp=80:8080', '-n', 'sandbox']);
    }, 60_000);

    test('an Ingress in the exempt namespace is admitted without checks', async () => {
      await vi.waitFor(async () => expect((await apply(badIngress('sandbox', 'free'))).code).toBe(0), { timeout: 10_000, interval: 250 });
    });

    test('the same Ingress elsewhere is still denied', async () => {
      const res = await apply(badIngress('shop', 'judged'));
      expect(res.code).not.toBe(0);
      expect(res.stderr).toContain('[backend-port]');
    });
  });
});
