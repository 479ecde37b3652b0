import { type KubeConfig, type KubernetesObject, ListWatch, Watch } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Backoff, type BackoffOptions } from './backoff.js';
import { toCachedObject, toPlainJson } from './cached-object.js';
import { admissible, informerSources, type InformerSource } from './informer-sources.js';
import { type ClusterSnapshot, SnapshotStore } from './snapshot.js';
import type { KubeObject, SnapshotKind } from './types.js';

export interface LiveSnapshotOptions {
  /** Kinds to list and watch, one informer each (EndpointSlice only for the controller). */
  readonly kinds: readonly SnapshotKind[];
  readonly logger: Logger;
  /** Restart delays after an informer error (default 200 ms doubling to 30 s, ±20 % jitter). */
  readonly backoff?: BackoffOptions;
}

/** A ClusterSnapshot kept current by informers against the API server. */
export interface LiveSnapshot {
  /** Read-only view; objects are shared with the informer caches: never mutate them. */
  readonly snapshot: ClusterSnapshot;
  /** True once every informer has completed its initial list (stays true across relists). */
  synced(): boolean;
  /** Kinds whose initial list has not completed yet (for /readyz messages). */
  unsyncedKinds(): SnapshotKind[];
  /** Resolves when synced() becomes true; rejects if stopped before. */
  whenSynced(): Promise<void>;
  /** Calls `listener(kind)` after every change to the snapshot; returns an unsubscribe function. */
  onChange(listener: (kind: SnapshotKind) => void): () => void;
  /** Stops every informer and pending restart; the snapshot stays readable but frozen. */
  stop(): Promise<void>;
}

/** Only the first line, without response bodies or headers (client-node's ApiException carries both). */
function describeError(err: unknown): { code?: number; err: string } {
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown; name?: unknown } | undefined;
  const code = typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  const message = String(e?.message ?? e?.name ?? err).split('\n')[0]!.slice(0, 200);
  return { ...(code !== undefined ? { code } : {}), err: message };
}

/**
 * Starts one client-node ListWatch per kind feeding a SnapshotStore.
 * - ListWatch relists by itself on 410 Gone and, on a relist, emits `delete` for every cached object
 *   missing from the new list, so the store ends up equal to the list (node_modules/@kubernetes/client-node/dist/cache.js).
 * - On any other error ListWatch stops for good; it is restarted here with backoff. A restart
 *   watches again from the last resourceVersion, so changes made while disconnected are replayed
 *   (or, when that version has expired, a 410 forces the relist above).
 */
export function startLiveSnapshot(kc: KubeConfig, opts: LiveSnapshotOptions): LiveSnapshot {
  const store = new SnapshotStore();
  const log = opts.logger.child({ component: 'informers' });
  const sources = informerSources(kc);
  const listeners = new Set<(kind: SnapshotKind) => void>();
  const syncedKinds = new Set<SnapshotKind>();
  const syncWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const kinds = [...new Set(opts.kinds)];
  let stopped = false;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (stopped) return resolve();
      const entry = { timer: setTimeout(() => (timers.delete(entry), resolve()), ms), resolve };
      timers.add(entry);
    });

  const changed = (kind: SnapshotKind): void => {
    for (const listener of listeners) {
      try {
        listener(kind);
      } catch (err) {
        log.error({ kind, ...describeError(err) }, 'snapshot change listener threw');
      }
    }
  };

  const markSynced = (kind: SnapshotKind): void => {
    store.markCovered(kind);
    syncedKinds.add(kind);
    log.info({ kind, objects: store.counts()[kind] }, 'informer synced');
    if (syncedKinds.size === kinds.length) for (const w of syncWaiters.splice(0)) w.resolve();
  };

  const startInformer = (source: InformerSource): ListWatch<KubernetesObject> => {
    const { kind, apiVersion } = source;
    const backoff = new Backoff(opts.backoff);
    let listed = false;

    const list = async () => {
      const result = await source.list();
      const items = result.items
        .map((item) => toCachedObject(kind, apiVersion, toPlainJson(item) as KubeObject))
        .filter((item) => admissible(kind, item));
      listed = true;
      backoff.reset();
      return { metadata: { resourceVersion: result.metadata?.resourceVersion ?? '' }, items: items as KubernetesObject[] };
    };

    // ListWatch calls watch() right after it has applied a list, which is how we see a list complete.
    class CachingWatch extends Watch {
      override async watch(
        path: string,
        query: Record<string, string | number | boolean | undefined>,
        callback: (phase: string, apiObj: any, watchObj?: any) => void,
        done: (err: any) => void,
      ): Promise<AbortController> {
        if (stopped) {
          const aborted = new AbortController();
          aborted.abort();
          return aborted;
        }
        if (listed) {
          listed = false;
          if (!syncedKinds.has(kind)) markSynced(kind);
          else log.debug({ kind }, 'informer relisted');
        }
        const controller = await super.watch(
          path,
          // Bookmarks move the resume point forward while nothing changes, so a reconnect after a
          // quiet spell does not fall behind the watch cache window and force a relist.
          // https://kubernetes.io/docs/reference/using-api/api-concepts/#watch-bookmarks
          { ...query, allowWatchBookmarks: true },
          (phase, obj: KubeObject, raw) => {
            backoff.reset();
            if (phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED') {
              toCachedObject(kind, apiVersion, obj);
              if (!admissible(kind, obj)) phase = 'DELETED';
            }
            callback(phase, obj, raw);
          },
          done,
        );
        // stop() during the connect: ListWatch had no request to abort yet.
        if (stopped) controller.abort();
        return controller;
      }
    }

    const informer = new ListWatch<KubernetesObject>(source.path, new CachingWatch(kc), list, false, source.labelSelector, source.fieldSelector, {
      // ListWatch's own delay between reconnects after streams that ended without events.
      delayFn: () => sleep(backoff.next()),
    });

    const upsert = (obj: KubernetesObject): void => {
      if (stopped) return;
      store.upsert(kind, obj as KubeObject);
      changed(kind);
    };
    informer.on('add', upsert);
    informer.on('update', upsert);
    informer.on('delete', (obj) => {
      if (stopped) return;
      store.remove(kind, obj as KubeObject);
      changed(kind);
    });
    informer.on('error', (err: unknown) => {
      if (stopped) return;
      const retryInMs = backoff.next();
      log.warn({ kind, ...describeError(err), retryInMs }, 'informer stopped; restarting');
      void sleep(retryInMs).then(() => {
        if (!stopped) restart();
      });
    });
    const restart = (): void => {
      informer.start().catch((err: unknown) => log.error({ kind, ...describeError(err) }, 'informer failed to start'));
    };
    restart();
    return informer;
  };

  const informers = kinds.map((kind) => startInformer(sources[kind]));

  return {
    snapshot: store,
    synced: () => syncedKinds.size === kinds.length,
    unsyncedKinds: () => kinds.filter((k) => !syncedKinds.has(k)),
    whenSynced: () =>
      syncedKinds.size === kinds.length
        ? Promise.resolve()
        : stopped
          ? Promise.reject(new Error('live snapshot stopped before it synced'))
          : new Promise((resolve, reject) => syncWaiters.push({ resolve, reject })),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) {
        clearTimeout(t.timer);
        t.resolve();
      }
      timers.clear();
      for (const w of syncWaiters.splice(0)) w.reject(new Error('live snapshot stopped before it synced'));
      await Promise.all(informers.map((i) => i.stop()));
    },
  };
}
