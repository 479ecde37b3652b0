import type { Ingress } from '../k8s/types.js';

/** Kubernetes Event types (core/v1 Event `type`). */
export type EventType = 'Normal' | 'Warning';

/**
 * Where the controller tells an Ingress's owner what happened to it (`kubectl describe ingress`
 * shows these). Behind one interface so tests pass a hand-written fake; the live one is
 * kube-event-recorder.ts. Implementations never throw: an Event is a courtesy, never a reason
 * to stop serving.
 */
export interface EventRecorder {
  record(ingress: Ingress, type: EventType, reason: string, message: string): Promise<void>;
}
