// `gatehouse controller` on a real kube-apiserver: two replicas contend for one Lease, only the
// leader writes Ingress status (what `kubectl get ingress` shows as ADDRESS), both render the
// EndpointSlices the API holds, and the follower takes over when the leader stops.
// The published addresses are only written into status, never dialed; the EndpointSlice address
// is not loopback (the API refuses loopback endpoints), so nothing may ever send traffic to it:
// the test reads the rendered nginx.conf instead of requesting the route.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { KubeCluster, kubeAssets } from '../support/kube-cluster.js';
import { freeControllerPorts, startController, waitReady } from '../support/controller-process.js';
import type { CliRun } from '../support/run-cli.js';
import { ingressManifest, namespaceWithService } from './gatehouse-install.js';

const assets = kubeAssets();

const NS = 'shop';
const ELECTION_NS = 'gatehouse';
const ELECTION_ID = 'gatehouse-test-leader';
/** Never dialed: the controllers only write them into status.loadBalancer. */
const ADDRESSES = ['127.0.0.10', '127.0.0.11'] as const;
/** Not loopback, so the API accepts it, and unreachable: never send a request nginx would proxy there. */
const ENDPOINT = '10.1.2.3';

interface Replica {
  readonly address: string;
  readonly configDir: string;
  readonly run: CliRun;
  stopped: boolean;
}

interface LeaseSpec {
  holderIdentity?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

describe.skipIf(!assets)('controller replicas on a real API server', () => {
  let cluster: KubeCluster;
  let dir: string;
  const replicas: Replica[] = [];
  let leader: Replica;
  let follower: Replica;

  async function startReplica(address: string, i: number): Promise<Replica> {
    const ports = await freeControllerPorts();
    const configDir = join(dir, `replica-${i}`);
    const run = startController(ports, {
      configDir,
      args: [
        '--kubeconfig', cluster.adminKubeconfig, // the controller's RBAC manifests do not exist yet
        '--election-id', ELECTION_ID,
        '--election-namespace', ELECTION_NS,
        '--publish-status-address', address,
      ],
    });
    const replica: Replica = { address, configDir, run, stopped: false };
    replicas.push(replica);
    await waitReady(run, ports, 30_000);
    return replica;
  }

  const lease = async (): Promise<LeaseSpec> =>
    JSON.parse(await cluster.kubectlOk(['get', 'lease', ELECTION_ID, '-n', ELECTION_NS, '-o', 'json'])).spec;

  /** The ADDRESS column of `kubectl get ingress`, exactly as a user reads it. */
  async function addressColumn(name: string): Promise<string> {
    const [header = '', row = ''] = (await cluster.kubectlOk(['get', 'ingress', name, '-n', NS])).trim().split('\n');
    return row.split(/\s+/)[header.split(/\s+/).indexOf('ADDRESS')] ?? '';
  }

  const renderedConf = (r: Replica) => readFile(join(r.configDir, 'nginx.conf'), 'utf8');
  const publishedEndpoints = (r: Replica) => readFile(join(r.configDir, 'endpoints'), 'utf8').catch(() => '');

  beforeAll(async () => {
    cluster = await KubeCluster.start(assets!);
    dir = await mkdtemp(join(tmpdir(), 'gh-cluster-ctl-'));
    await cluster.kubectlOk(['create', 'namespace', ELECTION_NS]);
    await namespaceWithService(cluster, NS);
    const ingressClass = { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'gatehouse.dev/ingress-controller' } };
    await cluster.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(ingressClass) });
    // Started together, as a Deployment's replicas are: both race to create the Lease.
    await Promise.all(ADDRESSES.map((a, i) => startReplica(a, i)));
  }, 120_000);

  afterAll(async () => {
    // Controllers first: each releases the Lease and quits nginx while the API still answers.
    await Promise.all(replicas.filter((r) => !r.stopped).map((r) => r.run.stop()));
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  test('one replica holds the Lease and keeps renewing it; the other does not take it over', async () => {
    const first = await vi.waitFor(async () => {
      const spec = await lease();
      expect(spec.holderIdentity).toBeTruthy();
      return spec;
    }, { timeout: 15_000, interval: 200 });
    // The leader renews every 2 s; the follower retries as often, and must keep seeing a valid Lease.
    await vi.waitFor(async () => expect(Date.parse((await lease()).renewTime!)).toBeGreaterThan(Date.parse(first.renewTime!)), { timeout: 10_000, interval: 200 });
    const later = await lease();
    expect(later.holderIdentity).toBe(first.holderIdentity);
    expect(later.leaseTransitions ?? 0).toBe(0);
  }, 30_000);

  test("kubectl get ingress shows the leader's address, and only it", async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: ingressManifest({ namespace: NS, name: 'web', host: 'shop.example.com' }) });
    const shown = await vi.waitFor(async () => {
      const address = await addressColumn('web');
      expect(ADDRESSES).toContain(address);
      return address;
    }, { timeout: 15_000, interval: 200 });
    leader = replicas.find((r) => r.address === shown)!;
    follower = replicas.find((r) => r !== leader)!;
    // A follower writing too would make the column flip, or list both.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await addressColumn('web')).toBe(shown);
  }, 30_000);

  test("an EndpointSlice's address reaches both replicas' nginx as the upstream's endpoint", async () => {
    // `kubectl create service clusterip web --tcp=80:8080` names the port "80-8080"; a slice
    // carries the target port under the Service port's name.
    const slice = endpointSlice(NS, 'web', [ENDPOINT], 8080, { portName: '80-8080' });
    await cluster.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(slice) });
    // Through the endpoint file nginx's Lua balancer reads, without a new nginx.conf
    // (docs/controller.md, "Endpoint changes without reloads").
    for (const r of [leader, follower]) {
      await vi.waitFor(async () => expect(await publishedEndpoints(r)).toContain(` ${ENDPOINT}:8080`), { timeout: 15_000, interval: 200 });
      expect(await renderedConf(r)).not.toContain(ENDPOINT);
    }
  }, 40_000);

  test('when the leader stops, the other replica takes the Lease and kubectl shows its address', async () => {
    const before = (await lease()).holderIdentity;
    leader.stopped = true;
    expect(await leader.run.stop()).toBe(0);
    // A graceful stop releases the Lease, so the follower takes it at its next retry (2–4.4 s),
    // not after the 15 s lease duration (hard-coded; there are no flags for the timings).
    await vi.waitFor(async () => {
      const holder = (await lease()).holderIdentity;
      expect(holder).toBeTruthy();
      expect(holder).not.toBe(before);
    }, { timeout: 20_000, interval: 200 });
    await vi.waitFor(async () => expect(await addressColumn('web')).toBe(follower.address), { timeout: 15_000, interval: 200 });
    expect((await lease()).leaseTransitions).toBe(1);
  }, 60_000);
});
