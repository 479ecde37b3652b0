// The Grafana dashboard and the PrometheusRule in manifests/monitoring/: valid JSON/YAML of the
// expected shape, and every PromQL expression names only metrics the code registers (read from
// the registries themselves, so a renamed metric fails here, not on an operator's dashboard).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { createControllerMetrics } from '../../src/controller/metrics.js';
import { TrafficMetrics } from '../../src/controller/traffic-metrics.js';
import { registerNginxStatusMetrics } from '../../src/controller/traffic-nginx-status.js';
import { TrafficReceiver } from '../../src/controller/traffic-receiver.js';
import { SnapshotStore } from '../../src/k8s/snapshot.js';
import { createWebhookMetrics } from '../../src/metrics.js';

const DIR = join(import.meta.dirname, '../../manifests/monitoring');

async function registeredNames(): Promise<Set<string>> {
  const registry = new Registry();
  createWebhookMetrics(() => new SnapshotStore(), registry);
  createControllerMetrics(registry);
  // What `gatehouse controller` registers besides (commands/controller.ts): the traffic metrics.
  new TrafficReceiver(new TrafficMetrics(registry), registry);
  registerNginxStatusMetrics(registry, async () => 'Active connections: 1\nserver accepts handled requests\n 1 1 1\nReading: 0 Writing: 1 Waiting: 0\n');
  const names = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    names.add(m.name);
    // Histograms and summaries are queried by their series.
    if (String(m.type) === 'histogram' || String(m.type) === 'summary') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
  }
  return names;
}

/** PromQL words that are not metric names. */
const PROMQL_WORDS = new Set(
  'sum min max avg count by without on ignoring group_left group_right and or unless bool offset rate increase irate delta histogram_quantile time vector abs clamp_min topk bottomk'.split(' '),
);

/** Metric names an expression uses: identifiers outside label matchers, grouping lists and strings. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\b(?:by|without|on|ignoring)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '[]');
  return [...stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)].map((m) => m[0]).filter((w) => !PROMQL_WORDS.has(w));
}

interface Target {
  expr: string;
  refId: string;
}
interface Panel {
  id: number;
  title: string;
  type: string;
  targets: Target[];
  gridPos: { h: number; w: number; x: number; y: number };
}
interface Rule {
  alert: string;
  expr: string;
  labels: { severity: string };
  annotations: { summary: string };
}

const dashboard = JSON.parse(await readFile(join(DIR, 'grafana-dashboard.json'), 'utf8')) as { uid: string; title: string; panels: Panel[] };
const rule = parse(await readFile(join(DIR, 'prometheus-rule.yaml'), 'utf8')) as { apiVersion: string; kind: string; spec: { groups: { name: string; rules: Rule[] }[] } };
const alerts = rule.spec.groups.flatMap((g) => g.rules);
const REGISTERED = await registeredNames();

describe('the Grafana dashboard', () => {
  test('is a dashboard with unique panel ids, each with at least one query', () => {
    expect(dashboard.uid).toBe('gatehouse');
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const p of dashboard.panels) expect(p.targets.length, p.title).toBeGreaterThan(0);
  });

  test.for(dashboard.panels.flatMap((p) => p.targets.map((t) => [`${p.title} ${t.refId}`, t.expr] as const)))('%s queries only registered metrics', ([, expr]) => {
    const names = metricNames(expr.replace(/\$__rate_interval/g, '5m'));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(REGISTERED, `${name} in ${expr}`).toContain(name);
  });

  test('panels cover the traffic metrics: requests by status class, latency percentiles, bytes, connections, certificate expiry', () => {
    const all = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const m of [
      'sum by (status) (rate(gatehouse_requests_total',
      'histogram_quantile(0.99, sum by (le) (rate(gatehouse_request_duration_seconds_bucket',
      'gatehouse_upstream_response_seconds_bucket',
      'gatehouse_request_bytes_total',
      'gatehouse_response_bytes_total',
      'gatehouse_nginx_connections',
      'gatehouse_ssl_certificate_expiry_timestamp_seconds',
    ])
      expect(all).toContain(m);
  });

  test('panels do not overlap', () => {
    const cells = new Set<string>();
    for (const p of dashboard.panels)
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++)
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${p.title} at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
  });

  test('panels cover reloads, reload failures, render time, excluded Ingresses, webhook latency and errors', () => {
    const all = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const m of ['gatehouse_nginx_reloads_total', 'gatehouse_nginx_config_last_reload_successful', 'gatehouse_config_render_seconds_bucket', 'gatehouse_ingress_excluded', 'gatehouse_admission_duration_seconds_bucket', 'gatehouse_admission_requests_total']) expect(all).toContain(m);
  });
});

describe('the PrometheusRule', () => {
  test('is a monitoring.coreos.com/v1 PrometheusRule with unique alert names and a severity each', () => {
    expect([rule.apiVersion, rule.kind]).toEqual(['monitoring.coreos.com/v1', 'PrometheusRule']);
    expect(new Set(alerts.map((a) => a.alert)).size).toBe(alerts.length);
    for (const a of alerts) {
      expect(['critical', 'warning', 'info'], a.alert).toContain(a.labels.severity);
      expect(a.annotations.summary, a.alert).toBeTruthy();
    }
  });

  test.for(alerts.map((a) => [a.alert, a.expr] as const))('%s uses only registered metrics', ([, expr]) => {
    const names = metricNames(expr);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(REGISTERED, `${name} in ${expr}`).toContain(name);
  });

  test('alerts on reload failures, excluded Ingresses, webhook errors, latency and certificate expiry', () => {
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining([
        'GatehouseNginxReloadFailing',
        'GatehouseNginxReloadFailures',
        'GatehouseIngressExcluded',
        'GatehouseWebhookErrors',
        'GatehouseWebhookSlow',
        'GatehouseWebhookCertificateExpiring',
        'GatehouseIngressCertificateExpiring',
        'GatehouseIngressCertificateExpired',
      ]),
    );
  });

  // gatehouse_requests_total is registered now (the traffic metrics); the check is kept honest
  // with a name no code registers.
  test('the name check catches a metric the code does not register', () => {
    expect(metricNames('sum by (ingress) (rate(gatehouse_request_total{status=~"5.."}[5m]))')).toEqual(['gatehouse_request_total']);
    expect(REGISTERED).not.toContain('gatehouse_request_total');
  });

  test('the Ingress certificate alerts read the per-host expiry the controller exports', () => {
    for (const name of ['GatehouseIngressCertificateExpiring', 'GatehouseIngressCertificateExpired']) {
      expect(alerts.find((a) => a.alert === name)?.expr).toMatch(/^min by \(host\) \(gatehouse_ssl_certificate_expiry_timestamp_seconds\) - time\(\) < /);
    }
  });
});
