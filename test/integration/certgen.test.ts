// certgen end to end: the CLI writes certificates, the webhook serves them, a Node TLS client
// that trusts only the generated CA and names the Service's DNS name accepts them, and a
// rotation on disk reaches new connections without a failed request.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { CertReloader } from '../../src/admission/cert-reloader.js';
import { buildWebhookServer, setServingPair } from '../../src/admission/server.js';
import { createLogger } from '../../src/log.js';
import { createWebhookMetrics } from '../../src/metrics.js';
import { DEFAULT_RULE_OPTIONS } from '../../src/rules/types.js';
import { main } from '../../src/main.js';
import { ingress, shopCluster } from '../fixtures/builders.js';
import { post1 } from '../support/https-client.js';
import { KubeCluster, kubeAssets } from '../support/kube-cluster.js';
import { runCli } from '../support/run-cli.js';

const HOSTS = 'gatehouse-webhook,gatehouse-webhook.gatehouse,gatehouse-webhook.gatehouse.svc';
const SERVICE_DNS = 'gatehouse-webhook.gatehouse.svc';

function review(n: number): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `705ab4f5-6393-11e8-b7cc-${String(n).padStart(12, '0')}`,
      kind: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' },
      operation: 'CREATE',
      namespace: 'shop',
      object: ingress(),
    },
  });
}

describe('certgen create --out-dir and the webhook', () => {
  let dir: string;
  let app: FastifyInstance;
  let reloader: CertReloader;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gh-certgen-'));
    const run = runCli(['certgen', 'create', '--log-level', 'silent', '--out-dir', dir, '--host', HOSTS]);
    expect(await run.code).toBe(0);
    const cluster = shopCluster();
    const logger = createLogger('silent');
    reloader = new CertReloader(join(dir, 'tls.crt'), join(dir, 'tls.key'), (pair) => setServingPair(app, pair), logger);
    app = buildWebhookServer({
      tls: await reloader.load(),
      deps: { cluster, synced: () => true, rules: [], options: DEFAULT_RULE_OPTIONS, logger },
      metrics: createWebhookMetrics(() => cluster),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `https://127.0.0.1:${(app.server.address() as { port: number }).port}/validate`;
  });
  afterAll(async () => {
    reloader.stop();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a client trusting only the generated CA accepts the Service DNS name', async () => {
    const ca = await readFile(join(dir, 'ca.crt'), 'utf8');
    const res = await post1(url, review(1), { ca, servername: SERVICE_DNS });
    expect(res.json.response.allowed).toBe(true);
  });

  test('the same client refuses a name the certificate does not carry', async () => {
    const ca = await readFile(join(dir, 'ca.crt'), 'utf8');
    await expect(post1(url, review(1), { ca, servername: 'other.gatehouse.svc' })).rejects.toThrow(/altnames|Hostname/);
  });

  test('a reissue on disk reaches new connections with no failed request, under the same CA', async () => {
    // The client re-reads the bundle before each request, as the API server does after
    // `certgen patch`; with the CA reused, the bundle does not even change.
    const oldCa = await readFile(join(dir, 'ca.crt'), 'utf8');
    const bundle = () => readFile(join(dir, 'ca.crt'), 'utf8');
    const serial = async () => (await post1(url, review(2), { ca: await bundle(), servername: SERVICE_DNS })).peer?.serialNumber;
    const before = await serial();
    let failures = 0;
    let stop = false;
    const traffic = (async () => {
      for (let n = 0; !stop; n++) {
        const res = await post1(url, review(n), { ca: await bundle(), servername: SERVICE_DNS }).catch(() => undefined);
        if (res?.json?.response?.allowed !== true) failures++;
      }
    })();
    reloader.start(50);
    // A new --host is not covered by the current certificate: a new one is issued.
    const renew = runCli(['certgen', 'create', '--log-level', 'silent', '--out-dir', dir, '--host', `${HOSTS},${SERVICE_DNS}.cluster.local`]);
    expect(await renew.code).toBe(0);
    await vi.waitFor(async () => expect(await serial()).not.toBe(before), { timeout: 10_000, interval: 50 });
    stop = true;
    await traffic;
    expect(failures).toBe(0);
    expect(await bundle()).toBe(oldCa);
  });

  test('a second run with valid material changes nothing and says so', async () => {
    const run = runCli(['certgen', 'create', '--log-level', 'silent', '--out-dir', dir, '--host', `${HOSTS},${SERVICE_DNS}.cluster.local`]);
    expect(await run.code).toBe(0);
    expect(run.stdout()).toMatch(/nothing|unchanged|valid/i);
  });
});

