// TEST DOUBLE of the Kubernetes API server — ONLY for faults the real one cannot be made to show on
// demand: dropped or ended watch connections (dropWatches/endWatches), 410 Gone at will
// (compact), bookmarks on demand (sendBookmarks), and injected 5xx answers (failNext). Everything
// else is tested against the real kube-apiserver v1.28.7 (test/support/kube-cluster.ts). Used by
// the fault sections of test/k8s/informers.test.ts, test/controller/leader-election.test.ts and
// test/controller/status-writer.test.ts; do not add normal-behaviour tests here.
//
// It drives the real @kubernetes/client-node (ListWatch/informers and the typed CoreV1Api,
// NetworkingV1Api, DiscoveryV1Api, AdmissionregistrationV1Api, CoordinationV1Api clients) over
// plain HTTP on 127.0.0.1.
//
// Faithful (https://kubernetes.io/docs/reference/using-api/api-concepts/):
// - URLs: /api/v1/..., /apis/{group}/{version}/..., namespaced and all-namespaces collections,
//   `/status` subresources, discovery (/api, /apis, /api/v1, /apis/{g}/{v}, /version).
// - list: `{kind: XList, metadata: {resourceVersion}, items}`; like the real server, items carry no
//   apiVersion/kind; labelSelector (=, ==, !=, in, notin, exists, !) and fieldSelector
//   (metadata.name, metadata.namespace and per-resource fields such as Secret `type`; others → 400).
// - watch: chunked newline-delimited `{type, object}` events; ADDED/MODIFIED/DELETED; one global
//   resourceVersion counter (etcd's revision); `resourceVersion` ""/"0" starts with synthetic ADDED
//   events, N replays history after N; older than the compaction point → one ERROR event with a
//   410 Expired Status, then the stream ends (what the watch cache does); an object leaving/entering
//   a selector becomes DELETED/ADDED; BOOKMARK events with allowWatchBookmarks; timeoutSeconds.
// - writes: POST (201; 409 AlreadyExists; 404 when the namespace does not exist, as the
//   NamespaceLifecycle admission plugin does; generateName), PUT (409 Conflict on a stale
//   resourceVersion, no-op updates keep the resourceVersion), PATCH (json-patch, merge-patch,
//   strategic-merge-patch treated as merge-patch — exact for the objects we patch), DELETE; uid,
//   creationTimestamp and resourceVersion set by the server; Status bodies as in apimachinery.
// Not implemented: authn/authz (any token is accepted), server-side apply (415), pagination
// (limit/continue are ignored: lists are whole), graceful deletion, finalizers and namespace
// Terminating, metadata.generation, defaulting and validation beyond names, protobuf, HTTPS.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { keyOf, matches, now, parseRoute, type Meta, type RequestMatcher, type Route, type StoredObject } from './fake-kube-api/objects.js';
import { apiVersionOf, discoveryDocument, resourceByKind, type ResourceType } from './fake-kube-api/resources.js';
import { SelectorError, parseFieldSelector, parseLabelSelector, type Selector } from './fake-kube-api/selectors.js';
import * as status from './fake-kube-api/status.js';
import * as writes from './fake-kube-api/writes.js';

export type { RequestMatcher, StoredObject } from './fake-kube-api/objects.js';
export { RESOURCES, type ResourceType } from './fake-kube-api/resources.js';

/** One request the server received, for assertions. */
export interface RequestRecord {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly watch: boolean;
  readonly contentType: string | undefined;
  /** Parsed JSON body, if any. */
  body: unknown;
  /** HTTP status sent (200 for a watch once the stream starts); 0 until answered. */
  status: number;
  /** Milliseconds since the server started. */
  readonly at: number;
}

