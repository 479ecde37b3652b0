// Issue 10 (migration report) on a real kube-apiserver: Ingresses from the ingress-nginx
// documentation corpus, applied with kubectl, reported by `gatehouse check --migration-report
// --kubeconfig` as the controller would treat them.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { controllerSupport } from '../../src/annotations/catalog.js';
import type { MigrationReport } from '../../src/report/migration-report.js';
import { KubeCluster, kubeAssets } from '../support/kube-cluster.js';
import { runToEnd } from './gatehouse-install.js';

const assets = kubeAssets();
const CORPUS = 'test/fixtures/ingress-nginx-examples';

describe.skipIf(!assets)('check --migration-report --kubeconfig on a real API server', () => {
  let cluster: KubeCluster;

  beforeAll(async () => {
    cluster = await KubeCluster.start(assets!);
    await cluster.kubectlOk(['create', 'namespace', 'examples']);
    // The Services the corpus Ingresses name, so only their annotations decide.
    for (const service of ['http-svc', 'production', 'canary']) {
      await cluster.kubectlOk(['create', 'service', 'clusterip', service, '--tcp=80:8080', '-n', 'examples']);
    }
    for (const file of ['canary', 'chashsubset', 'rewrite']) await cluster.kubectlOk(['apply', '-f', `${CORPUS}/${file}.yaml`]);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  test('reports each Ingress in the cluster with its annotations; exit 1 only when one is refused', async () => {
    const run = await runToEnd(['check', '--migration-report', '--output', 'json', '--kubeconfig', cluster.adminKubeconfig]);
    const report = JSON.parse(run.stdout) as MigrationReport;
    expect(report.cluster).toContain('API server https://127.0.0.1:');
    const outcomes = Object.fromEntries(report.ingresses.map((i) => [i.name, i.outcome]));
    const canaryRendered = controllerSupport('canary')?.controller === 'renders';
    // chashsubset sets upstream-hash-by (rendered) and upstream-hash-by-subset (ignored).
    const subsetIgnored = controllerSupport('upstream-hash-by-subset')?.controller === 'ignores';
    expect(outcomes).toEqual({
      approot: 'served',
      canary: canaryRendered ? 'served' : 'refused',
      chashsubset: subsetIgnored ? 'served-ignoring' : 'served',
      production: 'served',
      rewrite: 'served',
    });
    expect(report.summary.ingresses).toBe(5);
    expect(run.code, run.stderr).toBe(canaryRendered ? 0 : 1);

    const human = await runToEnd(['check', '--migration-report', '--kubeconfig', cluster.adminKubeconfig]);
    expect(human.code).toBe(run.code);
    // The API server returns annotations in key order.
    expect(human.stdout).toMatch(/examples\/rewrite \(API server https:\/\/[^)]+\): served as-is\n {2}rendered nginx\.ingress\.kubernetes\.io\/rewrite-target\n {2}rendered nginx\.ingress\.kubernetes\.io\/use-regex\n/);
    expect(human.stdout).toContain('migration report: 5 Ingress(es)');
  });
});
