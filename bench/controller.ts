// Controller benchmarks (issue 4): render time, change-to-served latency through the API,
// reloads per burst, and RSS with 10,000 Ingresses + Services + EndpointSlices.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RenderConfig } from '../src/config/controller-config.js';
import { renderSnapshot } from '../src/controller/render-snapshot.js';
import { addToSnapshot } from '../src/k8s/file-snapshot.js';
import { SnapshotStore } from '../src/k8s/snapshot.js';
import { DEFAULT_RULE_OPTIONS } from '../src/rules/types.js';
import type { EndpointSlice, Ingress } from '../src/k8s/types.js';
import { SERVICE_NAME_LABEL } from '../src/k8s/types.js';
import { FakeKubeApi } from '../test/support/fake-kube-api.js';
import { syntheticCluster } from './generate-snapshot.js';
import { freePort, rssMiB, startNode, stop, waitForHttp } from './lib.js';

const CLI = join(import.meta.dirname, '../src/cli.js');
const NGINX = process.env['GATEHOUSE_NGINX'] ?? '/usr/sbin/nginx';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const RENDER_CONFIG: RenderConfig = {
  configDir: '/tmp/gatehouse-bench',
  httpListen: { host: '127.0.0.1', port: 18080 },
  httpsListen: { host: '127.0.0.1', port: 18443 },
  rules: DEFAULT_RULE_OPTIONS,
  snapshotPaths: [],
};

/** Median time of snapshot → model → nginx.conf, warm, ms. */
export function benchRender(n: number, runs = 5): { medianMs: number; bytes: number } {
  const store = new SnapshotStore();
  addToSnapshot(store, syntheticCluster(n, { endpointSlices: true }));
  let bytes = 0;
  renderSnapshot(store, RENDER_CONFIG); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    bytes = renderSnapshot(store, RENDER_CONFIG).text.length;
    times.push(performance.now() - t);
  }
  return { medianMs: median(times), bytes };
}

function controllerArgs(dir: string, http: number, https: number, health: number, status: number): string[] {
  return [
    'controller', '--log-level', 'warn', '--nginx-binary', NGINX, '--config-dir', join(dir, 'conf'),
    '--http-listen', `127.0.0.1:${http}`, '--https-listen', `127.0.0.1:${https}`,
    '--health-listen', `127.0.0.1:${health}`, '--status-listen', `127.0.0.1:${status}`,
    // The bench reads the controller's output through a pipe, where nginx cannot open
    // /dev/stdout for its access log (the controller refuses to start): no access log here.
    '--access-log', 'off',
  ];
}

/** Controller RSS with N Ingresses + Services + EndpointSlices from a snapshot, after nginx serves. */
export async function benchControllerRss(n: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'gh-bench-ctl-'));
  await writeFile(join(dir, 'cluster.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: syntheticCluster(n, { endpointSlices: true }) }));
  const [http, https, health, status] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const child = startNode(CLI, [...controllerArgs(dir, http, https, health, status), '--snapshot', join(dir, 'cluster.json')]);
  try {
    await waitForHttp(`http://127.0.0.1:${health}/readyz`, 300_000, child);
    return await rssMiB(child.pid!);
  } finally {
    await stop(child);
    await rm(dir, { recursive: true, force: true });
  }
}

function get(port: number, host: string): Promise<string> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', () => resolve(''));
    req.end();
  });
}

function backend(ip: string, name: string): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((_req, res) => res.end(name));
    server.listen(0, ip, () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

async function metric(health: number, line: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${health}/metrics`)).text();
  const m = new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

export interface LiveControllerBench {
  readonly changeToServedMs: number[];
  readonly burstReloads: number;
}

/** Through the API: Ingress change → route answering (p50), and reloads per 100-update burst. */
export async function benchLiveController(n: number, changes = 15): Promise<LiveControllerBench> {
  const dir = await mkdtemp(join(tmpdir(), 'gh-bench-live-'));
  const api = await FakeKubeApi.start();
  const [a, b] = [await backend('127.0.0.31', 'A'), await backend('127.0.0.32', 'B')];
  const slice = (svc: string, ip: string, port: number): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: 'team-0', name: `${svc}-x`, labels: { [SERVICE_NAME_LABEL]: svc } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    ports: [{ name: 'http', port, protocol: 'TCP' }],
  });
  for (const obj of syntheticCluster(n, { endpointSlices: true })) api.upsert(obj);
  for (const [svc, ip, port] of [['probe-a', '127.0.0.31', a.port], ['probe-b', '127.0.0.32', b.port]] as const) {
    api.upsert({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'team-0', name: svc }, spec: { ports: [{ name: 'http', port: 80 }] } });
    api.upsert(slice(svc, ip, port));
  }
  const probe = (svc: string): Ingress => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { namespace: 'team-0', name: 'probe' },
    spec: { ingressClassName: 'nginx', rules: [{ host: 'probe.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: svc, port: { number: 80 } } } }] } }] },
  });
  api.upsert(probe('probe-a'));
  const [http, https, health, status] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const child = startNode(CLI, [...controllerArgs(dir, http, https, health, status), '--kubeconfig', await api.kubeconfigFile()]);
  try {
    await waitForHttp(`http://127.0.0.1:${health}/readyz`, 300_000, child);
    const times: number[] = [];
    for (let i = 0; i < changes; i++) {
      const want = i % 2 === 0 ? 'B' : 'A';
      const t = performance.now();
      api.upsert(probe(want === 'B' ? 'probe-b' : 'probe-a'));
      // Served = answered from the new backend three times in a row: right after a reload a
      // connection may still be accepted by a worker of the previous configuration.
      let streak = 0;
      let firstOk = 0;
      while (streak < 3) {
        if ((await get(http, 'probe.example.com')) === want) {
          if (streak++ === 0) firstOk = performance.now();
        } else {
          streak = 0;
          await new Promise((r) => setTimeout(r, 5));
        }
      }
      times.push(firstOk - t);
    }
    await new Promise((r) => setTimeout(r, 1500));
    const before = await metric(health, 'gatehouse_nginx_reloads_total{result="success"}');
    for (let i = 0; i < 100; i++) {
      const ing = api.get<Ingress>('Ingress', `team-${Math.floor(i / 100)}`, `ing-${i}`)!;
      api.upsert({ ...ing, metadata: { ...ing.metadata, annotations: { ...ing.metadata.annotations, 'nginx.ingress.kubernetes.io/proxy-body-size': `${i + 1}m` } } });
    }
    await new Promise((r) => setTimeout(r, 5000));
    const burstReloads = (await metric(health, 'gatehouse_nginx_reloads_total{result="success"}')) - before;
    return { changeToServedMs: times, burstReloads };
  } finally {
    await stop(child);
    await api.close();
    a.server.close();
    b.server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
