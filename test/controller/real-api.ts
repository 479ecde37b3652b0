// Helpers for controller tests on the real kube-apiserver of test/support/kube-cluster.ts:
// ServiceAccount identities with only the RBAC a component needs (so the audit log tells the
// component's requests from the test's own admin writes), and a recording pass-through for what
// the audit log does not keep (content types, bodies) or to hold requests and force an interleaving.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../src/k8s/client.js';
import type { AuditEvent, KubeCluster } from '../support/kube-cluster.js';

/** One RBAC rule (rbac.authorization.k8s.io/v1 PolicyRule). */
export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

/** A ServiceAccount's credentials: its kubeconfig and the username the audit log records. */
export interface Identity {
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
  /** `system:serviceaccount:NS:NAME` */
  readonly username: string;
}

/**
 * ServiceAccount `namespace/name` granted `rules` in its namespace through a Role, or in every
 * namespace through a ClusterRole (`clusterWide`). The namespace must exist.
 */
export async function serviceAccountWith(
  cluster: KubeCluster,
  namespace: string,
  name: string,
  rules: readonly PolicyRule[],
  opts: { clusterWide?: boolean } = {},
): Promise<Identity> {
  const subject = { kind: 'ServiceAccount', name, namespace };
  const roleName = `${namespace}-${name}`;
  const scoped = opts.clusterWide ? {} : { namespace };
  const [roleKind, bindingKind] = opts.clusterWide ? ['ClusterRole', 'ClusterRoleBinding'] : ['Role', 'RoleBinding'];
  const items = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace, name } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: roleKind, metadata: { name: roleName, ...scoped }, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: bindingKind,
      metadata: { name: roleName, ...scoped },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName },
      subjects: [subject],
    },
  ];
  await cluster.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
  const kubeconfigPath = await cluster.serviceAccountKubeconfig(namespace, name);
  return { kubeconfigPath, kubeConfig: loadKubeConfig(kubeconfigPath), username: `system:serviceaccount:${namespace}:${name}` };
}

/** Creates a namespace as admin. */
export async function createNamespace(cluster: KubeCluster, name: string): Promise<void> {
  const res = await cluster.api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  if (res.status !== 201) throw new Error(`create namespace ${name}: HTTP ${res.status} ${JSON.stringify(res.json)}`);
}

/** An admin request that must answer 2xx; returns the decoded body. */
export async function apiOk<T = any>(cluster: KubeCluster, method: string, path: string, body?: unknown): Promise<T> {
  const res = await cluster.api(method, path, body);
  if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(res.json)}`);
  return res.json as T;
}

/** Audit events of `user` on one object (resource, namespace, name; optionally a subresource). */
export async function auditedRequests(
  cluster: KubeCluster,
  user: string,
  ref: { resource: string; namespace: string; name?: string; subresource?: string },
): Promise<AuditEvent[]> {
  return (await cluster.auditEvents(user)).filter(
    (e) =>
      e.objectRef?.resource === ref.resource &&
      e.objectRef.namespace === ref.namespace &&
      (ref.name === undefined || e.objectRef.name === ref.name) &&
      (e.objectRef.subresource ?? '') === (ref.subresource ?? ''),
  );
}

/** A KubeConfig for a plain-HTTP server at `url` (client-node wants TLS verification off for http). */
export function plainHttpKubeConfig(url: string, user: { name: string; token?: string } = { name: 'test', token: 'test-token' }): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server: url, skipTLSVerify: true }],
    users: [user],
    contexts: [{ name: 'test', cluster: 'test', user: user.name }],
    currentContext: 'test',
  });
  return kc;
}

/** One request that went through an ApiRecorder, and the real API server's answer. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  /** Media type, without parameters. */
  readonly contentType: string | undefined;
  /** Decoded JSON body (undefined when empty). */
  readonly body: unknown;
  /** The API server's status code; 0 until it answered. */
  status: number;
}

interface Hold {
  readonly match: (r: RecordedRequest) => boolean;
  readonly count: number;
  readonly waiting: (() => void)[];
}

/**
 * A plain-HTTP pass-through to the real API server on 127.0.0.1: it records each request and
 * forwards it unchanged (the caller's bearer token included, so the API sees the caller's identity).
 */
export class ApiRecorder {
  readonly requests: RecordedRequest[] = [];
  private readonly holds: Hold[] = [];

  private constructor(
    private readonly server: Server,
    private readonly user: Identity,
  ) {}

  /** Starts a recorder in front of `cluster` for a ServiceAccount `user` (bearer-token kubeconfig). */
  static async start(cluster: KubeCluster, user: Identity): Promise<ApiRecorder> {
    const server = createServer();
    const recorder = new ApiRecorder(server, user);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => recorder.forward(cluster, req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return recorder;
  }

  /** The user's KubeConfig, pointed at this recorder. */
  kubeConfig(): KubeConfig {
    const user = this.user.kubeConfig.getCurrentUser();
    if (!user?.token) throw new Error('ApiRecorder forwards bearer tokens only');
    return plainHttpKubeConfig(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}`, { name: user.name, token: user.token });
  }

  /**
   * Holds the next `count` requests matching until all of them arrived, then forwards them
   * together: e.g. two clients' reads both happen before either one's write.
   */
  hold(match: (r: RecordedRequest) => boolean, count: number): void {
    this.holds.push({ match, count, waiting: [] });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(cluster: KubeCluster, req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const record: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: req.headers['content-type']?.split(';')[0]?.trim(),
        body: raw.length > 0 ? JSON.parse(raw.toString()) : undefined,
        status: 0,
      };
      this.requests.push(record);
      const send = (): void => {
        const { host: _host, ...headers } = req.headers;
        const upstream = request(`${cluster.server}${record.url}`, { method: record.method, headers, ca: cluster.servingCa }, (answer) => {
          record.status = answer.statusCode ?? 0;
          res.writeHead(record.status, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', (err) => res.destroy(err));
        upstream.end(raw);
      };
      const hold = this.holds.find((h) => h.waiting.length < h.count && h.match(record));
      if (!hold) return send();
      hold.waiting.push(send);
      if (hold.waiting.length === hold.count) {
        this.holds.splice(this.holds.indexOf(hold), 1);
        for (const release of hold.waiting) release();
      }
    });
  }
}
