// Issue 8's quarantine on a real kube-apiserver: the controller starts against a cluster that
// already holds an Ingress with which nginx refuses the configuration, leaves it out, serves every
// other one, and tells its owner through the API — a Warning Event on the Ingress, written by
// KubeEventRecorder — as well as through the gauge and `/readyz`; once the Ingress is fixed through
// the API it is served again, with a Normal Event. The refusal comes from refusing-nginx.ts (the
// real nginx, whose `nginx -t` refuses a marked host), because every real input found to fail
// `nginx -t` got fixed in the renderer; test/integration/quarantine.test.ts covers the same on a
// snapshot file, test/controller/quarantine*.test.ts the parts.
// Traffic goes only to loopback: the routes use `service-upstream: "true"` with Services whose
// ClusterIP the test picks in the harness's loopback Service range, with a backend listening there
// (the real API refuses loopback addresses in EndpointSlices).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Ingress, KubeObject } from '../../src/k8s/types.js';
import { request, startBackend, type Backend } from '../controller/harness.js';
import { REFUSED_ERROR, REFUSED_MARK, refusingNginx } from '../controller/refusing-nginx.js';
import { ingress, ingressClass, namespace, service } from '../fixtures/builders.js';
import { KubeCluster, kubeAssets } from '../support/kube-cluster.js';
import { freeControllerPorts, startController, waitReady, type ControllerPorts } from '../support/controller-process.js';
import type { CliRun } from '../support/run-cli.js';

const assets = kubeAssets();

const NS = 'shop';
const BAD_HOST = `bad.${REFUSED_MARK}.example.com`;
const FIXED_HOST = 'fixed.example.com';
/** The user the admin kubeconfig authenticates as (its client certificate's CN). */
const ADMIN = 'gatehouse-test-admin';

/** The fields of a core/v1 Event the tests read. */
interface KubeEvent {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly source?: { readonly component?: string };
  readonly reportingComponent?: string;
  readonly involvedObject: { readonly apiVersion?: string; readonly kind?: string; readonly namespace?: string; readonly name?: string; readonly uid?: string };
}

