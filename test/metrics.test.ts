import { Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { AdmissionMetrics } from '../src/metrics.js';

async function scrape(fill: (m: AdmissionMetrics) => void): Promise<string> {
  const registry = new Registry();
  fill(new AdmissionMetrics(registry));
  return registry.metrics();
}

describe('AdmissionMetrics', () => {
  test('counts reviews by webhook and verdict, and shows only the pairs seen', async () => {
    const text = await scrape((m) => {
      m.review('validate', 'denied', 0.0002);
      m.review('validate', 'denied', 0.0003);
      m.review('mutate', 'patched', 0.0001);
      m.review('unknown', 'rejected');
    });
    expect(text).toContain('gatehouse_admission_requests_total{webhook="validate",verdict="denied"} 2');
    expect(text).toContain('gatehouse_admission_requests_total{webhook="mutate",verdict="patched"} 1');
    expect(text).toContain('gatehouse_admission_requests_total{webhook="unknown",verdict="rejected"} 1');
    expect(text).not.toContain('verdict="allowed"');
  });

  test('observes the decision time in cumulative buckets, only for decided reviews', async () => {
    const text = await scrape((m) => {
      m.review('validate', 'allowed', 0.0002);
      m.review('validate', 'denied', 0.003);
      m.review('unknown', 'rejected');
    });
    expect(text).toContain('gatehouse_admission_duration_seconds_bucket{webhook="validate",le="0.0001"} 0');
    expect(text).toContain('gatehouse_admission_duration_seconds_bucket{webhook="validate",le="0.00025"} 1');
    expect(text).toContain('gatehouse_admission_duration_seconds_bucket{webhook="validate",le="0.005"} 2');
    expect(text).toContain('gatehouse_admission_duration_seconds_bucket{webhook="validate",le="+Inf"} 2');
    expect(text).toContain('gatehouse_admission_duration_seconds_sum{webhook="validate"} 0.0032');
    expect(text).toContain('gatehouse_admission_duration_seconds_count{webhook="validate"} 2');
    expect(text).not.toContain('gatehouse_admission_duration_seconds_count{webhook="unknown"}');
  });

  test('counts findings by rule and severity, and audited findings by rule', async () => {
    const f = (rule: string, severity: 'deny' | 'warn') => ({ rule, severity, path: 'spec', message: 'm' });
    const text = await scrape((m) => {
      m.findings([f('backend-port', 'deny'), f('backend-port', 'deny'), f('backend-port', 'warn'), f('annotations', 'warn')]);
      m.audited([f('tls', 'deny'), f('tls', 'deny')]);
    });
    expect(text).toContain('gatehouse_rule_findings_total{rule="backend-port",severity="deny"} 2');
    expect(text).toContain('gatehouse_rule_findings_total{rule="backend-port",severity="warn"} 1');
    expect(text).toContain('gatehouse_rule_findings_total{rule="annotations",severity="warn"} 1');
    expect(text).not.toContain('gatehouse_rule_findings_total{rule="annotations",severity="deny"}');
    expect(text).toContain('gatehouse_audit_findings_total{rule="tls"} 2');
  });
});
