import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildHealthServer } from '../../src/health/server.js';
import { createWebhookMetrics } from '../../src/metrics.js';
import { shopCluster } from '../fixtures/builders.js';

describe('health server', () => {
  let ready = false;
  let app: FastifyInstance;
  let base: string;
  const metrics = createWebhookMetrics(() => shopCluster());

  beforeAll(async () => {
    app = buildHealthServer({ ready: () => ready, notReadyReason: () => 'informers have not synced', registry: metrics.registry });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(() => app.close());

  test('healthz answers ok from the start', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  test('readyz stays 503 with the reason until ready, then 200', async () => {
    const before = await fetch(`${base}/readyz`);
    expect(before.status).toBe(503);
    expect(await before.text()).toContain('informers have not synced');
    ready = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  test('readyz stays 200 while degraded and says what is missing in its body', async () => {
    const degraded = buildHealthServer({ ready: () => true, degraded: () => 'degraded: 1 owned Ingress left out', registry: metrics.registry });
    const res = await degraded.inject({ method: 'GET', url: '/readyz' });
    expect([res.statusCode, res.body]).toEqual([200, 'ok\ndegraded: 1 owned Ingress left out\n']);
    await degraded.close();
  });

  test('metrics exposes the admission and snapshot series in Prometheus text format', async () => {
    metrics.admission.review('validate', 'denied', 0.0004);
    metrics.admission.findings([{ rule: 'backend-port', severity: 'deny', path: 'spec', message: 'm' }]);
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('gatehouse_admission_requests_total{webhook="validate",verdict="denied"} 1');
    expect(text).toContain('gatehouse_rule_findings_total{rule="backend-port",severity="deny"} 1');
    expect(text).toContain('gatehouse_admission_duration_seconds_bucket');
    expect(text).toContain('gatehouse_snapshot_objects{kind="Service"} 1');
    expect(text).toContain('gatehouse_snapshot_objects{kind="Namespace"} 2');
  });
});

describe('health server /existing', () => {
  test.for([
    ['with a provider: its value as JSON', true, 200],
    ['without one (the controller): 404', false, 404],
  ] as const)('%s', async ([, withProvider, status]) => {
    const metrics = createWebhookMetrics(() => shopCluster());
    const entries = [{ namespace: 'shop', name: 'web', allowed: false, findings: [{ rule: 'backend-service', severity: 'deny', path: 'p', message: 'm' }] }];
    const app = buildHealthServer({ ready: () => true, registry: metrics.registry, ...(withProvider ? { existing: () => entries } : {}) });
    try {
      const res = await app.inject({ method: 'GET', url: '/existing' });
      expect(res.statusCode).toBe(status);
      if (withProvider) expect(res.json()).toEqual(entries);
    } finally {
      await app.close();
    }
  });
});
