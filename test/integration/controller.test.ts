// `gatehouse controller` end to end: the real CLI command, the real nginx, real backends on
// distinct loopback addresses; first on a snapshot file, then on a real kube-apiserver
// (test/support/kube-cluster.ts) through informers.
// Traffic is only ever sent to loopback. The real API refuses loopback addresses in
// EndpointSlices, and the controller refuses ExternalName Services aimed at loopback (SSRF), so on
// the real API the routes that carry traffic use `service-upstream: "true"` with Services whose
// ClusterIP the test picks in the harness's loopback Service range, with a backend listening
// there; the EndpointSlice → upstream path is checked in the rendered nginx.conf, with an address
// nothing ever requests (the snapshot suite sends traffic through EndpointSlice upstreams).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Ingress, KubeObject } from '../../src/k8s/types.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { ingress, ingressClass, namespace, service } from '../fixtures/builders.js';
import { request, startBackend, type Backend } from '../controller/harness.js';
import { KubeCluster, kubeAssets } from '../support/kube-cluster.js';
import { freeControllerPorts, startController, waitReady, writeSnapshot, type ControllerPorts } from '../support/controller-process.js';
import type { CliRun } from '../support/run-cli.js';

const assets = kubeAssets();

describe('gatehouse controller on a snapshot', () => {
  let dir: string;
  let backend: Backend;
  let run: CliRun;
  let p: ControllerPorts;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gh-ctl-'));
    backend = await startBackend('web-1', '127.0.0.21');
    const objects = [
      namespace('shop'),
      ingressClass('nginx'),
      service('shop', 'web', [{ name: 'http', port: 80, targetPort: 8080 }]),
      endpointSlice('shop', 'web', ['127.0.0.21'], backend.port, { portName: 'http' }),
      ingress({ name: 'web', host: 'shop.example.com', paths: [{ path: '/', pathType: 'Prefix', port: 80 }] }),
    ];
    await writeSnapshot(join(dir, 'cluster.yaml'), objects);
    p = await freeControllerPorts();
    run = startController(p, { configDir: join(dir, 'conf'), args: ['--snapshot', join(dir, 'cluster.yaml')] });
    await waitReady(run, p);
  });
  afterAll(async () => {
    expect(await run.stop()).toBe(0);
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('nginx serves the Ingress from the backend', async () => {
    const res = await request(p.http, 'shop.example.com', '/cart');
    expect(res.status).toBe(200);
    expect(res.echo?.backend).toBe('web-1');
  });

  test('unknown hosts get 404 from the default server', async () => {
    expect((await request(p.http, 'other.example.com', '/')).status).toBe(404);
  });

  test('metrics show a successful configuration and the owned Ingress', async () => {
    const text = await (await fetch(`http://127.0.0.1:${p.health}/metrics`)).text();
    expect(text).toContain('gatehouse_nginx_config_last_reload_successful 1');
    expect(text).toContain('gatehouse_controller_owned_ingresses 1');
  });

  test("traffic metrics count the Ingress's requests, and nginx's connections are reported", async () => {
    expect((await request(p.http, 'shop.example.com', '/metered')).status).toBe(200);
    const series = 'gatehouse_requests_total{namespace="shop",ingress="web",service="web",path="/",status="2xx"}';
    await vi.waitFor(async () => expect(await (await fetch(`http://127.0.0.1:${p.health}/metrics`)).text()).toContain(series), { timeout: 10_000 });
    const text = await (await fetch(`http://127.0.0.1:${p.health}/metrics`)).text();
    expect(text).toMatch(/gatehouse_nginx_connections\{state="active"\} [1-9]/);
    expect(text).toContain('gatehouse_traffic_log_lines_total{result="malformed"} 0');
  });
});

