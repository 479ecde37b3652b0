import { AuthenticationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { loadKubeConfig } from '../../src/k8s/client.js';
import { KubeCluster, kubeAssets } from '../support/kube-cluster.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Who the API server says the config authenticates as (SelfSubjectReview, GA in 1.28). */
async function whoAmI(kc: KubeConfig): Promise<{ username?: string; groups?: string[] }> {
  const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
  return review.status?.userInfo ?? {};
}

const assets = kubeAssets();

describe.skipIf(!assets)('loadKubeConfig with a real API server', () => {
  let cluster: KubeCluster;
  beforeAll(async () => {
    cluster = await KubeCluster.start(assets!);
  }, 120_000);
  afterAll(async () => cluster?.stop(), 60_000);

  test('loads the file given with --kubeconfig: server, CA and client certificate', async () => {
    const kc = loadKubeConfig(cluster.adminKubeconfig);
    expect(kc.getCurrentCluster()?.server).toBe(cluster.server);
    expect(await whoAmI(kc)).toMatchObject({ username: 'gatehouse-test-admin', groups: expect.arrayContaining(['system:masters']) });
  });

  test('loads a ServiceAccount token kubeconfig', async () => {
    await cluster.kubectlOk(['create', 'serviceaccount', 'reader', '-n', 'default']);
    const kc = loadKubeConfig(await cluster.serviceAccountKubeconfig('default', 'reader'));
    expect(kc.getCurrentCluster()?.server).toBe(cluster.server);
    expect((await whoAmI(kc)).username).toBe('system:serviceaccount:default:reader');
  });
});

describe('loadKubeConfig', () => {
  test('names the file it cannot read', () => {
    expect(() => loadKubeConfig('/nonexistent/kubeconfig')).toThrow(/cannot load kubeconfig \/nonexistent\/kubeconfig: .*ENOENT/);
  });

  test('uses the in-cluster config inside a Pod', () => {
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '10.96.0.1');
    vi.stubEnv('KUBERNETES_SERVICE_PORT', '443');
    const kc = loadKubeConfig(undefined, process.env);
    expect(kc.getCurrentCluster()).toMatchObject({ name: 'inCluster', server: 'https://10.96.0.1:443' });
  });
});
