// Issue 11 item 2 on a real kube-apiserver: Ingresses that are already in a cluster — created with
// kubectl before any webhook is installed — are judged by `gatehouse check --kubeconfig`, and by
// the webhook's background report (`gatehouse_existing_findings`, `/existing` on its status port),
// which follows the cluster as the cause of a finding is fixed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { KubeCluster, kubeAssets } from '../support/kube-cluster.js';
import { ingressManifest, installWebhook, namespaceWithService, runToEnd, type InstalledWebhook } from './gatehouse-install.js';

const assets = kubeAssets();
const NS = 'shop';

describe.skipIf(!assets)('existing Ingresses on a real API server', () => {
  let cluster: KubeCluster;
  let certDir: string;
  let installed: InstalledWebhook | undefined;

  beforeAll(async () => {
    cluster = await KubeCluster.start(assets!);
    certDir = await mkdtemp(join(tmpdir(), 'gatehouse-existing-'));
    await namespaceWithService(cluster, NS);
    // No webhook yet: the bad one (its Service `api` does not exist) gets in, as in a cluster adopting Gatehouse.
    await cluster.kubectlOk(['apply', '-f', '-'], { input: ingressManifest({ namespace: NS, name: 'good', host: 'good.example.com' }) });
    await cluster.kubectlOk(['apply', '-f', '-'], { input: ingressManifest({ namespace: NS, name: 'bad', host: 'bad.example.com', service: 'api' }) });
  }, 120_000);
  afterAll(async () => {
    await installed?.webhook.stop();
    await cluster?.stop();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  }, 60_000);

  test('check --kubeconfig judges every Ingress in the cluster: the bad one denied with its rule, exit 1', async () => {
    const json = await runToEnd(['check', '--kubeconfig', cluster.adminKubeconfig, '--output', 'json']);
    expect(json.code, json.stderr).toBe(1);
    const out = JSON.parse(json.stdout);
    expect(out).toMatchObject({ denied: 1, errors: [], cluster: expect.stringContaining('API server https://') });
    const byName = Object.fromEntries(out.ingresses.map((r: { name: string }) => [r.name, r]));
    expect(Object.keys(byName).sort()).toEqual(['bad', 'good']);
    expect(byName['good']).toMatchObject({ namespace: NS, owned: true, allowed: true });
    expect(byName['bad']).toMatchObject({ namespace: NS, owned: true, allowed: false });
    expect(byName['bad'].findings.map((f: { rule: string }) => f.rule)).toContain('backend-service');

    const human = await runToEnd(['check', '--kubeconfig', cluster.adminKubeconfig]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/shop\/bad \(API server https:\/\/[^)]+\): denied\n.*\[backend-service\]/);
    expect(human.stdout).toMatch(/shop\/good \(API server [^)]+\): ok/);
    expect(human.stdout).toContain('2 Ingress(es), 2 checked, 1 denied');
  });

  test('check --kubeconfig with FILEs is a usage error; an unreachable kubeconfig is exit 2', async () => {
    expect((await runToEnd(['check', '--kubeconfig', cluster.adminKubeconfig, 'x.yaml'])).code).toBe(2);
    const missing = await runToEnd(['check', '--kubeconfig', join(certDir, 'no-such-kubeconfig')]);
    expect(missing.code).toBe(2);
  });

  test('the installed webhook reports the existing bad Ingress (gauge and /existing) and follows its fix', async () => {
    installed = await installWebhook(cluster, certDir);
    const { health } = installed.webhook;
    const existing = async () => (await (await fetch(`${health}/existing`)).json()) as { namespace: string; name: string; allowed: boolean; findings: { rule: string; severity: string }[] }[];
    const gauge = async () => (await (await fetch(`${health}/metrics`)).text()).split('\n').filter((l) => l.startsWith('gatehouse_existing_findings{'));

    await vi.waitFor(async () => {
      const bad = (await existing()).find((e) => e.name === 'bad');
      expect(bad).toMatchObject({ namespace: NS, allowed: false });
      expect(bad!.findings.map((f) => f.rule)).toContain('backend-service');
      expect(await gauge()).toContain('gatehouse_existing_findings{rule="backend-service",severity="deny"} 1');
    }, { timeout: 30_000, interval: 200 });
    expect((await existing()).find((e) => e.name === 'good')).toMatchObject({ allowed: true });

    // The fix: the Service it names is created. No Ingress changes; the report follows the Service.
    await cluster.kubectlOk(['create', 'service', 'clusterip', 'api', '--tcp=80:8080', '-n', NS]);
    await vi.waitFor(async () => {
      expect((await existing()).find((e) => e.name === 'bad')).toMatchObject({ allowed: true });
      expect((await gauge()).filter((l) => l.includes('rule="backend-service"'))).toEqual([]);
    }, { timeout: 30_000, interval: 200 });
  }, 120_000);
});
