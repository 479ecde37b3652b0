// `gatehouse controller` end to end: the real CLI command, the real nginx, real backends on
// distinct loopback addresses, and (second suite) the fake Kubernetes API with informers.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { stringify } from 'yaml';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { ingress, ingressClass, namespace, service } from '../fixtures/builders.js';
import { NGINX_BINARY, freePort, request, startBackend, type Backend } from '../controller/harness.js';
import { FakeKubeApi } from '../support/fake-kube-api.js';
import { runCli, type CliRun } from '../support/run-cli.js';

interface Ports {
  http: number;
  https: number;
  health: number;
  status: number;
}

async function ports(): Promise<Ports> {
  return { http: await freePort(), https: await freePort(), health: await freePort(), status: await freePort() };
}

function controllerArgs(p: Ports, configDir: string): string[] {
  return [
    'controller',
    '--log-level', 'silent',
    '--nginx-binary', NGINX_BINARY,
    '--config-dir', configDir,
    '--http-listen', `127.0.0.1:${p.http}`,
    '--https-listen', `127.0.0.1:${p.https}`,
    '--health-listen', `127.0.0.1:${p.health}`,
    '--status-listen', `127.0.0.1:${p.status}`,
    '--sync-delay', '50ms',
    '--sync-max-delay', '300ms',
  ];
}

async function waitReady(p: Ports): Promise<void> {
  await vi.waitFor(async () => expect((await fetch(`http://127.0.0.1:${p.health}/readyz`)).status).toBe(200), { timeout: 20_000, interval: 100 });
}

describe('gatehouse controller on a snapshot', () => {
  let dir: string;
  let backend: Backend;
  let run: CliRun;
  let p: Ports;

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
    await writeFile(join(dir, 'cluster.yaml'), objects.map((o) => stringify(o)).join('---\n'));
    p = await ports();
    run = runCli([...controllerArgs(p, join(dir, 'conf')), '--snapshot', join(dir, 'cluster.yaml')]);
    await waitReady(p);
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
});

describe('gatehouse controller on the live API', () => {
  let api: FakeKubeApi;
  let dir: string;
  let one: Backend;
  let two: Backend;
  let run: CliRun;
  let p: Ports;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gh-ctl-live-'));
    one = await startBackend('one', '127.0.0.22');
    two = await startBackend('two', '127.0.0.23');
    api = await FakeKubeApi.start();
    for (const obj of [
      namespace('shop'),
      namespace('gatehouse'),
      ingressClass('nginx'),
      service('shop', 'one', [{ name: 'http', port: 80 }]),
      service('shop', 'two', [{ name: 'http', port: 80 }]),
      endpointSlice('shop', 'one', ['127.0.0.22'], one.port, { portName: 'http' }),
      endpointSlice('shop', 'two', ['127.0.0.23'], two.port, { portName: 'http' }),
      ingress({ name: 'app', host: 'app.example.com', paths: [{ service: 'one', port: 80 }] }),
    ]) api.upsert(obj);
    p = await ports();
    run = runCli(
      [...controllerArgs(p, join(dir, 'conf')), '--kubeconfig', await api.kubeconfigFile(), '--publish-status-address', '203.0.113.7', '--election-id', 'gh-test'],
      { POD_NAMESPACE: 'gatehouse' },
    );
    await waitReady(p);
  });
  afterAll(async () => {
    await run.stop();
    await Promise.all([one.close(), two.close()]);
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('serves the Ingress from the cluster', async () => {
    expect((await request(p.http, 'app.example.com', '/')).echo?.backend).toBe('one');
  });

  test('an Ingress change in the API is served shortly after', async () => {
    api.upsert(ingress({ name: 'app', host: 'app.example.com', paths: [{ service: 'two', port: 80 }] }));
    await vi.waitFor(async () => expect((await request(p.http, 'app.example.com', '/')).echo?.backend).toBe('two'), { timeout: 10_000, interval: 50 });
  });

  test('the leader writes the published address to the Ingress status', async () => {
    await vi.waitFor(
      () => expect((api.get('Ingress', 'shop', 'app') as { status?: { loadBalancer?: { ingress?: unknown[] } } })?.status?.loadBalancer?.ingress).toEqual([{ ip: '203.0.113.7' }]),
      { timeout: 15_000, interval: 100 },
    );
    expect(api.get('Lease', 'gatehouse', 'gh-test')).toBeDefined();
  });
});
