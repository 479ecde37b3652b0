import type { Logger } from 'pino';
import type { Ingress } from '../k8s/types.js';
import type { EventRecorder, EventType } from './event-recorder.js';
import type { ControllerMetrics } from './metrics.js';

/**
 * Why an owned Ingress is not served: `ConfigurationRejected` — `nginx -t` fails with it, so the
 * quarantine left it out; `CannotRender` — the controller refused to render it (buildModel's
 * `skipped`: a refused annotation, an unsafe value).
 */
export type ExclusionReason = 'ConfigurationRejected' | 'CannotRender';

export interface Exclusion {
  /** `namespace/name`. */
  readonly ingress: string;
  readonly reason: ExclusionReason;
  /** nginx's error line, or the controller's reason. */
  readonly message: string;
}

export interface ExclusionReportOptions {
  /** The Ingress as the cache has it (an Event needs its uid); undefined once deleted. */
  readonly lookup: (namespace: string, name: string) => Ingress | undefined;
  readonly recorder?: EventRecorder;
  readonly metrics?: ControllerMetrics;
  readonly logger?: Logger;
}

/** Reason of the Normal Event once an excluded Ingress is served again. */
export const SERVED_AGAIN = 'ConfigurationAccepted';

/** Readiness lists this many exclusions, then a count. */
const SUMMARY_LINES = 20;

function split(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

function eventMessage(e: Exclusion): string {
  if (e.reason === 'ConfigurationRejected') {
    return `Not served: nginx rejects the configuration with this Ingress, so it was left out and every other Ingress is served. nginx said: ${e.message}`;
  }
  return `Not served: ${e.message}`;
}

/**
 * Tells everyone which Ingresses the served configuration leaves out: one Warning Event per
 * Ingress when it becomes excluded (or its reason changes) and a Normal one when it is served
 * again, a `gatehouse_ingress_excluded` series while it is excluded, a log line per change, and
 * the summary `/readyz` shows. Only changes are reported, so a round that changes nothing sends
 * nothing to the API.
 */
export class ExclusionReport {
  private current = new Map<string, Exclusion>();

  constructor(private readonly opts: ExclusionReportOptions) {}

  /** Ingresses the served configuration leaves out, by key. */
  get exclusions(): readonly Exclusion[] {
    return [...this.current.values()];
  }

  /** Replaces the excluded set; resolves once the Events were recorded (or failed). */
  update(exclusions: readonly Exclusion[]): Promise<void> {
    const next = new Map(exclusions.map((e) => [e.ingress, e]));
    const events: Promise<void>[] = [];
    const gauge = this.opts.metrics?.ingressExcluded;
    const event = (key: string, type: EventType, reason: string, message: string): void => {
      const { namespace, name } = split(key);
      const ingress = this.opts.lookup(namespace, name);
      const recorder = this.opts.recorder;
      if (ingress && recorder) events.push(Promise.resolve().then(() => recorder.record(ingress, type, reason, message)).catch(() => undefined));
    };
    for (const [key, e] of next) {
      const before = this.current.get(key);
      if (before?.reason === e.reason && before.message === e.message) continue;
      if (before && before.reason !== e.reason) gauge?.remove({ ...split(key), reason: before.reason });
      gauge?.set({ ...split(key), reason: e.reason }, 1);
      this.opts.logger?.error({ ingress: key, reason: e.reason, message: e.message }, 'Ingress left out of the served configuration');
      event(key, 'Warning', e.reason, eventMessage(e));
    }
    for (const [key, before] of this.current) {
      if (next.has(key)) continue;
      gauge?.remove({ ...split(key), reason: before.reason });
      this.opts.logger?.info({ ingress: key }, 'Ingress served again');
      event(key, 'Normal', SERVED_AGAIN, 'Served again: nginx accepts the configuration with this Ingress.');
    }
    this.current = next;
    return Promise.all(events).then(() => undefined);
  }

  /** For `/readyz`: what the served configuration leaves out, or undefined when it is complete. */
  summary(): string | undefined {
    if (this.current.size === 0) return undefined;
    const all = [...this.current.values()].sort((a, b) => (a.ingress < b.ingress ? -1 : 1));
    const lines = all.slice(0, SUMMARY_LINES).map((e) => `  ${e.ingress}: ${e.reason}: ${e.message}`);
    if (all.length > SUMMARY_LINES) lines.push(`  … and ${all.length - SUMMARY_LINES} more (gatehouse_ingress_excluded lists all)`);
    return [`degraded: ${all.length} owned Ingress${all.length === 1 ? '' : 'es'} left out of the served configuration; every other one is served`, ...lines].join('\n');
  }
}