const assets = kubeAssets();

describe.skipIf(!assets)('certgen against a real API server', () => {
  let cluster: KubeCluster;
  const webhookConfiguration = (kind: string, name: string, path: string) => ({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind,
    metadata: { name: 'gatehouse' },
    webhooks: [
      {
        name,
        clientConfig: { service: { name: 'gatehouse-webhook', namespace: 'gatehouse', path } },
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        rules: [{ apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['ingresses'] }],
      },
    ],
  });
  beforeAll(async () => {
    cluster = await KubeCluster.start(assets!);
    await cluster.kubectlOk(['create', 'namespace', 'gatehouse']);
    await cluster.kubectlOk(['create', '-f', '-'], { input: JSON.stringify(webhookConfiguration('ValidatingWebhookConfiguration', 'validate.gatehouse.dev', '/validate')) });
    await cluster.kubectlOk(['create', '-f', '-'], { input: JSON.stringify(webhookConfiguration('MutatingWebhookConfiguration', 'mutate.gatehouse.dev', '/mutate')) });
  }, 120_000);
  afterAll(async () => cluster?.stop(), 60_000);

  test('create then patch puts the CA into both webhook configurations', async () => {
    const kubeconfig = cluster.adminKubeconfig;
    const create = runCli(['certgen', 'create', '--log-level', 'silent', '--kubeconfig', kubeconfig, '--host', HOSTS, '--namespace', 'gatehouse', '--secret-name', 'gatehouse-webhook-tls']);
    expect(await create.code).toBe(0);
    const patch = runCli(['certgen', 'patch', '--log-level', 'silent', '--kubeconfig', kubeconfig, '--webhook-name', 'gatehouse', '--namespace', 'gatehouse', '--secret-name', 'gatehouse-webhook-tls']);
    expect(await patch.code).toBe(0);
    const secret = (await cluster.api('GET', '/api/v1/namespaces/gatehouse/secrets/gatehouse-webhook-tls')).json as { data: Record<string, string> };
    expect(secret.data['ca']).toMatch(/^LS0tLS1CRUdJTi/); // base64 of "-----BEGIN"
    for (const resource of ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations']) {
      const config = (await cluster.api('GET', `/apis/admissionregistration.k8s.io/v1/${resource}/gatehouse`)).json as { webhooks: { clientConfig: { caBundle?: string } }[] };
      expect(config.webhooks[0]!.clientConfig.caBundle).toBe(secret.data['ca']);
    }
  });

  test('patch of a missing configuration exits 1 with a one-line reason', async () => {
    const run = runCli(['certgen', 'patch', '--log-level', 'silent', '--kubeconfig', cluster.adminKubeconfig, '--webhook-name', 'nope', '--namespace', 'gatehouse', '--secret-name', 'gatehouse-webhook-tls']);
    expect(await run.code).toBe(1);
    expect(run.stderr().trim().split('\n')).toHaveLength(1);
    // Both are missing; certgen reads them at once, and either read may fail first.
    expect(run.stderr()).toMatch(/(Validating|Mutating)WebhookConfiguration nope does not exist/);
  });
});

// Issue 11: each outcome was printed twice, as text on stdout and as a JSON info line.
describe('certgen says each outcome once', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gh-certgen-once-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function certgen(args: string[]): Promise<{ code: number; stdout: string; log: string[] }> {
    let stdout = '';
    const log: string[] = [];
    const code = await main(['certgen', 'create', '--out-dir', dir, '--host', HOSTS, ...args], {
      stdout: (t) => (stdout += t),
      stderr: () => {},
      stopSignal: new Promise(() => {}),
      env: {},
      logDestination: { write: (line: string) => void log.push(line) },
    });
    return { code, stdout, log };
  }

  test('one human line on stdout and no JSON line at the default log level', async () => {
    const first = await certgen([]);
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n')).toHaveLength(1);
    expect(first.log).toEqual([]);
    const again = await certgen([]);
    expect(again.stdout.trim().split('\n')).toHaveLength(1);
    expect(again.log).toEqual([]);
  });

  test('the JSON event lines come with --log-level debug', async () => {
    const run = await certgen(['--log-level', 'debug']);
    expect(run.code).toBe(0);
    expect(run.log.map((l) => JSON.parse(l)).some((l) => l.component === 'certgen' && l.level === 20)).toBe(true);
  });
});
