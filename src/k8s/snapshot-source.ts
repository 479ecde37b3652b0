import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { GatehouseError } from '../errors.js';
import { loadFileSnapshot } from './file-snapshot.js';
import type { ClusterSnapshot } from './snapshot.js';
import type { SnapshotKind } from './types.js';

/** Where the snapshot comes from, behind one shape: files (always synced) or informers. */
export interface SnapshotSource {
  readonly cluster: ClusterSnapshot;
  readonly synced: () => boolean;
  readonly description: string;
  /** The API connection, for a live source (leader election and status writes use it too). */
  readonly kubeConfig?: KubeConfig;
  /** Resolves once every kind has been listed (at once for files). */
  whenSynced(): Promise<void>;
  /** Calls the listener after every change (never for files); returns an unsubscribe. */
  onChange(listener: (kind: SnapshotKind) => void): () => void;
  stop(): Promise<void>;
}

/** What the webhook reads; the controller adds EndpointSlices. ConfigMaps: only labelled ones (informer-sources.ts). */
export const WEBHOOK_KINDS: readonly SnapshotKind[] = ['Namespace', 'Service', 'Secret', 'IngressClass', 'Ingress', 'ConfigMap'];
export const CONTROLLER_KINDS: readonly SnapshotKind[] = [...WEBHOOK_KINDS, 'EndpointSlice'];

/** `--snapshot` files when given, else the live API (`--kubeconfig` or in-cluster). */
export async function openSnapshotSource(
  config: { readonly snapshotPaths: readonly string[]; readonly kubeconfig?: string; /** Where to look for in-cluster/kubeconfig hints (the process env). */ readonly env?: NodeJS.ProcessEnv },
  logger: Logger,
  kinds: readonly SnapshotKind[] = WEBHOOK_KINDS,
): Promise<SnapshotSource> {
  if (config.snapshotPaths.length > 0) {
    const { store } = await loadFileSnapshot(config.snapshotPaths);
    logger.info({ paths: config.snapshotPaths, counts: store.counts() }, 'snapshot loaded from files');
    return {
      cluster: store,
      synced: () => true,
      description: config.snapshotPaths.join(','),
      whenSynced: async () => {},
      onChange: () => () => {},
      stop: async () => {},
    };
  }
  // Loaded only for the live API: @kubernetes/client-node alone weighs ~80 MB of RSS.
  const [{ loadKubeConfig }, { startLiveSnapshot }] = await Promise.all([import('./client.js'), import('./informers.js')]);
  let kc;
  try {
    kc = loadKubeConfig(config.kubeconfig, config.env);
  } catch (err) {
    throw new GatehouseError('KUBE_CONFIG', (err as Error).message, { cause: err });
  }
  const live = startLiveSnapshot(kc, { kinds: [...kinds], logger });
  return {
    cluster: live.snapshot,
    synced: () => live.synced(),
    description: `API server ${kc.getCurrentCluster()?.server ?? ''}`,
    kubeConfig: kc,
    whenSynced: () => live.whenSynced(),
    onChange: (listener) => live.onChange(listener),
    stop: () => live.stop(),
  };
}
