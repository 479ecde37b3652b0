import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ClusterSnapshot } from './k8s/snapshot.js';
import { SNAPSHOT_KINDS } from './k8s/types.js';

/** The webhook's Prometheus metrics, on a registry of their own (no global state). */
export interface WebhookMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'webhook' | 'verdict'>;
  readonly duration: Histogram<'webhook'>;
  readonly findings: Counter<'rule' | 'severity'>;
  readonly auditFindings: Counter<'rule'>;
  readonly tlsCertExpiry: Gauge;
  /** Findings on the Ingresses already in the cluster (report/existing-report.ts). */
  readonly existingFindings: Gauge<'rule' | 'severity'>;
}

export function createWebhookMetrics(cluster: () => ClusterSnapshot, registry = new Registry()): WebhookMetrics {
  collectDefaultMetrics({ register: registry, prefix: 'gatehouse_' });
  const requests = new Counter({
    name: 'gatehouse_admission_requests_total',
    help: 'AdmissionReviews answered, by webhook (validate, mutate) and verdict (allowed, denied, patched, errored, rejected)',
    labelNames: ['webhook', 'verdict'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'gatehouse_admission_duration_seconds',
    help: 'Time to decide one AdmissionReview, body decoded to answer encoded',
    labelNames: ['webhook'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [registry],
  });
  const findings = new Counter({
    name: 'gatehouse_rule_findings_total',
    help: 'Findings reported by rules, by rule id and severity',
    labelNames: ['rule', 'severity'] as const,
    registers: [registry],
  });
  const auditFindings = new Counter({
    name: 'gatehouse_audit_findings_total',
    help: 'Findings the policy (--mode audit, --rule-action RULE=audit) admitted and recorded, by rule id',
    labelNames: ['rule'] as const,
    registers: [registry],
  });
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
  return { registry, requests, duration, findings, auditFindings, tlsCertExpiry, existingFindings };
}
