// Objects on the real test API server (../support/kube-cluster.ts) for tests that drive the
// informers and the webhook against it: REST paths by kind, writes as cluster-admin that are undone
// after each test, ServiceAccounts holding the webhook's RBAC from manifests/install.yaml, and the
// audit log read as "what did this identity ask the API".
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/k8s/types.js';
import type { AuditEvent, KubeCluster } from '../support/kube-cluster.js';

const INSTALL_YAML = join(import.meta.dirname, '../../manifests/install.yaml');

/** The ClusterRole the manifests give the webhook ServiceAccount (list/watch of what it caches). */
export const WEBHOOK_ROLE = 'gatehouse-webhook';

interface Resource {
  readonly prefix: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

const RESOURCES: Readonly<Record<string, Resource>> = {
  'v1/Namespace': { prefix: '/api/v1', plural: 'namespaces', namespaced: false },
  'v1/Service': { prefix: '/api/v1', plural: 'services', namespaced: true },
  'v1/Secret': { prefix: '/api/v1', plural: 'secrets', namespaced: true },
  'v1/ServiceAccount': { prefix: '/api/v1', plural: 'serviceaccounts', namespaced: true },
  'networking.k8s.io/v1/Ingress': { prefix: '/apis/networking.k8s.io/v1', plural: 'ingresses', namespaced: true },
  'networking.k8s.io/v1/IngressClass': { prefix: '/apis/networking.k8s.io/v1', plural: 'ingressclasses', namespaced: false },
  'discovery.k8s.io/v1/EndpointSlice': { prefix: '/apis/discovery.k8s.io/v1', plural: 'endpointslices', namespaced: true },
  'rbac.authorization.k8s.io/v1/ClusterRole': { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterroles', namespaced: false },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterrolebindings', namespaced: false },
};

/** The collection URL of an object's kind (in its namespace when namespaced). */
export function collectionPath(obj: KubeObject): string {
  const res = RESOURCES[`${obj.apiVersion}/${obj.kind}`];
  if (!res) throw new Error(`real-api: no REST path known for ${obj.apiVersion}/${obj.kind}`);
  const ns = obj.metadata?.namespace;
  if (res.namespaced && !ns) throw new Error(`real-api: ${obj.kind} ${obj.metadata?.name} needs a namespace`);
  return res.namespaced ? `${res.prefix}/namespaces/${ns}/${res.plural}` : `${res.prefix}/${res.plural}`;
}

/** The URL of one object. */
export function objectPath(obj: KubeObject): string {
  return `${collectionPath(obj)}/${obj.metadata?.name}`;
}

/** An object as the API server stored it: plain API JSON, server-owned fields filled in. */
export type Stored<T> = T & { readonly metadata: { readonly resourceVersion: string; readonly creationTimestamp: string; readonly managedFields?: unknown[] } };

/**
 * Writes as cluster-admin, each refused answer thrown with the API's message. Remembers what it
 * created so `cleanup()` can delete it: tests share one API server, and a kind some test left
 * objects of would not be empty for the next one.
 */
export class ClusterObjects {
  private readonly created: KubeObject[] = [];

  constructor(private readonly cluster: KubeCluster) {}

  async create<T extends KubeObject>(obj: T): Promise<Stored<T>> {
    const res = await this.cluster.api('POST', collectionPath(obj), obj);
    if (res.status !== 201) throw new Error(`create ${obj.kind} ${obj.metadata?.name}: ${res.status} ${res.json?.message}`);
    this.created.push(obj);
    return res.json;
  }

  async get<T extends KubeObject>(obj: T): Promise<Stored<T>> {
    const res = await this.cluster.api('GET', objectPath(obj));
    if (res.status !== 200) throw new Error(`get ${obj.kind} ${obj.metadata?.name}: ${res.status} ${res.json?.message}`);
    return res.json;
  }

  /** Reads the stored object, lets `change` edit it and writes it back (PUT, optimistic locking). */
  async update<T extends KubeObject>(obj: T, change: (stored: any) => void): Promise<Stored<T>> {
    const stored = await this.get(obj);
    change(stored);
    const res = await this.cluster.api('PUT', objectPath(obj), stored);
    if (res.status !== 200) throw new Error(`update ${obj.kind} ${obj.metadata?.name}: ${res.status} ${res.json?.message}`);
    return res.json;
  }

