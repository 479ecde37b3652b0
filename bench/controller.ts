// Controller benchmarks (issue 4): render time, change-to-served latency through the real API server,
// reloads per burst, and RSS with 10,000 Ingresses + Services + EndpointSlices.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RenderConfig } from '../src/config/controller-config.js';
import { renderSnapshot } from '../src/controller/render-snapshot.js';
import { addToSnapshot } from '../src/k8s/file-snapshot.js';
import { SnapshotStore } from '../src/k8s/snapshot.js';
import { DEFAULT_RULE_OPTIONS } from '../src/rules/types.js';
import type { EndpointSlice, Ingress, KubeObject, Service } from '../src/k8s/types.js';
import { KubeCluster, kubeAssets } from '../test/support/kube-cluster.js';
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

export interface RenderBench {
  /** Median ms of a render after one Ingress and one EndpointSlice changed: what the controller does on a change. */
  readonly medianMs: number;
  /** Median ms of a render of objects no render has seen (a fresh copy of the cluster each time): a start, or a relist. */
  readonly firstMedianMs: number;
  readonly bytes: number;
}

/**
 * Snapshot → model → nginx.conf, JIT-warm, two ways: the renderer keeps per-object results
 * (resolved backends, annotation verdicts) from render to render, so a render after a change and
 * a render of all-new objects are measured apart.
 */
export function benchRender(n: number, runs = 5): RenderBench {
  const objects = syntheticCluster(n, { endpointSlices: true });
  const fresh = (): SnapshotStore => {
    const store = new SnapshotStore();
    addToSnapshot(store, structuredClone(objects));
    return store;
  };
  const first: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const store = fresh();
    const t = performance.now();
    renderSnapshot(store, RENDER_CONFIG);
    // The first run warms the JIT.
    if (i > 0) first.push(performance.now() - t);
  }
  const store = fresh();
  let bytes = renderSnapshot(store, RENDER_CONFIG).text.length;
  const times: number[] = [];
  const ingresses = objects.filter((o): o is Ingress => o.kind === 'Ingress');
  const slices = objects.filter((o): o is EndpointSlice => o.kind === 'EndpointSlice');
  for (let i = 0; i < runs; i++) {
    // One Ingress gets another body size, one Service another endpoint: new objects, as an informer delivers them.
    const was = structuredClone(ingresses[(i * 7919) % ingresses.length]!);
    const ing: Ingress = { ...was, metadata: { ...was.metadata, annotations: { ...was.metadata.annotations, 'nginx.ingress.kubernetes.io/proxy-body-size': `${i + 1}m` } } };
    const before = structuredClone(slices[(i * 104729) % slices.length]!);
    const slice: EndpointSlice = { ...before, endpoints: [...(before.endpoints ?? []), { addresses: [`10.255.255.${i + 1}`], conditions: { ready: true } }] };
    store.upsert('Ingress', ing);
    store.upsert('EndpointSlice', slice);
    const t = performance.now();
    bytes = renderSnapshot(store, RENDER_CONFIG).text.length;
    times.push(performance.now() - t);
  }
  return { medianMs: median(times), firstMedianMs: median(first), bytes };
}

/**
 * A temporary directory nginx's workers can enter: run as root, nginx starts them as an unprivileged
 * user, and mkdtemp's 0700 would keep them from the endpoint file and the 503 socket under it.
 */
async function workerReadableDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
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
  const dir = await workerReadableDir('gh-bench-ctl-');
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

/** The REST collection of a kind in a namespace (only the kinds this bench creates). */
function collectionPath(kind: string, namespace?: string): string {
  const ns = namespace ? `/namespaces/${namespace}` : '';
  switch (kind) {
    case 'Namespace':
      return '/api/v1/namespaces';
    case 'Service':
      return `/api/v1${ns}/services`;
    case 'EndpointSlice':
      return `/apis/discovery.k8s.io/v1${ns}/endpointslices`;
    case 'Ingress':
      return `/apis/networking.k8s.io/v1${ns}/ingresses`;
    case 'IngressClass':
      return '/apis/networking.k8s.io/v1/ingressclasses';
    default:
      throw new Error(`bench does not create ${kind}`);
  }
}

/** Creates objects as admin, `parallel` requests at a time, namespaces and cluster-scoped ones first. */
async function createAll(cluster: KubeCluster, objects: readonly KubeObject[], parallel = 16): Promise<void> {
  const create = async (obj: KubeObject): Promise<void> => {
    // A snapshot's uid and resourceVersion are the API server's to set; its ClusterIPs (10.96/16) are not in this cluster's range.
    const { uid: _uid, resourceVersion: _rv, ...metadata } = obj.metadata ?? {};
    const spec = (obj as Service).spec;
    const foreignIp = obj.kind === 'Service' && spec?.clusterIP?.startsWith('10.');
    const body = foreignIp ? { ...obj, metadata, spec: { ...spec, clusterIP: undefined } } : { ...obj, metadata };
    const res = await cluster.api('POST', collectionPath(obj.kind ?? '', metadata.namespace), body);
    if (res.status !== 201) throw new Error(`create ${obj.kind} ${metadata.namespace ?? ''}/${metadata.name}: ${res.status} ${JSON.stringify(res.json?.message)}`);
  };
  const first = objects.filter((o) => !o.metadata?.namespace);
  for (const obj of first) await create(obj);
  const rest = objects.filter((o) => o.metadata?.namespace);
  for (let i = 0; i < rest.length; i += parallel) await Promise.all(rest.slice(i, i + parallel).map(create));
}