export interface FakeKubeApiOptions {
  /** Send a BOOKMARK to every bookmark-enabled watch this often (the real server: about once a minute). */
  readonly bookmarkIntervalMs?: number;
  /** Watch history kept before it is compacted automatically (the watch cache window). */
  readonly maxHistory?: number;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface HistoryEvent {
  readonly rv: number;
  readonly res: ResourceType;
  readonly type: EventType;
  readonly object: StoredObject;
  readonly previous: StoredObject | undefined;
}

interface Watcher {
  readonly res: ResourceType;
  readonly path: string;
  readonly namespace: string | undefined;
  readonly selects: Selector;
  readonly bookmarks: boolean;
  readonly response: ServerResponse;
}

interface Injection {
  readonly match: RequestMatcher;
  readonly code: number;
  remaining: number;
}

export class FakeKubeApi {
  /** Every request received, oldest first. */
  readonly requests: RequestRecord[] = [];
  private readonly objects = new Map<ResourceType, Map<string, StoredObject>>();
  private readonly watchers = new Set<Watcher>();
  private readonly injections: Injection[] = [];
  private history: HistoryEvent[] = [];
  private rv = 1000;
  private compactedRv = 1000;
  private readonly started = performance.now();
  private bookmarkTimer: NodeJS.Timeout | undefined;
  private tmpDir: string | undefined;

  private constructor(
    private readonly server: Server,
    private readonly opts: FakeKubeApiOptions,
  ) {}

  /** Starts a server on 127.0.0.1 with an OS-chosen port. */
  static async start(opts: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
    const server = createServer();
    const api = new FakeKubeApi(server, opts);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      api.handle(req, res).catch((err: unknown) => api.send(res, undefined, 500, status.failure(500, String(err))));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    if (opts.bookmarkIntervalMs) {
      api.bookmarkTimer = setInterval(() => api.sendBookmarks(), opts.bookmarkIntervalMs);
      api.bookmarkTimer.unref();
    }
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The current (latest) resourceVersion. */
  get resourceVersion(): string {
    return String(this.rv);
  }

  /** A KubeConfig whose current context points at this server. */
  kubeconfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromString(this.kubeconfigYaml());
    return kc;
  }

  /** The same as a kubeconfig file's text (JSON, which is YAML). */
  kubeconfigYaml(): string {
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // client-node refuses plain http unless TLS verification is explicitly off.
      clusters: [{ name: 'fake', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'fake', user: { token: 'fake-token' } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake', namespace: 'default' } }],
      'current-context': 'fake',
    });
  }

  /** Writes the kubeconfig to a temporary file (removed by close()) and returns its path. */
  async kubeconfigFile(): Promise<string> {
    this.tmpDir ??= await mkdtemp(join(tmpdir(), 'fake-kube-api-'));
    const file = join(this.tmpDir, 'kubeconfig');
    await writeFile(file, this.kubeconfigYaml());
    return file;
  }

  // ---- test controls (no admission, no namespace check) ----

  /** Creates or replaces an object, bumps the resourceVersion and notifies watches. Returns the stored copy. */
  upsert<T extends object>(obj: T): T {
    const o = structuredClone(obj) as unknown as StoredObject;
    const res = this.resourceOf(o);
    const name = o.metadata?.name;
    if (!name) throw new Error('upsert: metadata.name is required');
    const existing = this.bucket(res).get(keyOf(o.metadata.namespace, name));
    const stored = this.commit(res, o, existing);
    return structuredClone(stored) as unknown as T;
  }

  /** Deletes an object (given whole, or by kind, namespace and name); false if it did not exist. */
  delete(obj: object): boolean;
  delete(kind: string, namespace: string | undefined, name: string): boolean;
  delete(objOrKind: object | string, namespace?: string, name?: string): boolean {
    const ref = (typeof objOrKind === 'string' ? { kind: objOrKind, metadata: { namespace, name } } : objOrKind) as StoredObject;
    const res = this.resourceOf(ref);
    const existing = this.bucket(res).get(keyOf(ref.metadata?.namespace, ref.metadata?.name ?? ''));
    if (!existing) return false;
    this.remove(res, existing);
    return true;
  }