describe.skipIf(!assets)('the quarantine in a controller on a real API server', () => {
  let cluster: KubeCluster;
  let dir: string;
  let one: Backend;
  let two: Backend;
  let run: CliRun;
  let p: ControllerPorts;

  const apply = (...objects: KubeObject[]) =>
    cluster.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) });
  /** An address in the API server's Service range (loopback in the harness) for a backend. */
  const serviceRangeIp = (last: number) => `${cluster.serviceCidr.split('.').slice(0, 2).join('.')}.250.${last}`;
  /** A Service whose ClusterIP is the backend's address, on the backend's port. */
  const clusterIpService = (b: Backend) => service(NS, b.name, [{ name: 'http', port: b.port }], { clusterIP: b.ip });
  /** An Ingress proxying to the backend's Service ClusterIP (never to an EndpointSlice address). */
  const routeTo = (name: string, host: string, b: Backend) =>
    ingress({ namespace: NS, name, host, annotations: { 'nginx.ingress.kubernetes.io/service-upstream': 'true' }, paths: [{ service: b.name, port: b.port }] });

  const health = (path: string) => fetch(`http://127.0.0.1:${p.health}${path}`);
  const excludedSeries = async () => (await (await health('/metrics')).text()).split('\n').filter((l) => l.startsWith('gatehouse_ingress_excluded{'));
  const events = async (): Promise<KubeEvent[]> => JSON.parse(await cluster.kubectlOk(['get', 'events', '-n', NS, '-o', 'json'])).items;
  const eventsOn = async (name: string, reason: string) => (await events()).filter((e) => e.involvedObject.name === name && e.reason === reason);
  const uidOf = async (name: string): Promise<string> => ((await cluster.api('GET', `/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses/${name}`)).json as Ingress).metadata.uid!;

  beforeAll(async () => {
    cluster = await KubeCluster.start(assets!);
    dir = await mkdtemp(join(tmpdir(), 'gh-cluster-quarantine-'));
    one = await startBackend('one', serviceRangeIp(41));
    two = await startBackend('two', serviceRangeIp(42));
    // In the cluster before the controller starts: a restarted controller meets it this way.
    await apply(
      namespace(NS),
      namespace('gatehouse'),
      ingressClass('nginx'),
      clusterIpService(one),
      clusterIpService(two),
      routeTo('app', 'app.example.com', one),
      routeTo('bad', BAD_HOST, two),
    );
    p = await freeControllerPorts();
    run = startController(p, {
      configDir: join(dir, 'conf'),
      nginxBinary: await refusingNginx(dir),
      args: [
        '--kubeconfig', cluster.adminKubeconfig, // the controller has no RBAC manifests (docs/controller.md lists what it needs)
        '--election-id', 'gh-quarantine',
        // No route here needs DNS; a loopback resolver keeps any lookup off the network.
        '--resolver', '127.0.0.1',
      ],
      env: { POD_NAMESPACE: 'gatehouse' },
    });
    // Before the quarantine, a controller started with such an Ingress exited 1 and served nothing.
    await waitReady(run, p, 60_000);
  }, 120_000);
  afterAll(async () => {
    // The controller first: it releases its Lease while the API still answers.
    if (run) expect(await run.stop()).toBe(0);
    await Promise.all([one?.close(), two?.close()]);
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  test('serves the other Ingress from its backend', async () => {
    expect((await request(p.http, 'app.example.com', '/')).echo?.backend).toBe('one');
  });

  test("does not serve the refused Ingress: its host gets the default server's 404", async () => {
    expect((await request(p.http, BAD_HOST, '/')).status).toBe(404);
  });

  test('a Warning Event ConfigurationRejected on the refused Ingress carries nginx\'s error and names the Ingress', async () => {
    const uid = await uidOf('bad');
    const [event] = await vi.waitFor(
      async () => {
        const found = await eventsOn('bad', 'ConfigurationRejected');
        expect(found).toHaveLength(1);
        return found;
      },
      { timeout: 15_000, interval: 250 },
    );
    expect(event!.type).toBe('Warning');
    expect(event!.involvedObject).toMatchObject({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: NS, name: 'bad', uid });
    expect(event!.message).toContain(REFUSED_ERROR);
    expect(event!.source?.component).toBe('gatehouse-controller');
    expect(event!.reportingComponent).toBe('gatehouse.dev/ingress-controller');
    // Nothing about the Ingress that is served.
    expect((await events()).filter((e) => e.involvedObject.name === 'app')).toEqual([]);
  });

  test('kubectl describe ingress shows the Event to the Ingress\'s owner', async () => {
    // describe finds Events by the involvedObject's kind, name, namespace and uid: a wrong one hides it.
    await vi.waitFor(
      async () => {
        const text = await cluster.kubectlOk(['describe', 'ingress', 'bad', '-n', NS]);
        expect(text).toMatch(/Warning\s+ConfigurationRejected\s+.*gatehouse-controller\s+Not served: nginx rejects the configuration with this Ingress/);
      },
      { timeout: 15_000, interval: 250 },
    );
  });

  test("the controller's only Event writes are `create` on core `events` in the Ingress's namespace: the RBAC it needs", async () => {
    await vi.waitFor(async () => expect(await eventsOn('bad', 'ConfigurationRejected')).toHaveLength(1), { timeout: 15_000, interval: 250 });
    // The controller runs as admin here, so the audit log (not a 403) says what it asks of the API.
    const writes = (await cluster.auditEvents(ADMIN)).filter((e) => e.objectRef?.resource === 'events' && !['get', 'list', 'watch'].includes(e.verb));
    expect(writes.length).toBeGreaterThan(0);
    for (const w of writes) {
      expect(w.verb).toBe('create');
      expect(w.requestURI).toBe(`/api/v1/namespaces/${NS}/events`);
      expect(w.responseStatus?.code).toBe(201);
    }
  });

  test('the gauge gatehouse_ingress_excluded names the refused Ingress and the reason', async () => {
    expect(await excludedSeries()).toEqual([`gatehouse_ingress_excluded{namespace="${NS}",name="bad",reason="ConfigurationRejected"} 1`]);
  });

  test("/readyz stays 200 and says the served configuration is degraded, naming the Ingress and nginx's error", async () => {
    const res = await health('/readyz');
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toMatch(/^ok\ndegraded: 1 owned Ingress left out of the served configuration/);
    expect(body).toContain(`${NS}/bad: ConfigurationRejected: ${REFUSED_ERROR}`);
  });

  test('a later change to another Ingress is applied while the refused one stays out', async () => {
    await apply(routeTo('app', 'app.example.com', two));
    await vi.waitFor(async () => expect((await request(p.http, 'app.example.com', '/')).echo?.backend).toBe('two'), { timeout: 15_000, interval: 100 });
    expect((await request(p.http, BAD_HOST, '/')).status).toBe(404);
    expect(await excludedSeries()).toEqual([`gatehouse_ingress_excluded{namespace="${NS}",name="bad",reason="ConfigurationRejected"} 1`]);
    // Reported once: the unrelated change does not produce another Warning for the same fault.
    expect(await eventsOn('bad', 'ConfigurationRejected')).toHaveLength(1);
  });

  test('once its host is fixed through the API, the Ingress is served again from its backend', async () => {
    await apply(routeTo('bad', FIXED_HOST, two));
    await vi.waitFor(async () => expect((await request(p.http, FIXED_HOST, '/')).echo?.backend).toBe('two'), { timeout: 15_000, interval: 100 });
    expect((await request(p.http, 'app.example.com', '/')).echo?.backend).toBe('two');
  });

  test('a Normal Event ConfigurationAccepted on the fixed Ingress says it is served again', async () => {
    const uid = await uidOf('bad');
    const [event] = await vi.waitFor(
      async () => {
        const found = await eventsOn('bad', 'ConfigurationAccepted');
        expect(found).toHaveLength(1);
        return found;
      },
      { timeout: 15_000, interval: 250 },
    );
    expect(event!.type).toBe('Normal');
    expect(event!.involvedObject).toMatchObject({ kind: 'Ingress', namespace: NS, name: 'bad', uid });
    expect(event!.message).toContain('Served again');
  });

  test('the gauge series is removed and /readyz is no longer degraded', async () => {
    await vi.waitFor(async () => expect(await excludedSeries()).toEqual([]), { timeout: 15_000, interval: 100 });
    const res = await health('/readyz');
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain('degraded');
  });
});
