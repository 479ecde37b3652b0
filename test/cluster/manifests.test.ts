// Both installs on a real kube-apiserver, as docs/deploy.md tells an operator to do it:
// `kubectl apply -k` of the webhook-only layout (manifests/) and of the full install
// (manifests/controller/) accepted with strict server-side field validation; certgen run as its
// ServiceAccount; the controller run with its own ServiceAccount's token and its Deployment's
// args, so the RBAC in the manifests is proven sufficient (it becomes ready, serves the
// co-hosted webhook the API server calls, writes Ingress status, holds the Lease, and no request
// of its is refused) and proven narrow (its token cannot write anything else). The overlays
// docs/deploy.md shows are built and dry-run too. The published address is only written into
// status, never dialed.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { freePort } from '../../bench/lib.js';
import { MANIFESTS_DIR } from '../../scripts/render-install.js';
import { CONTROLLER_FLAGS, controllerConfigFrom } from '../../src/config/controller-config.js';
import { parseFlags } from '../../src/config/flags.js';
import { WEBHOOK_FLAGS, webhookConfigFrom } from '../../src/config/webhook-config.js';
import { NGINX_BINARY } from '../controller/harness.js';
import { KubeCluster, kubeAssets } from '../support/kube-cluster.js';
import {
  CONTROLLER_DIR,
  CONTROLLER_YAML,
  installedObjects,
  markdownOverlays,
  objectId,
  parseObjects,
  readObjects,
  requestAs,
  resolveEnv,
  startController,
  substituteFlags,
  WEBHOOK_ONLY_DIR,
  WEBHOOK_ONLY_YAML,
  workloadContainer,
  type RunningController,
} from './controller-install.js';
import { ingressManifest, MountedSecret, namespaceWithService, readTlsSecret, runToEnd, webhookServiceIp } from './gatehouse-install.js';

const assets = kubeAssets();
const OVERLAYS = markdownOverlays(await readFile(join(import.meta.dirname, '../../docs/deploy.md'), 'utf8'));

const NS = 'gatehouse';
const CONTROLLER_SA = `system:serviceaccount:${NS}:gatehouse-controller`;
/** What a cloud's load-balancer controller would write into the Service's status (TEST-NET-3: never dialed). */
const LB_ADDRESS = '203.0.113.10';

