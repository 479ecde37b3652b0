// Idle connections between the API server and the webhook. The API server's webhook client (Go's
// net/http through client-go) keeps idle connections up to 90 s (IdleConnTimeout); a server that
// closes an idle connection first races the client reusing it, and Go does not retry a POST that
// fails that way: the admission fails with `EOF` or `connection reset`. Quiet gaps of 60–100 s
// between applies must not fail one.
import { describe, expect, test } from 'vitest';
import { kubeAssets } from '../support/kube-cluster.js';
import { establishedPeers } from '../support/tcp-connections.js';
import { ingressManifest, useInstalledWebhook } from './gatehouse-install.js';

const assets = kubeAssets();
/** 65 s: past a 60 s server idle timeout, within Go's 90 s. 92 s: past Go's, so the client closes. */
const GAPS_S = [65, 92];

describe.skipIf(!assets)('quiet gaps between admissions', () => {
  const suite = useInstalledWebhook('gh-idle-');

  test(`applies after gaps of ${GAPS_S.join(' and ')} s all succeed, and the webhook never closes an idle connection first`, async () => {
    const { cluster, installed } = suite;
    const [ip, port] = installed.webhook.address.split(':') as [string, string];
    const results: string[] = [];
    const reused: boolean[] = [];
    const applyOnce = async (n: number) => {
      const res = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: ingressManifest({ namespace: 'shop', name: `idle-${n}`, host: `idle-${n}.example.com` }) });
      results.push(res.code === 0 ? 'ok' : res.stderr.trim());
    };
    await applyOnce(0);
    for (const [i, gap] of GAPS_S.entries()) {
      const before = await establishedPeers(ip, Number(port));
      await new Promise((r) => setTimeout(r, gap * 1000));
      // Still established after the gap = the server kept it; the race cannot happen.
      const after = await establishedPeers(ip, Number(port));
      reused.push([...before].some((peer) => after.has(peer)));
      await applyOnce(i + 1);
    }
    expect(results).toEqual(['ok', ...GAPS_S.map(() => 'ok')]);
    // Within the client's 90 s the API server's connection must still be open.
    expect(reused[0]).toBe(true);
  }, (GAPS_S.reduce((a, b) => a + b, 0) + 60) * 1000);
});
