import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ControllerConfig } from '../config/controller-config.js';
import { normalizeIngress } from '../k8s/normalize-ingress.js';
import { isOwned } from '../k8s/ownership.js';
import { objectKey, type ClusterSnapshot } from '../k8s/snapshot.js';
import type { BuildModelResult } from '../nginx/build-model.js';
import { desiredLoadBalancer } from './ingress-status.js';
import { startLeaderElection } from './leader-election.js';
import { StatusWriter } from './status-writer.js';

/** Writes Ingress status when leading; followers only render and serve. */
export interface StatusPublishing {
  /** nginx now serves this build: write the status of the Ingresses it serves (leader only). */
  publish(build: BuildModelResult): void;
  stop(): Promise<void>;
}

export function startStatusPublishing(opts: {
  readonly kubeConfig: KubeConfig;
  readonly config: ControllerConfig;
  readonly cluster: ClusterSnapshot;
  readonly logger: Logger;
}): StatusPublishing {
  const { config, cluster, logger } = opts;
  const writer = new StatusWriter({ kubeConfig: opts.kubeConfig, logger });
  let served: BuildModelResult | undefined;
  let writing: Promise<unknown> = Promise.resolve();

  const write = (): void => {
    if (!served || !election.isLeader()) return;
    const skipped = new Set(served.skipped.map((s) => s.ingress));
    const owned = cluster
      .ingresses()
      .filter((i) => isOwned(normalizeIngress(i), cluster, config.rules.ownership) && !skipped.has(objectKey(i)));
    const publishService = config.publishService ? cluster.service(config.publishService.namespace, config.publishService.name) : undefined;
    const desired = desiredLoadBalancer({ publishStatusAddress: config.publishStatusAddresses, ...(publishService ? { publishService } : {}) });
    if (desired.length === 0) return;
    writing = writing.then(() => writer.sync(owned, desired)).catch((err: unknown) => logger.error({ err }, 'status sync failed'));
  };

  const election = startLeaderElection({
    kubeConfig: opts.kubeConfig,
    namespace: config.electionNamespace,
    name: config.electionId,
    identity: `${hostname()}-${randomBytes(4).toString('hex')}`,
    logger,
    onStartedLeading: () => {
      logger.info('became the leader: writing Ingress status');
      write();
    },
    onStoppedLeading: () => logger.info('no longer the leader'),
  });

  return {
    publish(build) {
      served = build;
      write();
    },
    async stop() {
      await election.stop();
      await writing;
    },
  };
}