  async remove(obj: KubeObject): Promise<void> {
    const res = await this.cluster.api('DELETE', objectPath(obj));
    if (res.status !== 200 && res.status !== 202) throw new Error(`delete ${obj.kind} ${obj.metadata?.name}: ${res.status} ${res.json?.message}`);
  }

  /**
   * Deletes what create() made, newest first; already gone is fine. Namespaces stay: without the
   * kube-controller-manager's namespace controller they would stay Terminating for good.
   */
  async cleanup(): Promise<void> {
    for (const obj of this.created.splice(0).reverse()) {
      if (obj.kind === 'Namespace') continue;
      const res = await this.cluster.api('DELETE', objectPath(obj));
      if (res.status !== 200 && res.status !== 202 && res.status !== 404) throw new Error(`cleanup of ${obj.kind} ${obj.metadata?.name}: ${res.status}`);
    }
  }
}

interface PolicyRule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
}

interface ClusterRole extends KubeObject {
  readonly rules: PolicyRule[];
}

/** ClusterRole gatehouse-webhook as manifests/install.yaml declares it. */
export async function webhookClusterRole(): Promise<ClusterRole> {
  for (const doc of parseAllDocuments(await readFile(INSTALL_YAML, 'utf8'))) {
    const obj = doc.toJS() as ClusterRole | null;
    if (obj?.kind === 'ClusterRole' && obj.metadata?.name === WEBHOOK_ROLE) return obj;
  }
  throw new Error(`ClusterRole ${WEBHOOK_ROLE} not in ${INSTALL_YAML}`);
}

/** The name roleWithout(webhook role, resource) gives its ClusterRole. */
export function webhookRoleWithout(resource: string): string {
  return `${WEBHOOK_ROLE}-without-${resource}`;
}

/** The webhook's rules under another name, without `resource`: an identity refused one list. */
export function roleWithout(role: ClusterRole, resource: string): ClusterRole {
  return {
    apiVersion: role.apiVersion,
    kind: 'ClusterRole',
    metadata: { name: webhookRoleWithout(resource) },
    rules: role.rules.map((r) => ({ ...r, resources: r.resources.filter((x) => x !== resource) })).filter((r) => r.resources.length > 0),
  };
}

/** Binds ClusterRole `role` to ServiceAccount NS/NAME, cluster-wide. */
export async function bindClusterRole(objects: ClusterObjects, namespace: string, name: string, role: string): Promise<void> {
  await objects.create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `${namespace}-${name}-${role}` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  } as KubeObject);
}

/** A ServiceAccount bound to ClusterRole `role`; its kubeconfig path and audit user name. */
export async function serviceAccountWithRole(
  cluster: KubeCluster,
  objects: ClusterObjects,
  namespace: string,
  name: string,
  role: string,
): Promise<{ kubeconfig: string; user: string }> {
  await objects.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace, name } });
  await bindClusterRole(objects, namespace, name, role);
  return { kubeconfig: await cluster.serviceAccountKubeconfig(namespace, name), user: `system:serviceaccount:${namespace}:${name}` };
}

/** One request as the audit log tells it (a watch is logged at ResponseStarted and again at ResponseComplete). */
export interface AuditedRequest {
  readonly verb: string;
  readonly query: URLSearchParams;
  /** The HTTP status; for a watch, 200 once it streams. */
  readonly code: number | undefined;
  /** False while a watch is still streaming. */
  readonly complete: boolean;
}

/** List and watch requests `user` made on `resource` (e.g. `secrets`), oldest first, one entry per request. */
export async function listsAndWatches(cluster: KubeCluster, user: string, resource: string): Promise<AuditedRequest[]> {
  const byId = new Map<string, { verb: string; query: URLSearchParams; code: number | undefined; complete: boolean }>();
  for (const e of (await cluster.auditEvents(user)) as (AuditEvent & { auditID: string; stage: string })[]) {
    if (e.objectRef?.resource !== resource || e.objectRef.name !== undefined || (e.verb !== 'list' && e.verb !== 'watch')) continue;
    const seen = byId.get(e.auditID);
    const complete = e.stage === 'ResponseComplete';
    if (seen) seen.complete ||= complete;
    else byId.set(e.auditID, { verb: e.verb, query: new URL(e.requestURI, 'https://audit').searchParams, code: e.responseStatus?.code, complete });
  }
  return [...byId.values()];
}
