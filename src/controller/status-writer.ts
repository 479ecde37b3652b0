import { NetworkingV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { apiReason, apiStatus } from '../k8s/api-error.js';
import { abortOn } from '../k8s/request-options.js';
import type { Ingress, LoadBalancerIngress } from '../k8s/types.js';
import { normalizeLoadBalancer, statusNeedsUpdate } from './ingress-status.js';

export interface StatusWriterOptions {
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  /** Writes in flight at once (ingress-nginx uses a pool of 10). */
  readonly concurrency?: number;
  /** Each write is abandoned after this long. Default 10 s. */
  readonly requestTimeoutMs?: number;
}

export interface StatusSyncResult {
  /** Ingresses whose status was written. */
  readonly updated: number;
  /** Writes that failed (logged with the Ingress and the API's message). */
  readonly failed: number;
  /** Ingresses deleted before their write reached the API (404): nothing to do, not an error. */
  readonly gone: number;
}

/** Writes status.loadBalancer.ingress of Ingresses through their /status subresource. Never throws. */
export class StatusWriter {
  private readonly api: NetworkingV1Api;
  private readonly log: Logger;
  private readonly concurrency: number;
  private readonly requestTimeoutMs: number;

  constructor(opts: StatusWriterOptions) {
    this.api = opts.kubeConfig.makeApiClient(NetworkingV1Api);
    this.log = opts.logger.child({ component: 'status-writer' });
    this.concurrency = Math.max(1, opts.concurrency ?? 10);
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
  }

  /**
   * Makes every Ingress in `owned` publish `desired`, writing only those whose status differs
   * (as the caller's copy shows it: an informer cache is current enough, and a stale copy only
   * costs one redundant, idempotent write).
   */
  async sync(owned: readonly Ingress[], desired: readonly LoadBalancerIngress[]): Promise<StatusSyncResult> {
    const addresses = normalizeLoadBalancer(desired);
    const queue = owned.filter((ingress) => statusNeedsUpdate(ingress, addresses));
    const result = { updated: 0, failed: 0, gone: 0 };
    const worker = async (): Promise<void> => {
      for (let ingress = queue.shift(); ingress; ingress = queue.shift()) result[await this.write(ingress, addresses)]++;
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker));
    if (result.updated + result.failed > 0) this.log.info({ ...result, addresses }, 'Ingress status synced');
    return result;
  }

  private async write(ingress: Ingress, addresses: readonly LoadBalancerIngress[]): Promise<keyof StatusSyncResult> {
    const namespace = ingress.metadata.namespace ?? '';
    const name = ingress.metadata.name ?? '';
    // A merge patch replaces the whole list, and touches nothing else of the Ingress.
    // https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/
    const body = { status: { loadBalancer: { ingress: addresses } } };
    const options = abortOn(AbortSignal.timeout(this.requestTimeoutMs), setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    try {
      await this.api.patchNamespacedIngressStatus({ namespace, name, body }, options);
      return 'updated';
    } catch (err) {
      if (apiStatus(err) === 404) {
        this.log.debug({ ingress: `${namespace}/${name}` }, 'Ingress deleted before its status was written');
        return 'gone';
      }
      this.log.warn({ ingress: `${namespace}/${name}`, reason: apiReason(err) }, 'cannot write Ingress status');
      return 'failed';
    }
  }
}
