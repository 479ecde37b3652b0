import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KubeCluster, kubeAssets } from '../support/kube-cluster.js';

const assets = kubeAssets();

describe.skipIf(!assets)('the real-cluster harness', () => {
  let cluster: KubeCluster;
  beforeAll(async () => {
    cluster = await KubeCluster.start(assets!);
  }, 120_000);
  afterAll(async () => cluster?.stop(), 60_000);

  test('kubectl as admin sees the initial namespaces', async () => {
    const out = await cluster.kubectlOk(['get', 'namespaces', '-o', 'name']);
    expect(out.split('\n')).toContain('namespace/kube-system');
  });

  test('a ServiceAccount token carries exactly that account RBAC', async () => {
    await cluster.kubectlOk(['create', 'namespace', 'rbac-probe']);
    await cluster.kubectlOk(['create', 'serviceaccount', 'reader', '-n', 'rbac-probe']);
    const kubeconfig = await cluster.serviceAccountKubeconfig('rbac-probe', 'reader');
    const denied = await cluster.kubectl(['get', 'secrets', '-n', 'rbac-probe'], { kubeconfig });
    expect(denied.stderr).toContain('system:serviceaccount:rbac-probe:reader');
    expect(denied.code).not.toBe(0);
    await cluster.kubectlOk(['create', 'role', 'read-secrets', '-n', 'rbac-probe', '--verb=list', '--resource=secrets']);
    await cluster.kubectlOk(['create', 'rolebinding', 'read-secrets', '-n', 'rbac-probe', '--role=read-secrets', '--serviceaccount=rbac-probe:reader']);
    expect((await cluster.kubectl(['get', 'secrets', '-n', 'rbac-probe'], { kubeconfig })).code).toBe(0);
  });

  test('Services get loopback ClusterIPs from the harness range', async () => {
    await cluster.kubectlOk(['create', 'service', 'clusterip', 'probe', '--tcp=443:8443', '-n', 'rbac-probe']);
    const ip = await cluster.kubectlOk(['get', 'service', 'probe', '-n', 'rbac-probe', '-o', 'jsonpath={.spec.clusterIP}']);
    expect(ip).toMatch(new RegExp(`^${cluster.serviceCidr.split('.').slice(0, 2).join('\\.')}\\.`));
  });

  test('the audit log records each answered request with its user and verb', async () => {
    await cluster.kubectlOk(['create', 'namespace', 'audited']);
    const events = await cluster.auditEvents('gatehouse-test-admin');
    expect(events.some((e) => e.verb === 'create' && e.objectRef?.resource === 'namespaces' && e.objectRef.name === 'audited')).toBe(true);
  });
});
