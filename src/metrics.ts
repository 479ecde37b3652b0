import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ClusterSnapshot } from './k8s/snapshot.js';
import { SNAPSHOT_KINDS } from './k8s/types.js';
import type { Finding } from './rules/types.js';
import { distribution, histogramValues, observe, registerScrapeMetric, type Distribution } from './scrape-metrics.js';

/** Which webhook answered: `unknown` when the request was refused before a route took it (a body over budget, not JSON). */
export type WebhookName = 'validate' | 'mutate' | 'unknown';

/** A review's outcome, the `verdict` label. */
export type Verdict = 'allowed' | 'denied' | 'patched' | 'errored' | 'rejected';

const WEBHOOK_NAMES: readonly WebhookName[] = ['validate', 'mutate', 'unknown'];
const VERDICTS: readonly Verdict[] = ['allowed', 'denied', 'patched', 'errored', 'rejected'];

/** Upper bounds of gatehouse_admission_duration_seconds, seconds. */
const DURATION_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];

type Counts<K extends string> = Record<K, number>;

function zeros<K extends string>(keys: readonly K[]): Counts<K> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Counts<K>;
}

/**
 * The admission path's metrics: plain numbers updated per review, turned into Prometheus series at
 * scrape time (scrape-metrics.ts). Rule ids are the label values of the findings counters: a fixed
 * set from the code, never from a request.
 */
export class AdmissionMetrics {
  private readonly answered: Record<WebhookName, Counts<Verdict>> = { validate: zeros(VERDICTS), mutate: zeros(VERDICTS), unknown: zeros(VERDICTS) };
  private readonly durations: Record<WebhookName, Distribution> = {
    validate: distribution(DURATION_BUCKETS),
    mutate: distribution(DURATION_BUCKETS),
    unknown: distribution(DURATION_BUCKETS),
  };
  private readonly findingCounts = new Map<string, Counts<Finding['severity']>>();
  private readonly auditCounts = new Map<string, number>();

  constructor(registry: Registry) {
    registerScrapeMetric(
      registry,
      'gatehouse_admission_requests_total',
      'AdmissionReviews answered, by webhook (validate, mutate) and verdict (allowed, denied, patched, errored, rejected)',
      'counter',
      () => WEBHOOK_NAMES.flatMap((webhook) => VERDICTS.filter((v) => this.answered[webhook][v] > 0).map((verdict) => ({ labels: { webhook, verdict }, value: this.answered[webhook][verdict] }))),
    );
    registerScrapeMetric(registry, 'gatehouse_admission_duration_seconds', 'Time from an AdmissionReview read to its decision, including the wait behind reviews read in the same event-loop turn', 'histogram', () =>
      histogramValues('gatehouse_admission_duration_seconds', DURATION_BUCKETS, WEBHOOK_NAMES.map((webhook) => ({ labels: { webhook }, distribution: this.durations[webhook] }))),
    );
    registerScrapeMetric(registry, 'gatehouse_rule_findings_total', 'Findings reported by rules, by rule id and severity', 'counter', () =>
      [...this.findingCounts].flatMap(([rule, counts]) =>
        (['deny', 'warn'] as const).filter((s) => counts[s] > 0).map((severity) => ({ labels: { rule, severity }, value: counts[severity] })),
      ),
    );
    registerScrapeMetric(
      registry,
      'gatehouse_audit_findings_total',
      'Findings the policy (--mode audit, --rule-action RULE=audit) admitted and recorded, by rule id',
      'counter',
      () => [...this.auditCounts].map(([rule, value]) => ({ labels: { rule }, value })),
    );
  }

  /** Counts one answered review; `seconds`, the time to decide it, when it was decided. */
  review(webhook: WebhookName, verdict: Verdict, seconds?: number): void {
    this.answered[webhook][verdict]++;
    if (seconds !== undefined) observe(this.durations[webhook], DURATION_BUCKETS, seconds);
  }

  /** Counts findings by rule and severity (a review may hold 150,000). */
  findings(findings: readonly Finding[]): void {
    for (const f of findings) {
      let counts = this.findingCounts.get(f.rule);
      if (counts === undefined) this.findingCounts.set(f.rule, (counts = { deny: 0, warn: 0 }));
      counts[f.severity]++;
    }
  }

  /** Counts findings the policy admitted and recorded (audit), by rule. */
  audited(findings: readonly Finding[]): void {
    for (const f of findings) this.auditCounts.set(f.rule, (this.auditCounts.get(f.rule) ?? 0) + 1);
  }
}

/** The webhook's Prometheus metrics, on a registry of their own (no global state). */
export interface WebhookMetrics {
  readonly registry: Registry;
  readonly admission: AdmissionMetrics;
  readonly tlsCertExpiry: Gauge;
  /** Findings on the Ingresses already in the cluster (report/existing-report.ts). */
  readonly existingFindings: Gauge<'rule' | 'severity'>;
}

export function createWebhookMetrics(cluster: () => ClusterSnapshot, registry = new Registry()): WebhookMetrics {
  collectDefaultMetrics({ register: registry, prefix: 'gatehouse_' });
  const admission = new AdmissionMetrics(registry);
  new Gauge({
    name: 'gatehouse_snapshot_objects',
    help: 'Objects in the cluster snapshot, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const counts = cluster().counts();
      for (const kind of SNAPSHOT_KINDS) this.set({ kind }, counts[kind]);
    },
  });
  const tlsCertExpiry = new Gauge({
    name: 'gatehouse_tls_cert_expiry_timestamp_seconds',
    help: 'notAfter of the serving certificate in use, as a Unix timestamp',
    registers: [registry],
  });
  const existingFindings = new Gauge({
    name: 'gatehouse_existing_findings',
    help: 'Findings on the Ingresses already in the cluster, as of the last background pass, by rule id and severity',
    labelNames: ['rule', 'severity'] as const,
    registers: [registry],
  });
  return { registry, admission, tlsCertExpiry, existingFindings };
}