describe.skipIf(!assets)('gatehouse controller on a real API server', () => {
  /** Not loopback, so the API accepts it in an EndpointSlice; never requested (see the header). */
  const UNREACHABLE = ['10.1.2.3', '10.1.2.4'] as const;
  let cluster: KubeCluster;
  let dir: string;
  let one: Backend;
  let two: Backend;
  let run: CliRun;
  let p: ControllerPorts;

  const apply = (...objects: KubeObject[]) =>
    cluster.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) });
  /** A Service whose ClusterIP is the backend's address, on the backend's port. */
  const clusterIpService = (b: Backend) => service('shop', b.name, [{ name: 'http', port: b.port }], { clusterIP: b.ip });
  /** An address in the API server's Service range (loopback in the harness) for a backend. */
  const serviceRangeIp = (last: number) => `${cluster.serviceCidr.split('.').slice(0, 2).join('.')}.250.${last}`;
  const appIngress = (b: Backend) =>
    ingress({ name: 'app', host: 'app.example.com', annotations: { 'nginx.ingress.kubernetes.io/service-upstream': 'true' }, paths: [{ service: b.name, port: b.port }] });
  const webSlice = (address: string) => endpointSlice('shop', 'web', [address], 8080, { name: 'web-1', portName: 'http' });
  const renderedConf = () => readFile(join(dir, 'conf', 'nginx.conf'), 'utf8');
  const publishedEndpoints = () => readFile(join(dir, 'conf', 'endpoints'), 'utf8').catch(() => '');

  beforeAll(async () => {
    cluster = await KubeCluster.start(assets!);
    dir = await mkdtemp(join(tmpdir(), 'gh-ctl-live-'));
    one = await startBackend('one', serviceRangeIp(22));
    two = await startBackend('two', serviceRangeIp(23));
    await apply(
      namespace('shop'),
      namespace('gatehouse'),
      ingressClass('nginx'),
      clusterIpService(one),
      clusterIpService(two),
      service('shop', 'web', [{ name: 'http', port: 80, targetPort: 8080 }]),
      webSlice(UNREACHABLE[0]),
      appIngress(one),
      ingress({ name: 'web', host: 'web.example.com', paths: [{ service: 'web', port: 80 }] }),
    );
    p = await freeControllerPorts();
    run = startController(p, {
      configDir: join(dir, 'conf'),
      args: [
        '--kubeconfig', cluster.adminKubeconfig,
        '--publish-status-address', '203.0.113.7',
        '--election-id', 'gh-test',
        // No route here needs DNS; a loopback resolver keeps any lookup off the network.
        '--resolver', '127.0.0.1',
      ],
      env: { POD_NAMESPACE: 'gatehouse' },
    });
    await waitReady(run, p);
  }, 120_000);
  afterAll(async () => {
    // The controller first: it releases its Lease while the API still answers.
    if (run) expect(await run.stop()).toBe(0);
    await Promise.all([one?.close(), two?.close()]);
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  test('serves the Ingress from the cluster', async () => {
    expect((await request(p.http, 'app.example.com', '/')).echo?.backend).toBe('one');
  });

  test('an Ingress change in the API is served shortly after', async () => {
    await apply(appIngress(two));
    await vi.waitFor(async () => expect((await request(p.http, 'app.example.com', '/')).echo?.backend).toBe('two'), { timeout: 10_000, interval: 50 });
  });

  test("an EndpointSlice's address is its Service's upstream endpoint, and a change to the slice reaches nginx without a new nginx.conf", async () => {
    // Endpoints go to nginx through the endpoint file its Lua balancer reads (docs/controller.md,
    // "Endpoint changes without reloads"); nginx.conf names the upstream, never its endpoints.
    await vi.waitFor(async () => expect(await publishedEndpoints()).toContain(` ${UNREACHABLE[0]}:8080`), { timeout: 10_000, interval: 50 });
    const conf = await renderedConf();
    expect(conf).toContain('upstream shop_web_');
    await apply(webSlice(UNREACHABLE[1]));
    await vi.waitFor(
      async () => {
        const endpoints = await publishedEndpoints();
        expect(endpoints).toContain(` ${UNREACHABLE[1]}:8080`);
        expect(endpoints).not.toContain(UNREACHABLE[0]);
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(await renderedConf()).toBe(conf);
    expect(conf).not.toContain(UNREACHABLE[0]);
  });

  test('the leader writes the published address to the Ingress status', async () => {
    await vi.waitFor(
      async () => {
        const res = await cluster.api('GET', '/apis/networking.k8s.io/v1/namespaces/shop/ingresses/app');
        expect((res.json as Ingress).status?.loadBalancer?.ingress).toEqual([{ ip: '203.0.113.7' }]);
      },
      { timeout: 15_000, interval: 100 },
    );
    const lease = await cluster.api('GET', '/apis/coordination.k8s.io/v1/namespaces/gatehouse/leases/gh-test');
    expect(lease.status).toBe(200);
    expect(lease.json.spec.holderIdentity).toBeTruthy();
  });
});
