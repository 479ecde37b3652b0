import { afterEach, describe, expect, test, vi } from 'vitest';
import { loadKubeConfig } from '../../src/k8s/client.js';
import { FakeKubeApi } from '../support/fake-kube-api.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('loadKubeConfig', () => {
  test('loads the file given with --kubeconfig', async () => {
    const api = await FakeKubeApi.start();
    try {
      expect(loadKubeConfig(await api.kubeconfigFile()).getCurrentCluster()?.server).toBe(api.url);
    } finally {
      await api.close();
    }
  });

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
