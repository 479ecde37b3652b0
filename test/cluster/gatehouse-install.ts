// Gatehouse installed into a real test cluster the way an operator does it: manifests/install.yaml
// applied with kubectl, certgen run with the args of the manifests' Jobs as the certgen
// ServiceAccount, the webhook run with the webhook ServiceAccount on its Service's ClusterIP and
// port (the API server calls it there; see ../support/kube-cluster.ts), its certificate files
// laid out as the kubelet mounts a Secret.
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { freePort } from '../../bench/lib.js';
import { KubeCluster, kubeAssets } from '../support/kube-cluster.js';
import { runCli, type CliRun } from '../support/run-cli.js';

const ROOT = join(import.meta.dirname, '../..');
export const INSTALL_YAML = join(ROOT, 'manifests/install.yaml');
export const NAMESPACE = 'gatehouse';
export const SECRET = 'gatehouse-webhook-tls';

/** The container args of a workload in manifests/install.yaml (Job, CronJob or Deployment). */
export async function manifestArgs(kind: string, name: string): Promise<string[]> {
  for (const doc of parseAllDocuments(await readFile(INSTALL_YAML, 'utf8'))) {
    const obj = doc.toJS() as { kind?: string; metadata?: { name?: string }; spec?: any };
    if (obj?.kind !== kind || obj.metadata?.name !== name) continue;
    const pod = kind === 'CronJob' ? obj.spec.jobTemplate.spec.template.spec : obj.spec.template.spec;
    return [...pod.containers[0].args];
  }
  throw new Error(`${kind} ${name} not in ${INSTALL_YAML}`);
}

/** `kubectl apply -f manifests/install.yaml`, unmodified. */
export async function applyInstall(cluster: KubeCluster): Promise<void> {
  await cluster.kubectlOk(['apply', '-f', INSTALL_YAML]);
}

