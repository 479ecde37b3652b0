// The full install (manifests/controller/, rendered as manifests/install-controller.yaml) run in a
// real test cluster: the controller started in process with the container args and downward-API
// environment of its Deployment, only the addresses and paths a test machine needs substituted,
// as its own ServiceAccount. See ./gatehouse-install.ts for the webhook-only install.
import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { expect, vi } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { CONTROLLER_INSTALL_FILE, INSTALL_FILE, MANIFESTS_DIR } from '../../scripts/render-install.js';
import type { KubeCluster } from '../support/kube-cluster.js';
import { runCli, type CliRun } from '../support/run-cli.js';

export const WEBHOOK_ONLY_DIR = MANIFESTS_DIR;
export const CONTROLLER_DIR = join(MANIFESTS_DIR, 'controller');
export const WEBHOOK_ONLY_YAML = join(MANIFESTS_DIR, INSTALL_FILE);
export const CONTROLLER_YAML = join(MANIFESTS_DIR, CONTROLLER_INSTALL_FILE);

/** A manifest object, read loosely. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: any };

/** The objects of a rendered install file (or of kustomize's output), in order. */
export function parseObjects(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

export async function readObjects(file: string): Promise<Manifest[]> {
  return parseObjects(await readFile(file, 'utf8'));
}

/** The first container of a Deployment or Job in `file`, and the namespace it runs in. */
export async function workloadContainer(file: string, kind: 'Deployment' | 'Job', name: string): Promise<{ namespace: string; container: any }> {
  const obj = (await readObjects(file)).find((m) => m.kind === kind && m.metadata.name === name);
  if (!obj) throw new Error(`${kind} ${name} not in ${file}`);
  return { namespace: obj.metadata.namespace!, container: obj.spec.template.spec.containers[0] };
}

/**
 * `args` with the values of some `--flag=value` entries replaced. Every flag to replace must be
 * there (a Deployment that drops one fails the test instead of silently running on defaults).
 */
export function substituteFlags(args: readonly string[], values: Readonly<Record<string, string>>): string[] {
  const missing = new Set(Object.keys(values));
  const out = args.map((arg) => {
    const m = /^--([a-z-]+)=/.exec(arg);
    if (!m || !(m[1]! in values)) return arg;
    missing.delete(m[1]!);
    return `--${m[1]}=${values[m[1]!]}`;
  });
  if (missing.size > 0) throw new Error(`the Deployment's args lack ${[...missing].map((f) => `--${f}`).join(', ')}`);
  return out;
}

/** The container's `env`, with downward-API `fieldRef`s resolved as the kubelet would for `pod`. */
export function resolveEnv(container: { env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[] }, pod: { name: string; namespace: string }): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': pod.name, 'metadata.namespace': pod.namespace };
  return Object.fromEntries(
    (container.env ?? []).map((e) => {
      const path = e.valueFrom?.fieldRef?.fieldPath;
      if (path !== undefined && !(path in fields)) throw new Error(`env ${e.name}: fieldRef ${path} is not resolved by this test`);
      return [e.name, path !== undefined ? fields[path]! : (e.value ?? '')];
    }),
  );
}

export interface RunningController {
  readonly run: CliRun;
  /** `http://127.0.0.1:PORT` of /healthz, /readyz, /metrics */
  readonly health: string;
  stop(): Promise<number>;
}

/**
 * Runs `gatehouse controller` with `args` and `env` as given and waits for /readyz (`health`
 * must be the --health-listen address in `args`).
 */
export async function startController(args: string[], env: Record<string, string>, health: string): Promise<RunningController> {
  const run = runCli(args, env);
  let exited = false;
  void run.code.then(() => (exited = true));
  await vi.waitFor(
    async () => {
      if (exited) throw new Error(`controller exited: ${run.stderr()}`);
      expect((await fetch(`${health}/readyz`)).status).toBe(200);
    },
    { timeout: 30_000, interval: 100 },
  );
  return { run, health, stop: () => run.stop() };
}

/** Kinds the installs use, as kubectl names them, for listing what is in the cluster. */
export const INSTALL_RESOURCES = [
  'namespaces',
  'serviceaccounts',
  'configmaps',
  'services',
  'deployments.apps',
  'poddisruptionbudgets.policy',
  'networkpolicies.networking.k8s.io',
  'roles.rbac.authorization.k8s.io',
  'rolebindings.rbac.authorization.k8s.io',
  'clusterroles.rbac.authorization.k8s.io',
  'clusterrolebindings.rbac.authorization.k8s.io',
  'jobs.batch',
  'cronjobs.batch',
  'ingressclasses.networking.k8s.io',
  'validatingwebhookconfigurations.admissionregistration.k8s.io',
  'mutatingwebhookconfigurations.admissionregistration.k8s.io',
] as const;

/** `Kind namespace/name` of every object labelled app.kubernetes.io/name=gatehouse, sorted. */
export async function installedObjects(cluster: KubeCluster): Promise<string[]> {
  const list = JSON.parse(await cluster.kubectlOk(['get', INSTALL_RESOURCES.join(','), '-A', '-l', 'app.kubernetes.io/name=gatehouse', '-o', 'json']));
  return (list.items as Manifest[]).map(objectId).sort();
}

export const objectId = (m: Manifest): string => `${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}`;

/**
 * One API request with the bearer token of a kubeconfig written by
 * `cluster.serviceAccountKubeconfig` (no kubectl: kubectl reads an object before patching it, and
 * that read would be what RBAC refuses). Resolves with the HTTP status.
 */
export async function requestAs(cluster: KubeCluster, kubeconfig: string, method: string, path: string, body: unknown = {}): Promise<number> {
  const token = (parse(await readFile(kubeconfig, 'utf8')) as { users: { user: { token: string } }[] }).users[0]!.user.token;
  const payload = method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify(body);
  const contentType = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${cluster.server}${path}`,
      { method, ca: cluster.servingCa, headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': contentType } : {}) }, timeout: 10_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * The kustomize overlays a Markdown page shows: fenced `yaml` blocks (indented ones too) whose first
 * line is a `# overlays/NAME/FILE` comment, by overlay name, then file name.
 */
export function markdownOverlays(markdown: string): Map<string, Map<string, string>> {
  const overlays = new Map<string, Map<string, string>>();
  for (const m of markdown.matchAll(/^([ \t]*)```yaml\n([\s\S]*?)^\1```$/gm)) {
    const indent = m[1]!;
    const text = m[2]!
      .split('\n')
      .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
      .join('\n');
    const head = /^# overlays\/([\w-]+)\/([\w.-]+)\n/.exec(text);
    if (!head) continue;
    if (!overlays.has(head[1]!)) overlays.set(head[1]!, new Map());
    overlays.get(head[1]!)!.set(head[2]!, text);
  }
  return overlays;
}
