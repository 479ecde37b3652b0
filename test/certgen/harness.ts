// Shared setup of the certgen create/patch tests: one real kube-apiserver per test file
// (test/support/kube-cluster.ts), a fresh namespace per test, certgen running as its own
// ServiceAccount so the API server's audit log tells its requests apart from the test's, and a
// logger whose output the tests can search for key material.
import { Writable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { CREATE_DEFAULTS, type CertgenCreateOptions, type CertgenPatchOptions } from '../../src/certgen/options.js';
import { loadKubeConfig } from '../../src/k8s/client.js';
import { createLogger } from '../../src/log.js';
import { KubeCluster, type AuditEvent, type KubeAssets } from '../support/kube-cluster.js';

export const SECRET = 'gatehouse-webhook-tls';
export const HOSTS = ['gatehouse-webhook', 'gatehouse-webhook.gatehouse', 'gatehouse-webhook.gatehouse.svc'];
export const DAY = 86_400_000;
export const T0 = new Date('2026-03-01T00:00:00Z');
export const at = (days: number) => new Date(T0.getTime() + days * DAY);

export const secretPath = (namespace: string, name = SECRET) => `/api/v1/namespaces/${namespace}/secrets/${name}`;

export function createOptions(namespace: string, extra: Partial<CertgenCreateOptions> = {}): CertgenCreateOptions {
  return { ...CREATE_DEFAULTS, hosts: HOSTS, namespace, secretName: SECRET, ...extra };
}

/** Patch options for the Secret in `namespace` and the webhook configurations named after it. */
export function patchOptions(namespace: string, extra: Partial<CertgenPatchOptions> = {}): CertgenPatchOptions {
  return {
    webhookName: namespace,
    namespace,
    secretName: SECRET,
    caName: 'ca',
    patchValidating: true,
    patchMutating: true,
    ...extra,
  };
}

/** A logger writing JSON lines into `lines`. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('debug', sink), lines };
}

export interface StoredSecret {
  metadata: { name: string; resourceVersion: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  type: string;
  data: Record<string, string>;
}

/** A Secret data entry as text. */
export function entry(secret: StoredSecret | undefined, key: string): string {
  const v = secret?.data[key];
  if (v === undefined) throw new Error(`Secret has no key ${key}`);
  return Buffer.from(v, 'base64').toString('utf8');
}

/** The audit fields this harness reads beyond those kube-cluster.ts types. */
type Event = AuditEvent & { readonly requestReceivedTimestamp: string };

const CERTGEN_NAMESPACE = 'certgen-identity';
/** The user certgen runs as: a ServiceAccount bound to cluster-admin (RBAC is tested in test/cluster). */
export const CERTGEN_USER = `system:serviceaccount:${CERTGEN_NAMESPACE}:certgen`;
const WRITES = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** A real API server for certgen tests; the test itself acts as cluster-admin. */
export class CertgenCluster {
  private namespaces = 0;
  private barriers = 0;

  private constructor(
    readonly kube: KubeCluster,
    /** kubeconfig path of CERTGEN_USER. */
    readonly certgenKubeconfig: string,
  ) {}

  static async start(assets: KubeAssets): Promise<CertgenCluster> {
    const kube = await KubeCluster.start(assets);
    try {
      await kube.kubectlOk(['create', 'namespace', CERTGEN_NAMESPACE]);
      await kube.kubectlOk(['create', 'serviceaccount', 'certgen', '-n', CERTGEN_NAMESPACE]);
      await kube.kubectlOk(['create', 'clusterrolebinding', 'certgen', '--clusterrole=cluster-admin', `--serviceaccount=${CERTGEN_NAMESPACE}:certgen`]);
      return new CertgenCluster(kube, await kube.serviceAccountKubeconfig(CERTGEN_NAMESPACE, 'certgen'));
    } catch (err) {
      await kube.stop();
      throw err;
    }
  }

  stop(): Promise<void> {
    return this.kube.stop();
  }

  /** certgen's KubeConfig (as CERTGEN_USER). */
  kubeConfig(): KubeConfig {
    return loadKubeConfig(this.certgenKubeconfig);
  }

  /** A namespace of its own for one test. */
  async namespace(): Promise<string> {
    const name = `certgen-${++this.namespaces}`;
    await this.ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return name;
  }

  /** One admin request that must succeed (2xx); returns the decoded body. */
  async ok(method: string, path: string, body?: unknown): Promise<any> {
    const res = await this.kube.api(method, path, body);
    if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path}: HTTP ${res.status}: ${res.json?.message ?? ''}`);
    return res.json;
  }

  /** Reads the object at `path`, lets `change` edit it and writes it back (PUT, as `kubectl edit` does). */
  async edit(path: string, change: (obj: any) => void): Promise<void> {
    const obj = await this.ok('GET', path);
    change(obj);
    await this.ok('PUT', path, obj);
  }

  /** The Secret as stored, or undefined when there is none. */
  async secret(namespace: string, name = SECRET): Promise<StoredSecret | undefined> {
    const res = await this.kube.api('GET', secretPath(namespace, name));
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new Error(`GET Secret ${namespace}/${name}: HTTP ${res.status}`);
    return res.json as StoredSecret;
  }

  /** Where the audit log ends now: pass it to calls() or writes() to see only what comes after. */
  async mark(): Promise<number> {
    return (await this.settledEvents()).length;
  }

  /** certgen's requests since `mark`, in the order they arrived, as `verb resource/name code`. */
  async calls(mark: number): Promise<string[]> {
    const events = (await this.settledEvents()).slice(mark).filter((e) => e.user.username === CERTGEN_USER);
    return events
      .map((e, i) => ({ e, i }))
      .sort((a, b) => a.e.requestReceivedTimestamp.localeCompare(b.e.requestReceivedTimestamp) || a.i - b.i)
      .map(({ e }) => `${e.verb} ${e.objectRef?.resource ?? e.requestURI}/${e.objectRef?.name ?? ''} ${e.responseStatus?.code ?? '?'}`);
  }

  /** The calls since `mark` that asked to change something, whatever the answer. */
  async writes(mark: number): Promise<string[]> {
    return (await this.calls(mark)).filter((c) => WRITES.has(c.split(' ')[0]!));
  }

  /**
   * The audit log once every request answered so far is in it. The API server writes an event
   * after it has sent the response, so a client can be ahead of the log: a request of our own,
   * sent after those, is waited for first.
   */
  private async settledEvents(): Promise<Event[]> {
    const barrier = `/api/v1/namespaces/audit-barrier-${++this.barriers}`;
    await this.kube.api('GET', barrier);
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
      const events = (await this.kube.auditEvents()) as Event[];
      if (events.some((e) => e.requestURI === barrier)) return events.filter((e) => !e.requestURI.startsWith('/api/v1/namespaces/audit-barrier-'));
    }
    throw new Error(`the audit log never recorded ${barrier}`);
  }
}