/** Runs a gatehouse command to completion; resolves with its exit code and output. */
export async function runToEnd(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = runCli(args);
  const code = await run.code;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** `certgen create` with the create Job's args, as the certgen ServiceAccount. */
export async function certgenCreate(kubeconfig: string, extra: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = await manifestArgs('Job', 'gatehouse-certgen-create');
  return runToEnd([...args, '--kubeconfig', kubeconfig, '--log-level', 'silent', ...extra]);
}

/** `certgen patch` with the patch Job's args, as the certgen ServiceAccount. */
export async function certgenPatch(kubeconfig: string, extra: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = await manifestArgs('Job', 'gatehouse-certgen-patch');
  return runToEnd([...args, '--kubeconfig', kubeconfig, '--log-level', 'silent', ...extra]);
}

export interface TlsSecret {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
  readonly resourceVersion: string;
}

/** Reads Secret gatehouse/gatehouse-webhook-tls as admin. */
export async function readTlsSecret(cluster: KubeCluster): Promise<TlsSecret> {
  const secret = JSON.parse(await cluster.kubectlOk(['get', 'secret', SECRET, '-n', NAMESPACE, '-o', 'json']));
  const data = (k: string) => Buffer.from(secret.data[k] ?? '', 'base64').toString('utf8');
  return { cert: data('cert'), key: data('key'), ca: data('ca'), resourceVersion: secret.metadata.resourceVersion };
}

/** caBundle of every webhook of both configurations named `gatehouse`, decoded. */
export async function caBundles(cluster: KubeCluster): Promise<string[]> {
  const bundles: string[] = [];
  for (const kind of ['validatingwebhookconfiguration', 'mutatingwebhookconfiguration']) {
    const cfg = JSON.parse(await cluster.kubectlOk(['get', kind, 'gatehouse', '-o', 'json']));
    for (const w of cfg.webhooks) bundles.push(Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString('utf8'));
  }
  return bundles;
}

/**
 * A directory laid out as the kubelet mounts a Secret: `cert` and `key` are symlinks through
 * `..data`, which is swapped atomically on every update
 * (https://kubernetes.io/docs/concepts/configuration/secret/#mounted-secrets-are-updated-automatically).
 */
export class MountedSecret {
  private generation = 0;
  constructor(readonly dir: string) {}

  get certFile(): string {
    return join(this.dir, 'cert');
  }
  get keyFile(): string {
    return join(this.dir, 'key');
  }

  async write(secret: { cert: string; key: string }): Promise<void> {
    const first = this.generation === 0;
    const version = `..${Date.now()}_${++this.generation}`;
    await mkdir(join(this.dir, version), { recursive: true });
    await writeFile(join(this.dir, version, 'cert'), secret.cert);
    await writeFile(join(this.dir, version, 'key'), secret.key, { mode: 0o600 });
    await symlink(version, join(this.dir, '..data_tmp'));
    await rename(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    if (first) {
      await symlink('..data/cert', this.certFile);
      await symlink('..data/key', this.keyFile);
    }
  }
}

export interface RunningWebhook {
  readonly run: CliRun;
  /** `http://127.0.0.1:PORT` of /healthz, /readyz, /metrics */
  readonly health: string;
  /** The address it serves HTTPS on: the Service's ClusterIP, port 443. */
  readonly address: string;
  stop(): Promise<number>;
}

/** The ClusterIP of Service gatehouse/gatehouse-webhook. */
export async function webhookServiceIp(cluster: KubeCluster): Promise<string> {
  return (await cluster.kubectlOk(['get', 'service', 'gatehouse-webhook', '-n', NAMESPACE, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
}

/**
 * Starts `gatehouse webhook` with the Deployment's args (certificate paths replaced by `mounted`),
 * as the webhook ServiceAccount, listening where the API server calls it; waits for /readyz.
 */
export async function startWebhook(cluster: KubeCluster, kubeconfig: string, mounted: MountedSecret, extra: string[] = []): Promise<RunningWebhook> {
  const ip = await webhookServiceIp(cluster);
  const healthPort = await freePort();
  const deploymentArgs = await manifestArgs('Deployment', 'gatehouse-webhook');
  const args = deploymentArgs.map((a) => (a === '/etc/gatehouse/tls/cert' ? mounted.certFile : a === '/etc/gatehouse/tls/key' ? mounted.keyFile : a));
  const run = runCli([...args, '--listen', `${ip}:443`, '--health-listen', `127.0.0.1:${healthPort}`, '--kubeconfig', kubeconfig, '--log-level', 'warn', ...extra]);
  const health = `http://127.0.0.1:${healthPort}`;
  let exited = false;
  void run.code.then(() => (exited = true));
  await vi.waitFor(
    async () => {
      if (exited) throw new Error(`webhook exited: ${run.stderr()}`);
      expect((await fetch(`${health}/readyz`)).status).toBe(200);
    },
    { timeout: 30_000, interval: 100 },
  );
  return { run, health, address: `${ip}:443`, stop: () => run.stop() };
}

/** An Ingress manifest (JSON) for kubectl. */
export function ingressManifest(opts: {
  namespace: string;
  name: string;
  host: string;
  path?: string;
  service?: string;
  port?: number;
  className?: string | null;
  annotations?: Record<string, string>;
  extraPaths?: { path: string; service: string; port: number }[];
}): string {
  const paths = [{ path: opts.path ?? '/', service: opts.service ?? 'web', port: opts.port ?? 80 }, ...(opts.extraPaths ?? [])];
  return JSON.stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: opts.name, namespace: opts.namespace, annotations: opts.annotations ?? {} },
    spec: {
      ...(opts.className === null ? {} : { ingressClassName: opts.className ?? 'nginx' }),
      rules: [
        {
          host: opts.host,
          http: { paths: paths.map((p) => ({ path: p.path, pathType: 'Prefix', backend: { service: { name: p.service, port: { number: p.port } } } })) },
        },
      ],
    },
  });
}

/** Namespace NS with Service `web` (port 80/http) in it. */
export async function namespaceWithService(cluster: KubeCluster, ns: string, service = 'web'): Promise<void> {
  await cluster.kubectlOk(['create', 'namespace', ns]);
  await cluster.kubectlOk(['create', 'service', 'clusterip', service, '--tcp=80:8080', '-n', ns]);
}

export interface InstalledWebhook {
  readonly certgenKubeconfig: string;
  readonly webhookKubeconfig: string;
  readonly mounted: MountedSecret;
  webhook: RunningWebhook;
}

/**
 * The whole install, as docs/deploy.md has it: install.yaml, certgen create and patch as the
 * certgen ServiceAccount, the Secret mounted into `certDir`, the webhook as its ServiceAccount.
 */
export async function installWebhook(cluster: KubeCluster, certDir: string): Promise<InstalledWebhook> {
  await applyInstall(cluster);
  const certgenKubeconfig = await cluster.serviceAccountKubeconfig(NAMESPACE, 'gatehouse-certgen');
  const webhookKubeconfig = await cluster.serviceAccountKubeconfig(NAMESPACE, 'gatehouse-webhook');
  for (const step of [certgenCreate, certgenPatch]) {
    const res = await step(certgenKubeconfig);
    if (res.code !== 0) throw new Error(`certgen failed: ${res.stderr}`);
  }
  const mounted = new MountedSecret(certDir);
  await mounted.write(await readTlsSecret(cluster));
  const webhook = await startWebhook(cluster, webhookKubeconfig, mounted);
  return { certgenKubeconfig, webhookKubeconfig, mounted, webhook };
}

/** What useInstalledWebhook gives its describe block; read it in tests and hooks, after its beforeAll. */
export interface WebhookSuite {
  readonly cluster: KubeCluster;
  readonly installed: InstalledWebhook;
}

/**
 * Hooks for a describe block: before it, a fresh cluster with the whole install (installWebhook,
 * the Secret mounted into a temporary directory named `tmpPrefix…`) and namespace `shop` with
 * Service `web`; after it, the webhook, then the cluster, stopped and the directory removed.
 */
export function useInstalledWebhook(tmpPrefix: string): WebhookSuite {
  let cluster: KubeCluster | undefined;
  let certDir: string | undefined;
  let installed: InstalledWebhook | undefined;
  beforeAll(async () => {
    const assets = kubeAssets();
    if (!assets) throw new Error('useInstalledWebhook needs the cluster binaries: skip the block without them');
    cluster = await KubeCluster.start(assets);
    certDir = await mkdtemp(join(tmpdir(), tmpPrefix));
    installed = await installWebhook(cluster, certDir);
    await namespaceWithService(cluster, 'shop');
  }, 120_000);
  afterAll(async () => {
    await installed?.webhook.stop();
    await cluster?.stop();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  }, 60_000);
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useInstalledWebhook: read before its beforeAll ran');
    return value;
  };
  return {
    get cluster() {
      return ready(cluster);
    },
    get installed() {
      return ready(installed);
    },
  };
}
