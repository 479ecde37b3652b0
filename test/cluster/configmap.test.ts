// `--configmap` on a real kube-apiserver: the controller reads the ConfigMap at start, follows live
// edits into nginx (the Server header nginx sends, the rendered timeouts), keeps the last good
// configuration when an edit is refused and records a Warning Event on the ConfigMap, and stops at
// start-up when the ConfigMap it starts with is refused.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { KubeCluster, kubeAssets } from '../support/kube-cluster.js';
import { freeControllerPorts, startController, waitReady, type ControllerPorts } from '../support/controller-process.js';
import type { CliRun } from '../support/run-cli.js';

const assets = kubeAssets();
const NS = 'gatehouse';
const NAME = 'gatehouse-controller';

describe.skipIf(!assets)('--configmap on a real API server', () => {
  let cluster: KubeCluster;
  let dir: string;
  let run: CliRun | undefined;
  let ports: ControllerPorts;

  const configMap = (data: Record<string, string>) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: NS, name: NAME }, data });
  const conf = () => readFile(join(dir, 'cfg', 'nginx.conf'), 'utf8');
  const serverHeader = async () => (await fetch(`http://127.0.0.1:${ports.http}/`, { headers: { host: 'unknown.example' } })).headers.get('server');

  beforeAll(async () => {
    cluster = await KubeCluster.start(assets!);
    dir = await mkdtemp(join(tmpdir(), 'gh-cluster-configmap-'));
    await cluster.kubectlOk(['create', 'namespace', NS]);
    await cluster.kubectlOk(['apply', '-f', '-'], { input: configMap({ 'proxy-read-timeout': '7', 'server-tokens': 'true', 'enable-brotli': 'true' }) });
    ports = await freeControllerPorts();
    run = startController(ports, { configDir: join(dir, 'cfg'), args: ['--kubeconfig', cluster.adminKubeconfig, '--election-namespace', NS, '--configmap', `${NS}/${NAME}`] });
    await waitReady(run, ports, 30_000);
  }, 120_000);

  afterAll(async () => {
    await run?.stop();
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  test('the values at start-up are in nginx', async () => {
    expect(await conf()).toContain('proxy_read_timeout 7s;');
    expect(await serverHeader()).toMatch(/^nginx\/\d/);
  });

  test('a live edit reaches nginx', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: configMap({ 'proxy-read-timeout': '9', 'server-tokens': 'false' }) });
    await vi.waitFor(async () => expect(await serverHeader()).toBe('nginx'), { timeout: 15_000, interval: 200 });
    expect(await conf()).toContain('proxy_read_timeout 9s;');
  }, 30_000);

  test('a refused edit keeps the last good configuration and records a Warning Event on the ConfigMap', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: configMap({ 'proxy-read-timeout': 'forever', 'server-tokens': 'true' }) });
    const event = await vi.waitFor(
      async () => {
        const list = JSON.parse(await cluster.kubectlOk(['get', 'events', '-n', NS, '--field-selector', `involvedObject.kind=ConfigMap,involvedObject.name=${NAME}`, '-o', 'json'])) as {
          items: { type: string; reason: string; message: string }[];
        };
        expect(list.items.length).toBeGreaterThan(0);
        return list.items[0]!;
      },
      { timeout: 15_000, interval: 200 },
    );
    expect(event).toMatchObject({ type: 'Warning', reason: 'ConfigMapRefused' });
    expect(event.message).toContain('proxy-read-timeout: invalid value "forever"');
    // Refused whole: server-tokens in the same edit is not applied either.
    expect(await serverHeader()).toBe('nginx');
    expect(await conf()).toContain('proxy_read_timeout 9s;');
  }, 30_000);

  test('client-IP keys from a live edit override the flags in nginx.conf', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: configMap({ 'proxy-read-timeout': '9', 'use-forwarded-headers': 'true', 'proxy-real-ip-cidr': '127.0.0.1/32' }) });
    await vi.waitFor(async () => expect(await conf()).toContain('set_real_ip_from 127.0.0.1/32;'), { timeout: 15_000, interval: 200 });
    expect(await conf()).toContain('real_ip_header X-Forwarded-For;');
  }, 30_000);

  test('deleting the ConfigMap goes back to the defaults', async () => {
    await cluster.kubectlOk(['delete', 'configmap', '-n', NS, NAME]);
    await vi.waitFor(async () => expect(await conf()).toContain('proxy_read_timeout 60s;'), { timeout: 15_000, interval: 200 });
    // The flags' client-IP settings (none here) are back too.
    expect(await conf()).not.toContain('set_real_ip_from');
  }, 30_000);

  test('a controller started with a refused ConfigMap exits 2 and says why', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: configMap({ 'keep-alive': '-1' }) });
    const other = await freeControllerPorts();
    const bad = startController(other, {
      configDir: join(dir, 'bad'),
      args: ['--kubeconfig', cluster.adminKubeconfig, '--election-namespace', NS, '--election-id', 'other', '--configmap', `${NS}/${NAME}`],
    });
    expect(await bad.code).toBe(2);
    expect(bad.stderr()).toContain('keep-alive: invalid value "-1"');
  }, 60_000);

  test('a ConfigMap the flags in force cannot be rendered with is refused like a bad value', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: configMap({ 'use-forwarded-headers': 'true' }) });
    const other = await freeControllerPorts();
    const bad = startController(other, {
      configDir: join(dir, 'conflict'),
      args: ['--kubeconfig', cluster.adminKubeconfig, '--election-namespace', NS, '--election-id', 'conflict', '--configmap', `${NS}/${NAME}`, '--use-proxy-protocol'],
    });
    expect(await bad.code).toBe(2);
    expect(bad.stderr()).toContain('use-forwarded-headers and use-proxy-protocol together');
  }, 60_000);
});