/** Replaces an Ingress's spec or annotations through the API (GET, then PUT with its resourceVersion). */
async function replaceIngress(cluster: KubeCluster, namespace: string, name: string, change: (ing: Ingress) => Ingress): Promise<() => Promise<void>> {
  const path = `${collectionPath('Ingress', namespace)}/${name}`;
  const current = (await cluster.api('GET', path)).json as Ingress;
  const next = change(current);
  return async () => {
    const res = await cluster.api('PUT', path, next);
    if (res.status !== 200) throw new Error(`PUT ${path}: ${res.status} ${JSON.stringify(res.json?.message)}`);
  };
}

/**
 * Through the real kube-apiserver (test/support/kube-cluster.ts, needs GATEHOUSE_K8S_ASSETS):
 * Ingress change → route answering (p50), and reloads per 100-update burst.
 */
export async function benchLiveController(n: number, changes = 15, opts: { dynamicEndpoints?: boolean } = {}): Promise<LiveControllerBench> {
  const assets = kubeAssets();
  if (!assets) throw new Error('the live controller bench needs the real API server: export GATEHOUSE_K8S_ASSETS=$(../shared/k8s/unpack.sh) and apt-get install etcd-server');
  const dir = await workerReadableDir('gh-bench-live-');
  const cluster = await KubeCluster.start(assets);
  const stopCluster = (): Promise<void> => cluster.stop();
  // The API server refuses loopback addresses in EndpointSlices, and the bench's backends may only
  // listen on loopback: the probe Services get ClusterIPs in the test cluster's loopback service range
  // (kube-cluster.ts) and the probe Ingress routes to them (service-upstream).
  const range = /^127\.(\d+)\.0\.0\/16$/.exec(cluster.serviceCidr);
  const ips = [`127.${range?.[1]}.200.31`, `127.${range?.[1]}.200.32`] as const;
  const [a, b] = range ? [await backend(ips[0], 'A'), await backend(ips[1], 'B')] : [];
  if (!a || !b) {
    await stopCluster();
    throw new Error(`unexpected service range ${cluster.serviceCidr}`);
  }
  let child: ReturnType<typeof startNode> | undefined;
  try {
    const probe = (svc: string): Ingress => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { namespace: 'team-0', name: 'probe', annotations: { 'nginx.ingress.kubernetes.io/service-upstream': 'true' } },
      spec: { ingressClassName: 'nginx', rules: [{ host: 'probe.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: svc, port: { name: 'http' } } } }] } }] },
    });
    const probes: Service[] = [
      ['probe-a', ips[0], a.port],
      ['probe-b', ips[1], b.port],
    ].map(([name, ip, port]) => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'team-0', name: String(name) }, spec: { clusterIP: String(ip), ports: [{ name: 'http', port: Number(port), targetPort: Number(port) }] } }));
    await createAll(cluster, [...syntheticCluster(n, { endpointSlices: true }), ...probes, probe('probe-a')]);
    const [http, https, health, status] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const channel = opts.dynamicEndpoints === false ? ['--dynamic-endpoints=false'] : [];
    child = startNode(CLI, [...controllerArgs(dir, http, https, health, status), ...channel, '--kubeconfig', cluster.adminKubeconfig]);
    await waitForHttp(`http://127.0.0.1:${health}/readyz`, 300_000, child);
    const times: number[] = [];
    for (let i = 0; i < changes; i++) {
      const want = i % 2 === 0 ? 'B' : 'A';
      const put = await replaceIngress(cluster, 'team-0', 'probe', (ing) => ({ ...ing, spec: probe(want === 'B' ? 'probe-b' : 'probe-a').spec }));
      const t = performance.now();
      await put();
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
    const puts = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        replaceIngress(cluster, `team-${Math.floor(i / 100)}`, `ing-${i}`, (ing) => ({
          ...ing,
          metadata: { ...ing.metadata, annotations: { ...ing.metadata.annotations, 'nginx.ingress.kubernetes.io/proxy-body-size': `${i + 1}m` } },
        })),
      ),
    );
    await Promise.all(puts.map((put) => put()));
    await new Promise((r) => setTimeout(r, 5000));
    const burstReloads = (await metric(health, 'gatehouse_nginx_reloads_total{result="success"}')) - before;
    return { changeToServedMs: times, burstReloads };
  } finally {
    if (child) await stop(child);
    await stopCluster();
    a.server.close();
    b.server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