  /** A copy of the stored object, or undefined. */
  get<T = StoredObject>(kind: string, namespace: string | undefined, name: string): T | undefined {
    const res = this.resourceOf({ kind } as StoredObject);
    const found = this.bucket(res).get(keyOf(namespace, name));
    return found ? (structuredClone(found) as T) : undefined;
  }

  /** Copies of every stored object of a kind. */
  list<T = StoredObject>(kind: string): T[] {
    const res = this.resourceOf({ kind } as StoredObject);
    return [...this.bucket(res).values()].map((o) => structuredClone(o) as T);
  }

  /** Destroys every open watch connection abruptly (no final chunk), as a dying API server or LB would. */
  dropWatches(): number {
    const n = this.watchers.size;
    for (const w of this.watchers) w.response.socket?.destroy();
    this.watchers.clear();
    return n;
  }

  /** Ends every open watch cleanly (final chunk), as the server does when a watch times out. */
  endWatches(): number {
    const n = this.watchers.size;
    for (const w of this.watchers) w.response.end();
    this.watchers.clear();
    return n;
  }

  /** Forgets the history: a watch from any resourceVersion older than the current one gets 410 Expired. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history = [];
  }

  /** Sends a BOOKMARK with the current resourceVersion to every watch that allowed bookmarks. */
  sendBookmarks(): void {
    for (const w of this.watchers) {
      if (!w.bookmarks) continue;
      const object = { apiVersion: apiVersionOf(w.res), kind: w.res.kind, metadata: { resourceVersion: String(this.rv) } };
      w.response.write(`${JSON.stringify({ type: 'BOOKMARK', object })}\n`);
    }
  }

  /** Milliseconds since the server started: the clock of RequestRecord.at. */
  elapsed(): number {
    return performance.now() - this.started;
  }

  /** The next `times` requests matching answer `code` with a Status body instead of being served. */
  failNext(match: string | RegExp | RequestMatcher, code = 500, times = 1): void {
    const m = typeof match === 'string' || match instanceof RegExp ? { path: match } : match;
    this.injections.push({ match: m, code, remaining: times });
  }

  /** Open watches, optionally only those on this path. */
  watchCount(path?: string): number {
    let n = 0;
    for (const w of this.watchers) if (path === undefined || w.path === path) n++;
    return n;
  }

  /** Recorded requests filtered by a matcher. */
  requestsMatching(match: RequestMatcher): RequestRecord[] {
    return this.requests.filter((r) => matches(match, r.method, r.path, r.watch));
  }

  async close(): Promise<void> {
    clearInterval(this.bookmarkTimer);
    this.dropWatches();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.tmpDir) await rm(this.tmpDir, { recursive: true, force: true });
  }

  // ---- storage ----

  private resourceOf(obj: Partial<StoredObject>): ResourceType {
    const res = resourceByKind(obj.kind, obj.apiVersion) ?? resourceByKind(obj.kind);
    if (!res) throw new Error(`fake API server does not serve kind ${String(obj.kind)}`);
    return res;
  }

  private bucket(res: ResourceType): Map<string, StoredObject> {
    let b = this.objects.get(res);
    if (!b) this.objects.set(res, (b = new Map()));
    return b;
  }

  /** Stores `obj` as the new state (ADDED or MODIFIED); server-owned metadata is filled in. */
  private commit(res: ResourceType, obj: StoredObject, previous: StoredObject | undefined): StoredObject {
    const metadata: Meta = { ...obj.metadata };
    if (!res.namespaced) delete metadata.namespace;
    metadata.uid = previous?.metadata.uid ?? metadata.uid ?? randomUUID();
    metadata.creationTimestamp = previous?.metadata.creationTimestamp ?? metadata.creationTimestamp ?? now();
    if (res.kind === 'Namespace') metadata.labels = { ...metadata.labels, 'kubernetes.io/metadata.name': metadata.name! };
    metadata.resourceVersion = String(++this.rv);
    const stored: StoredObject = { ...obj, apiVersion: apiVersionOf(res), kind: res.kind, metadata };
    if (res.kind === 'Namespace' && !(stored.status as { phase?: string } | undefined)?.phase) stored.status = { phase: 'Active' };
    this.bucket(res).set(keyOf(metadata.namespace, metadata.name!), stored);
    this.record(res, previous ? 'MODIFIED' : 'ADDED', stored, previous);
    return stored;
  }

