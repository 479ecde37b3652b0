import type { Gauge } from 'prom-client';
import type { AdmissionDeps } from '../admission/handler.js';
import { existingRequest, reportOf } from '../check/run-check.js';
import { objectKey } from '../k8s/snapshot.js';
import type { Finding } from '../rules/types.js';

/** One Gatehouse Ingress already in the cluster and what the webhook would say about it now. */
export interface ExistingEntry {
  readonly namespace: string;
  readonly name: string;
  readonly allowed: boolean;
  readonly findings: readonly Finding[];
  /** Denials the policy lets through (audit): in audit mode these are what the report is for. */
  readonly audited: readonly Finding[];
}

export interface ExistingReportOptions {
  /** Quiet time after the last change before a pass starts (changes come in bursts). */
  readonly debounceMs?: number;
  /** Ingresses judged per turn of the event loop, so admission requests are served in between. */
  readonly batchSize?: number;
}

/**
 * The webhook's background audit of existing objects (Gatekeeper's audit, Kyverno's background
 * scan): after the cache changes it re-judges every Ingress in it through the same admission
 * sequence as `check --kubeconfig`, in batches yielded with setImmediate so admission requests
 * never wait behind it, and publishes the result at once when the pass ends: the
 * `gatehouse_existing_findings{rule,severity}` gauge and `entries()` (the status port's `/existing`).
 * https://open-policy-agent.github.io/gatekeeper/website/docs/audit/
 */
export class ExistingReport {
  private current: readonly ExistingEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private dirty = false;
  private stopped = false;
  private passes = 0;
  private readonly debounceMs: number;
  private readonly batchSize: number;

  constructor(
    private readonly deps: AdmissionDeps,
    private readonly gauge: Gauge<'rule' | 'severity'>,
    options: ExistingReportOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 1000;
    this.batchSize = options.batchSize ?? 50;
  }

  /** The last complete pass, Ingresses in namespace/name order. */
  entries(): readonly ExistingEntry[] {
    return this.current;
  }

  /** Completed passes (tests and logs). */
  completedPasses(): number {
    return this.passes;
  }

  /** Call on every cache change: a pass runs once changes have been quiet for debounceMs. */
  schedule(): void {
    if (this.stopped) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pass(), this.debounceMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async pass(): Promise<void> {
    this.timer = undefined;
    // An unsynced cache would judge against half the cluster; the sync's own changes reschedule.
    if (this.stopped || !this.deps.synced()) return;
    this.running = true;
    this.dirty = false;
    try {
      const ingresses = [...this.deps.cluster.ingresses()].sort((a, b) => objectKey(a).localeCompare(objectKey(b)));
      const next: ExistingEntry[] = [];
      for (let i = 0; i < ingresses.length; i += this.batchSize) {
        if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.stopped) return;
        for (const ingress of ingresses.slice(i, i + this.batchSize)) {
          const r = reportOf('cluster', existingRequest(ingress), this.deps);
          if (r.owned || r.error !== undefined) next.push({ namespace: r.namespace, name: r.name, allowed: r.allowed, findings: r.findings, audited: r.audited });
        }
      }
      this.publish(next);
    } finally {
      this.running = false;
      if (this.dirty) this.schedule();
    }
  }

  private publish(entries: readonly ExistingEntry[]): void {
    const counts = new Map<string, { rule: string; severity: string; n: number }>();
    for (const e of entries) {
      const labelled = [...e.findings.map((f) => ({ rule: f.rule, severity: f.severity as string })), ...e.audited.map((f) => ({ rule: f.rule, severity: 'audit' }))];
      for (const f of labelled) {
        const key = `${f.rule}\u0000${f.severity}`;
        const c = counts.get(key) ?? { rule: f.rule, severity: f.severity, n: 0 };
        c.n++;
        counts.set(key, c);
      }
    }
    // Series of rules that no longer find anything go away with the reset (no stale gauges).
    this.gauge.reset();
    for (const c of counts.values()) this.gauge.set({ rule: c.rule, severity: c.severity }, c.n);
    this.current = Object.freeze(entries);
    this.passes++;
  }
}
