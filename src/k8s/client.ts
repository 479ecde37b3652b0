import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * The KubeConfig for `--kubeconfig PATH`; without a path, the in-cluster ServiceAccount config when
 * running in a Pod (KUBERNETES_SERVICE_HOST is set, https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/),
 * else client-node's default search ($KUBECONFIG, ~/.kube/config). Throws when the result names no cluster.
 */
export function loadKubeConfig(kubeconfigPath?: string, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) {
    try {
      kc.loadFromFile(kubeconfigPath);
    } catch (err) {
      throw new Error(`cannot load kubeconfig ${kubeconfigPath}: ${(err as Error).message}`);
    }
  } else if (env.KUBERNETES_SERVICE_HOST) {
    kc.loadFromCluster();
  } else {
    // client-node's last resort is http://localhost:8080, which fails forever with a message about
    // skipTLSVerify; say what is missing instead.
    const home = env.HOME ?? homedir();
    if (!env.KUBECONFIG && !existsSync(join(home, '.kube', 'config'))) {
      throw new Error('not in a cluster: pass --kubeconfig or --snapshot (no KUBERNETES_SERVICE_HOST, no $KUBECONFIG, no ~/.kube/config)');
    }
    kc.loadFromDefault();
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig ${kubeconfigPath ?? '(default)'} has no current cluster`);
  return kc;
}