  private remove(res: ResourceType, existing: StoredObject): StoredObject {
    this.bucket(res).delete(keyOf(existing.metadata.namespace, existing.metadata.name!));
    // A DELETED event carries the last state at the deletion's revision.
    const gone = { ...existing, metadata: { ...existing.metadata, resourceVersion: String(++this.rv) } };
    this.record(res, 'DELETED', gone, existing);
    return gone;
  }

  private record(res: ResourceType, type: EventType, object: StoredObject, previous: StoredObject | undefined): void {
    const event: HistoryEvent = { rv: this.rv, res, type, object, previous };
    this.history.push(event);
    if (this.history.length > (this.opts.maxHistory ?? 10_000)) {
      this.compactedRv = this.history.shift()!.rv;
    }
    for (const w of this.watchers) if (w.res === res) this.deliver(w, event);
  }

  /** Translates a change into what this watch sees, given its namespace and selectors. */
  private deliver(w: Watcher, ev: HistoryEvent): void {
    const visible = (o: StoredObject | undefined): boolean =>
      o !== undefined && (w.namespace === undefined || o.metadata.namespace === w.namespace) && w.selects(o);
    const after = visible(ev.object);
    const before = ev.type === 'MODIFIED' && visible(ev.previous);
    let type: EventType | undefined;
    if (ev.type === 'ADDED') type = after ? 'ADDED' : undefined;
    else if (ev.type === 'DELETED') type = after ? 'DELETED' : undefined;
    else type = after && before ? 'MODIFIED' : after ? 'ADDED' : before ? 'DELETED' : undefined;
    if (type) w.response.write(`${JSON.stringify({ type, object: ev.object })}\n`);
  }

  // ---- HTTP ----

  private send(res: ServerResponse, record: RequestRecord | undefined, code: number, body: unknown): void {
    if (record) record.status = code;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const query = Object.fromEntries(url.searchParams);
    const watch = query.watch === 'true' || query.watch === '1';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const record: RequestRecord = {
      method,
      path: url.pathname,
      query,
      watch,
      contentType: req.headers['content-type']?.split(';')[0],
      body: undefined,
      status: 0,
      at: performance.now() - this.started,
    };
    this.requests.push(record);
    if (text) {
      try {
        record.body = JSON.parse(text);
      } catch {
        record.body = text;
        if (method !== 'PATCH' || !record.contentType?.includes('yaml')) {
          return this.send(res, record, 400, status.failure(400, 'the request body is not valid JSON'));
        }
      }
    }

    const injection = this.injections.find((i) => i.remaining > 0 && matches(i.match, method, url.pathname, watch));
    if (injection) {
      injection.remaining--;
      return this.send(res, record, injection.code, status.failure(injection.code, `injected failure ${injection.code}`));
    }

    const discovery = method === 'GET' ? discoveryDocument(url.pathname) : undefined;
    if (discovery) return this.send(res, record, 200, discovery);

    const route = parseRoute(url.pathname);
    if (!route) return this.send(res, record, 404, status.failure(404, 'the server could not find the requested resource', 'NotFound', {}));
    const { res: type, name } = route;
    const reply = (code: number, body: unknown): void => this.send(res, record, code, body);

    if (name === undefined) {
      if (method === 'GET') {
        let selects: Selector;
        try {
          selects = this.selectorFor(type, query);
        } catch (err) {
          return reply(400, status.failure(400, (err as SelectorError).message));
        }
        return watch ? this.watch(route, query, selects, res, record) : reply(200, this.listBody(route, selects));
      }
      if (method === 'POST' && (route.namespace !== undefined || !type.namespaced)) {
        const namespaces = this.bucket(resourceByKind('Namespace')!);
        const outcome = writes.create(route, record.body, {
          namespaceExists: route.namespace !== undefined && namespaces.has(route.namespace),
          taken: (n) => this.bucket(type).has(keyOf(route.namespace, n)),
        });
        return this.apply(type, outcome, undefined, reply, 201);
      }
      return reply(405, status.failure(405, `the server does not allow this method on the requested resource`));
    }

    const existing = this.bucket(type).get(keyOf(route.namespace, name));
    if (method === 'GET') return existing ? reply(200, existing) : reply(404, status.notFound(type, name));
    if (method === 'DELETE') {
      if (!existing) return reply(404, status.notFound(type, name));
      this.remove(type, existing);
      return reply(200, status.deleted(type, name, existing.metadata.uid));
    }
    if ((method === 'PUT' || method === 'PATCH') && !existing) return reply(404, status.notFound(type, name));
    if (method === 'PUT') return this.apply(type, writes.replace(route, existing!, structuredClone(record.body)), existing, reply);
    if (method === 'PATCH') return this.apply(type, writes.patch(route, existing!, record.contentType, record.body), existing, reply);
    return reply(405, status.failure(405, `the server does not allow this method on the requested resource`));
  }

