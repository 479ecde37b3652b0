// Idle connections between the API server and the webhook. The API server's webhook client (Go's
// net/http through client-go) keeps idle connections up to 90 s (IdleConnTimeout); a server that
// closes an idle connection first races the client reusing it, and Go does not retry a POST that
// fails that way: the admission fails with `EOF` or `connection reset`. Quiet gaps of 60–100 s
// between applies must not fail one.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KubeCluster, kubeAssets } from '../support/kube-cluster.js';
import { ingressManifest, installWebhook, namespaceWithService, type InstalledWebhook } from './gatehouse-install.js';

const assets = kubeAssets();
const GAPS_S = [62, 75, 95];

describe.skipIf(!assets)('quiet gaps between admissions', () => {
  let cluster: KubeCluster;
  let certDir: string;
  let installed: InstalledWebhook;

  beforeAll(async () => {
    cluster = await KubeCluster.start(assets!);
    certDir = await mkdtemp(join(tmpdir(), 'gh-idle-'));
    installed = await installWebhook(cluster, certDir);
    await namespaceWithService(cluster, 'shop');
  }, 120_000);
  afterAll(async () => {
    await installed?.webhook.stop();
    await cluster?.stop();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  }, 60_000);

  test(`applies after gaps of ${GAPS_S.join(', ')} s all succeed`, async () => {
    const results: string[] = [];
    const applyOnce = async (n: number) => {
      const res = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: ingressManifest({ namespace: 'shop', name: `idle-${n}`, host: `idle-${n}.example.com` }) });
      results.push(res.code === 0 ? 'ok' : res.stderr.trim());
    };
    await applyOnce(0);
    for (const [i, gap] of GAPS_S.entries()) {
      await new Promise((r) => setTimeout(r, gap * 1000));
      await applyOnce(i + 1);
    }
    expect(results).toEqual(GAPS_S.map(() => 'ok').concat('ok'));
  }, (GAPS_S.reduce((a, b) => a + b, 0) + 60) * 1000);
});