describe.skipIf(!assets)('the manifests on a real API server', () => {
  let cluster: KubeCluster;
  let dir: string;
  let controller: RunningController | undefined;
  let controllerKubeconfig: string;
  let configDir: string;

  const applyK = (layout: string, extra: string[] = []) => cluster.kubectl(['apply', '-k', layout, '--validate=strict', ...extra]);
  /**
   * stderr without the one line kubectl 1.28 prints for every kustomization that sets sortOptions
   * (it always passes kustomize a `--reorder` flag too; the file wins). Anything else fails.
   */
  const stderrOf = (res: { stderr: string }) =>
    res.stderr
      .split('\n')
      .filter((l) => l !== '' && !/Warning: Sorting order is set both in 'kustomization\.yaml' \('sortOptions'\) and in a CLI flag \('--reorder'\)\. Using the kustomization file/.test(l))
      .join('\n');

  beforeAll(async () => {
    cluster = await KubeCluster.start(assets!);
    dir = await mkdtemp(join(tmpdir(), 'gh-cluster-manifests-'));
  }, 120_000);

  afterAll(async () => {
    // The controller first: it releases the Lease and quits nginx while the API still answers.
    await controller?.stop();
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  test.for([
    ['manifests/', WEBHOOK_ONLY_DIR, WEBHOOK_ONLY_YAML],
    ['manifests/controller/', CONTROLLER_DIR, CONTROLLER_YAML],
  ] as const)("kubectl's own kustomize builds %s into exactly the objects of its install file", async ([, layout, file]) => {
    const built = parseObjects(await cluster.kubectlOk(['kustomize', layout]));
    expect(built).toEqual(await readObjects(file));
  });

  test('the webhook alone: `kubectl apply -k manifests/` creates every object', async () => {
    const res = await applyK(WEBHOOK_ONLY_DIR);
    expect(stderrOf(res)).toBe('');
    expect(res.code).toBe(0);
    expect(await installedObjects(cluster)).toEqual((await readObjects(WEBHOOK_ONLY_YAML)).map(objectId).sort());
  });

  test('the full install over it: a server-side dry run is accepted and changes nothing, then the real apply is', async () => {
    const before = await installedObjects(cluster);
    const dry = await applyK(CONTROLLER_DIR, ['--dry-run=server']);
    expect(stderrOf(dry)).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('deployment.apps/gatehouse-controller created (server dry run)');
    expect(await installedObjects(cluster)).toEqual(before);

    const res = await applyK(CONTROLLER_DIR);
    expect(stderrOf(res)).toBe('');
    expect(res.code).toBe(0);
    // Same Service, same certificate names: only where it points changed.
    const service = JSON.parse(await cluster.kubectlOk(['get', 'service', 'gatehouse-webhook', '-n', NS, '-o', 'json']));
    expect(service.spec.selector['app.kubernetes.io/component']).toBe('controller');
  });

  test("after removing the standalone webhook's objects as docs/deploy.md says, exactly the full install is left", async () => {
    await cluster.kubectlOk(['delete', '-n', NS, 'deployment,poddisruptionbudget,networkpolicy,serviceaccount', 'gatehouse-webhook']);
    await cluster.kubectlOk(['delete', 'clusterrole,clusterrolebinding', 'gatehouse-webhook']);
    expect(await installedObjects(cluster)).toEqual((await readObjects(CONTROLLER_YAML)).map(objectId).sort());
  });

  test('certgen, as its ServiceAccount with its Jobs’ args, issues the certificate and makes the API server trust it', async () => {
    const kubeconfig = await cluster.serviceAccountKubeconfig(NS, 'gatehouse-certgen');
    for (const job of ['gatehouse-certgen-create', 'gatehouse-certgen-patch']) {
      const { container } = await workloadContainer(CONTROLLER_YAML, 'Job', job);
      const res = await runToEnd([...container.args, '--kubeconfig', kubeconfig, '--log-level', 'silent']);
      expect(res.stderr, job).toBe('');
      expect(res.code, job).toBe(0);
    }
    const cfg = JSON.parse(await cluster.kubectlOk(['get', 'validatingwebhookconfiguration', 'gatehouse', '-o', 'json']));
    expect(Buffer.from(cfg.webhooks[0].clientConfig.caBundle, 'base64').toString()).toBe((await readTlsSecret(cluster)).ca);
  });

  test('re-applying the full install (an upgrade, or a GitOps sync) would change nothing, caBundle included', async () => {
    const res = await cluster.kubectl(['diff', '-k', CONTROLLER_DIR]);
    expect(stderrOf(res)).toBe('');
    expect(res.stdout).toBe('');
    expect(res.code).toBe(0);
  });

  test('docs/deploy.md shows the overlays these tests build', () => {
    expect([...OVERLAYS.keys()].sort()).toEqual(['beside-ingress-nginx', 'cert-manager', 'mtls', 'nodeport', 'prod', 'side-by-side']);
  });

  // Written next to a link to manifests/, so their `../../manifests...` resolve as in a checkout.
  test.for([...OVERLAYS].map(([name, files]) => [name, files] as const))(
    'the %s overlay in docs/deploy.md builds, its workloads’ args parse, and the API server accepts it (dry run)',
    async ([name, files]) => {
      const root = join(dir, 'docs-overlays');
      await mkdir(join(root, 'overlays', name), { recursive: true });
      await symlink(MANIFESTS_DIR, join(root, 'manifests')).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      for (const [file, text] of files) await writeFile(join(root, 'overlays', name, file), text);
      const layout = join(root, 'overlays', name);
      const objects = parseObjects(await cluster.kubectlOk(['kustomize', layout]));
      for (const d of objects.filter((o) => o.kind === 'Deployment')) {
        const [command, ...rest] = d.spec.template.spec.containers[0].args as string[];
        if (command === 'controller') controllerConfigFrom(parseFlags(CONTROLLER_FLAGS, rest), {});
        else webhookConfigFrom(parseFlags(WEBHOOK_FLAGS, rest));
      }
      // cert-manager's kinds need its CRDs, which this cluster does not have.
      if (objects.some((o) => o.apiVersion.startsWith('cert-manager.io/'))) return;
      // A Job's Pod template is immutable: as for an upgrade, the finished Jobs go first.
      await cluster.kubectlOk(['delete', 'job', 'gatehouse-certgen-create', 'gatehouse-certgen-patch', '-n', NS, '--ignore-not-found']);
      const res = await applyK(layout, ['--dry-run=server']);
      expect(stderrOf(res)).toBe('');
      expect(res.code).toBe(0);
    },
  );

  test('an upgrade as docs/deploy.md does it: the finished Jobs deleted, the full install applied again', async () => {
    await cluster.kubectlOk(['delete', 'job', 'gatehouse-certgen-create', 'gatehouse-certgen-patch', '-n', NS, '--ignore-not-found']);
    const res = await applyK(CONTROLLER_DIR);
    expect(stderrOf(res)).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('job.batch/gatehouse-certgen-create created');
    expect(await installedObjects(cluster)).toEqual((await readObjects(CONTROLLER_YAML)).map(objectId).sort());
  });

  describe('the controller, with its ServiceAccount and its Deployment’s args', () => {
    beforeAll(async () => {
      // What the cloud's load-balancer controller does for a LoadBalancer Service.
      await cluster.kubectlOk(['patch', 'service', 'gatehouse-controller', '-n', NS, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { loadBalancer: { ingress: [{ ip: LB_ADDRESS }] } } })]);
      controllerKubeconfig = await cluster.serviceAccountKubeconfig(NS, 'gatehouse-controller');
      const mounted = new MountedSecret(join(dir, 'tls'));
      await mounted.write(await readTlsSecret(cluster));
      configDir = join(dir, 'var-lib-gatehouse', 'nginx');
      const { namespace, container } = await workloadContainer(CONTROLLER_YAML, 'Deployment', 'gatehouse-controller');
      const [http, https, health, status] = [await freePort(), await freePort(), await freePort(), await freePort()];
      const args = substituteFlags(container.args, {
        'nginx-binary': NGINX_BINARY,
        'config-dir': configDir,
        'http-listen': `127.0.0.1:${http}`,
        'https-listen': `127.0.0.1:${https}`,
        'health-listen': `127.0.0.1:${health}`,
        // The harness's API server dials a webhook at its Service's ClusterIP and port.
        'webhook-listen': `${await webhookServiceIp(cluster)}:443`,
        'tls-cert-file': mounted.certFile,
        'tls-key-file': mounted.keyFile,
      });
      expect(args.some((a) => a.startsWith('--status-listen') || a.startsWith('--kubeconfig'))).toBe(false);
      const env = resolveEnv(container, { name: 'gatehouse-controller-test', namespace });
      controller = await startController(
        // --access-log off: a vitest worker's stdout is a socket, which nginx cannot open as
        // /dev/stdout (a Pod's stdout can be opened).
        [...args, '--status-listen', `127.0.0.1:${status}`, '--kubeconfig', controllerKubeconfig, '--log-level', 'warn', '--access-log', 'off'],
        env,
        `http://127.0.0.1:${health}`,
      );
      await namespaceWithService(cluster, 'shop');
    }, 60_000);

    test('the API server calls its co-hosted webhook: a bad Ingress is refused, a good one admitted', async () => {
      const bad = await cluster.kubectl(['apply', '-f', '-'], { input: ingressManifest({ namespace: 'shop', name: 'bad', host: 'bad.example.com', port: 9999 }) });
      expect(bad.stderr).toContain('admission webhook "validate.ingress.gatehouse.dev" denied the request:');
      expect(bad.stderr).toContain('[backend-port]');
      const good = await cluster.kubectl(['apply', '-f', '-'], { input: ingressManifest({ namespace: 'shop', name: 'web', host: 'shop.example.com' }) });
      expect(good.stderr).toBe('');
      expect(good.code).toBe(0);
    });

    test("it serves the Ingress and, as leader, writes the LoadBalancer Service's address into its status", async () => {
      await vi.waitFor(async () => {
        const ingress = JSON.parse(await cluster.kubectlOk(['get', 'ingress', 'web', '-n', 'shop', '-o', 'json']));
        expect(ingress.status.loadBalancer.ingress).toEqual([{ ip: LB_ADDRESS }]);
      }, { timeout: 20_000, interval: 200 });
      expect(await readFile(join(configDir, 'nginx.conf'), 'utf8')).toContain('shop.example.com');
    }, 30_000);

    test('it holds the election Lease in its own namespace, and renews it', async () => {
      const lease = async () => JSON.parse(await cluster.kubectlOk(['get', 'lease', 'gatehouse-leader', '-n', NS, '-o', 'json'])).spec;
      const first = await lease();
      expect(first.holderIdentity).toBeTruthy();
      // Renewed every 2 s, by an update of the Lease.
      await vi.waitFor(async () => expect(Date.parse((await lease()).renewTime)).toBeGreaterThan(Date.parse(first.renewTime)), { timeout: 10_000, interval: 200 });
    }, 20_000);

    test('its token may record an Event on an Ingress, as the quarantine does', async () => {
      const event = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { generateName: 'web.', namespace: 'shop' },
        involvedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: 'shop', name: 'web' },
        type: 'Warning',
        reason: 'ConfigurationRejected',
        message: 'test',
        source: { component: 'gatehouse-controller' },
      };
      expect(await requestAs(cluster, controllerKubeconfig, 'POST', '/api/v1/namespaces/shop/events', event)).toBe(201);
    });

    test('none of its requests was refused, and it used every kind of access it is granted', async () => {
      const events = await cluster.auditEvents(CONTROLLER_SA);
      const refused = events.filter((e) => e.responseStatus?.code === 401 || e.responseStatus?.code === 403);
      expect(refused.map((e) => `${e.verb} ${e.requestURI} ${e.responseStatus?.code}`)).toEqual([]);
      const used = new Set(events.map((e) => `${e.verb} ${e.objectRef?.resource}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ''}`));
      for (const resource of ['namespaces', 'services', 'secrets', 'configmaps', 'ingresses', 'ingressclasses', 'endpointslices']) {
        expect(used, resource).toContain(`list ${resource}`);
        expect(used, resource).toContain(`watch ${resource}`);
      }
      for (const access of ['patch ingresses/status', 'get leases', 'create leases', 'update leases', 'create events']) expect(used).toContain(access);
    });

    // Each a real request with its token; 403 is RBAC's answer (a request RBAC lets through
    // would get 404, 409, 422 or 2xx instead).
    const ING = '/apis/networking.k8s.io/v1/namespaces/shop/ingresses/web';
    const LEASES = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`;
    test.for([
      ['patch an Ingress (spec, metadata, annotations)', 'PATCH', ING],
      ['update an Ingress', 'PUT', ING],
      ['delete an Ingress', 'DELETE', ING],
      ['create an Ingress', 'POST', '/apis/networking.k8s.io/v1/namespaces/shop/ingresses'],
      ['create a Secret', 'POST', `/api/v1/namespaces/${NS}/secrets`],
      ['read a Secret by name', 'GET', `/api/v1/namespaces/${NS}/secrets/gatehouse-webhook-tls`],
      ['update a Secret', 'PUT', `/api/v1/namespaces/${NS}/secrets/gatehouse-webhook-tls`],
      ['change a Service, its own included', 'PATCH', `/api/v1/namespaces/${NS}/services/gatehouse-controller`],
      ['change an EndpointSlice', 'POST', '/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices'],
      ['delete its election Lease', 'DELETE', `${LEASES}/gatehouse-leader`],
      ['read or update another Lease', 'PUT', `${LEASES}/other`],
      ['create a Lease outside its namespace', 'POST', '/apis/coordination.k8s.io/v1/namespaces/shop/leases'],
      ['change an Event', 'PATCH', '/api/v1/namespaces/shop/events/web.1'],
      ['weaken the webhook configuration', 'PATCH', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/gatehouse'],
      ['change an IngressClass', 'PATCH', '/apis/networking.k8s.io/v1/ingressclasses/nginx'],
      ['change a Namespace', 'PATCH', '/api/v1/namespaces/shop'],
      ['read a Pod', 'GET', '/api/v1/namespaces/shop/pods'],
    ] as const)('its token cannot %s', async ([, method, path]) => {
      expect(await requestAs(cluster, controllerKubeconfig, method, path)).toBe(403);
    });
  });
});