  private apply(res: ResourceType, outcome: writes.Outcome, existing: StoredObject | undefined, reply: (code: number, body: unknown) => void, created = 200): void {
    if ('refuse' in outcome) reply(outcome.refuse.code, outcome.refuse);
    else if ('unchanged' in outcome) reply(200, outcome.unchanged);
    else reply(existing ? 200 : created, this.commit(res, outcome.commit, existing));
  }

  private selectorFor(res: ResourceType, query: Record<string, string>): Selector {
    const labels = query.labelSelector ? parseLabelSelector(query.labelSelector) : undefined;
    const fields = query.fieldSelector ? parseFieldSelector(query.fieldSelector, res.fields) : undefined;
    return (o) => (labels?.(o) ?? true) && (fields?.(o) ?? true);
  }

  private current(route: Route, selects: Selector): StoredObject[] {
    return [...this.bucket(route.res).values()]
      .filter((o) => (route.namespace === undefined || o.metadata.namespace === route.namespace) && selects(o))
      .sort((a, b) => keyOf(a.metadata.namespace, a.metadata.name!).localeCompare(keyOf(b.metadata.namespace, b.metadata.name!)));
  }

  private listBody(route: Route, selects: Selector): object {
    const items = this.current(route, selects).map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
    return { apiVersion: apiVersionOf(route.res), kind: `${route.res.kind}List`, metadata: { resourceVersion: String(this.rv) }, items };
  }

  private watch(route: Route, query: Record<string, string>, selects: Selector, res: ServerResponse, record: RequestRecord): void {
    const from = query.resourceVersion ?? '';
    if (from !== '' && !/^\d+$/.test(from)) {
      return this.send(res, record, 400, status.failure(400, `resourceVersion: Invalid value: "${from}": must be an integer`));
    }
    record.status = 200;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    const write = (event: object): boolean => res.write(`${JSON.stringify(event)}\n`);
    if (from !== '' && from !== '0' && Number(from) < this.compactedRv) {
      write({ type: 'ERROR', object: status.expired(Number(from), this.compactedRv) });
      res.end();
      return;
    }
    const watcher: Watcher = {
      res: route.res,
      path: record.path,
      namespace: route.namespace,
      selects,
      bookmarks: query.allowWatchBookmarks === 'true',
      response: res,
    };
    if (from === '' || from === '0') {
      for (const object of this.current(route, selects)) write({ type: 'ADDED', object });
    } else {
      for (const ev of this.history) if (ev.res === route.res && ev.rv > Number(from)) this.deliver(watcher, ev);
    }
    this.watchers.add(watcher);
    const timeout = Number(query.timeoutSeconds);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      clearTimeout(timer);
      this.watchers.delete(watcher);
    });
  }
}
