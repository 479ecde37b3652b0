import { CoreV1Api, type CoreV1Event, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { apiReason } from '../k8s/api-error.js';
import { abortOn } from '../k8s/request-options.js';
import type { Ingress, KubeObject } from '../k8s/types.js';
import type { EventRecorder, EventType } from './event-recorder.js';

export interface KubeEventRecorderOptions {
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  /** `reportingInstance` (the Pod name). */
  readonly instance: string;
  /** Each create is abandoned after this long. Default 10 s. */
  readonly requestTimeoutMs?: number;
}

/** events.k8s.io/v1 refuses a note over 1 kB; core/v1 has no limit, but kubectl shows one line. */
const MAX_MESSAGE = 1024;

/**
 * Creates core/v1 Events on Ingresses (RBAC: `create` on `events` in the Ingress's namespace —
 * see docs/controller.md). core/v1 rather than events.k8s.io/v1 because `kubectl describe`
 * reads core/v1 and both land in the same storage.
 * https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/event-v1/
 */
export class KubeEventRecorder implements EventRecorder {
  private readonly api: CoreV1Api;
  private readonly log: Logger;
  private readonly timeoutMs: number;

  constructor(private readonly opts: KubeEventRecorderOptions) {
    this.api = opts.kubeConfig.makeApiClient(CoreV1Api);
    this.log = opts.logger.child({ component: 'events' });
    this.timeoutMs = opts.requestTimeoutMs ?? 10_000;
  }

  async record(ingress: Ingress, type: EventType, reason: string, message: string): Promise<void> {
    await this.recordOn({ ...ingress, apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' }, type, reason, message);
  }

  /** An Event on any namespaced object (a refused ConfigMap: configmap/live-config.ts). */
  async recordOn(object: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const namespace = object.metadata?.namespace ?? 'default';
    const name = object.metadata?.name ?? '';
    const now = new Date();
    const body: CoreV1Event = {
      metadata: { generateName: `${name}.`, namespace },
      involvedObject: {
        ...(object.apiVersion ? { apiVersion: object.apiVersion } : {}),
        ...(object.kind ? { kind: object.kind } : {}),
        namespace,
        name,
        ...(object.metadata?.uid ? { uid: object.metadata.uid } : {}),
        ...(object.metadata?.resourceVersion ? { resourceVersion: object.metadata.resourceVersion } : {}),
      },
      type,
      reason,
      message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message,
      source: { component: 'gatehouse-controller' },
      reportingComponent: 'gatehouse.dev/ingress-controller',
      reportingInstance: this.opts.instance,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await this.api.createNamespacedEvent({ namespace, body }, abortOn(AbortSignal.timeout(this.timeoutMs)));
    } catch (err) {
      this.log.warn({ object: `${object.kind}/${namespace}/${name}`, reason, err: apiReason(err) }, `cannot record an Event on the ${object.kind ?? 'object'}`);
    }
  }
}
