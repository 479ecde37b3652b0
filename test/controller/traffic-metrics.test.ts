// Per-Ingress traffic metrics from the real nginx: the traffic log over loopback UDP into the
// controller's registry (controller/traffic-*.ts), nginx's connection counters, certificate expiry.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { certificateExpiries } from '../../src/controller/traffic-certificates.js';
import { TrafficMetrics } from '../../src/controller/traffic-metrics.js';
import { registerNginxStatusMetrics } from '../../src/controller/traffic-nginx-status.js';
import { TrafficReceiver } from '../../src/controller/traffic-receiver.js';
import { ACCESS_LOG_OFF_LINE } from '../../src/nginx/access-log.js';
import { ingress, service, shopCluster, tlsSecret } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { createTestCa } from '../fixtures/pki.js';
import { eventually, NginxHarness, request, startBackend, type Backend } from './harness.js';

let nginx: NginxHarness;
let backend: Backend;
let receiver: TrafficReceiver;
let traffic: TrafficMetrics;
const registry = new Registry();
const notAfter = new Date('2031-01-02T03:04:05Z');

async function value(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const v = (metric?.values ?? []).find((x) => Object.entries(labels).every(([k, want]) => String((x.labels as Record<string, unknown>)[k]) === want));
  return v?.value;
}

const WEB = { namespace: 'shop', ingress: 'web', service: 'web', path: '/api' };

beforeAll(async () => {
  backend = await startBackend('web', '127.0.0.4', (req, res) => {
    if (!req.url?.startsWith('/api/fail')) return false;
    res.statusCode = 502;
    res.end('bad');
    return true;
  });
  traffic = new TrafficMetrics(registry);
  receiver = new TrafficReceiver(traffic, registry);
  const trafficLog = await receiver.start();
  nginx = await NginxHarness.create();
  registerNginxStatusMetrics(registry, async () => (await request(nginx.statusPort, 'status', '/gatehouse/nginx-status')).text);
  nginx.extraRenderOptions = { trafficLog };
  const cert = createTestCa('Traffic CA').issue({ cn: 'web.test', sans: ['web.test'], notAfter });
  const cluster = shopCluster(
    service('shop', 'web'),
    endpointSlice('shop', 'web', [backend.ip], backend.port),
    tlsSecret('shop', 'web-tls', cert.cert, cert.key),
    ingress({ name: 'web', host: 'web.test', tls: [{ hosts: ['web.test'], secretName: 'web-tls' }], paths: [{ path: '/api', service: 'web' }] }),
    ingress({ name: 'quiet', host: 'quiet.test', paths: [{ path: '/', service: 'web' }] }),
  );
  // enable-access-log "false" on `quiet` (the annotation's line, as another feature renders it).
  const { text, build } = nginx.render(cluster);
  const quiet = text.replace(/(# shop\/quiet\n)/, `$1            ${ACCESS_LOG_OFF_LINE}\n`);
  expect(quiet).not.toBe(text);
  expect((await nginx.applier.apply(quiet, build.model.secretFiles)).status).toBe('applied');
  await nginx.runner.start();
});

afterAll(async () => {
  await nginx?.close();
  await receiver?.stop();
  await backend?.close();
});

describe('requests are counted per Ingress, Service, path and status class', () => {
  test('count, durations, upstream time and bytes, labelled by the Ingress path, not the URI', async () => {
    for (let i = 0; i < 5; i++) expect((await nginx.get('web.test', `/api/items/${i}?q=${i}`, { https: true, sni: 'web.test' })).status).toBe(200);
    expect(await eventually(async () => (await value('gatehouse_requests_total', { ...WEB, status: '2xx' })) === 5)).toBe(true);
    expect(await value('gatehouse_request_duration_seconds', { ...WEB, status: '2xx', le: '+Inf' })).toBe(5);
    expect(await value('gatehouse_upstream_response_seconds', { ...WEB, status: '2xx', le: '+Inf' })).toBe(5);
    expect(await value('gatehouse_request_bytes_total', { ...WEB, status: '2xx' })).toBeGreaterThan(5 * 20);
    expect(await value('gatehouse_response_bytes_total', { ...WEB, status: '2xx' })).toBeGreaterThan(5 * 100);
    expect(await registry.metrics()).not.toContain('/api/items');
  });

  test('status classes are separate series', async () => {
    expect((await nginx.get('web.test', '/api/fail', { https: true, sni: 'web.test' })).status).toBe(502);
    expect(await eventually(async () => (await value('gatehouse_requests_total', { ...WEB, status: '5xx' })) === 1)).toBe(true);
  });

  test('requests no Ingress serves are counted with empty labels', async () => {
    expect((await nginx.get('nobody.test', '/x')).status).toBe(404);
    expect(await eventually(async () => ((await value('gatehouse_requests_total', { namespace: '', ingress: '', path: '', status: '4xx' })) ?? 0) >= 1)).toBe(true);
  });

  test('an Ingress whose access log is off is still counted', async () => {
    expect((await nginx.get('quiet.test', '/')).status).toBe(200);
    expect(await eventually(async () => (await value('gatehouse_requests_total', { namespace: 'shop', ingress: 'quiet', path: '/', status: '2xx' })) === 1)).toBe(true);
  });

  test('series of Ingresses no longer served are forgotten', async () => {
    traffic.retain((key) => key !== 'shop/quiet');
    expect(await value('gatehouse_requests_total', { ingress: 'quiet' })).toBeUndefined();
    expect(await value('gatehouse_requests_total', { ...WEB, status: '2xx' })).toBe(5);
  });
});

test("nginx's connection counters come from stub_status", async () => {
  expect(await value('gatehouse_nginx_connections', { state: 'active' })).toBeGreaterThanOrEqual(1);
  expect(await value('gatehouse_nginx_http_requests_total', {})).toBeGreaterThanOrEqual(8);
  expect(await value('gatehouse_nginx_connections_accepted_total', {})).toBeGreaterThanOrEqual(8);
});

test('the certificate of each TLS host reports its expiry', () => {
  expect(certificateExpiries(nginx.lastBuild!.model)).toEqual(new Map([['web.test', notAfter.getTime() / 1000]]));
});

test('no datagram was dropped, and every line was accepted', async () => {
  expect(await value('gatehouse_traffic_log_dropped_total', {})).toBe(0);
  expect(await value('gatehouse_traffic_log_lines_total', { result: 'malformed' })).toBe(0);
});
