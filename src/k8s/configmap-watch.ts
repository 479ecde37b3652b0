import { CoreV1Api, type KubeConfig, type KubernetesObject, ListWatch, Watch } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Backoff, type BackoffOptions } from './backoff.js';
import { toCachedObject, toPlainJson } from './cached-object.js';
import type { KubeObject } from './types.js';

/** A ConfigMap as the controller reads it. */
export interface ConfigMapObject extends KubeObject {
  readonly data?: Readonly<Record<string, string>>;
}

export interface ConfigMapWatchOptions {
  readonly namespace: string;
  readonly name: string;
  readonly logger: Logger;
  /** Called with the object after every change, and with undefined once it is deleted (or absent at the first list). */
  readonly onChange: (configMap: ConfigMapObject | undefined) => void;
  readonly backoff?: BackoffOptions;
}

export interface ConfigMapWatch {
  /** Resolves after the first list (the ConfigMap or its absence is known). */
  whenSynced(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Watches one ConfigMap by name: a list and watch of its namespace's configmaps with the field
 * selector `metadata.name=NAME`, which RBAC can grant with `resourceNames` (least privilege:
 * https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources). Restarted
 * with backoff after any error other than 410, as the snapshot's informers are (informers.ts).
 */
export function watchConfigMap(kc: KubeConfig, opts: ConfigMapWatchOptions): ConfigMapWatch {
  const core = kc.makeApiClient(CoreV1Api);
  const log = opts.logger.child({ component: 'configmap-watch', configMap: `${opts.namespace}/${opts.name}` });
  const fieldSelector = `metadata.name=${opts.name}`;
  const backoff = new Backoff(opts.backoff);
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  let synced = false;
  let resolveSynced: () => void = () => {};
  const syncedPromise = new Promise<void>((resolve) => (resolveSynced = resolve));
  let listed = false;
  let seen = false;

  const list = async () => {
    const result = await core.listNamespacedConfigMap({ namespace: opts.namespace, fieldSelector });
    const items = result.items.map((item) => toCachedObject('ConfigMap' as never, 'v1', toPlainJson(item) as KubeObject) as KubernetesObject);
    listed = true;
    backoff.reset();
    // ListWatch reports a relisted object only when it changed; absence at the first list is reported here.
    if (items.length === 0 && (!synced || seen)) {
      seen = false;
      if (!stopped) opts.onChange(undefined);
    }
    return { metadata: { resourceVersion: result.metadata?.resourceVersion ?? '' }, items };
  };

  class SyncingWatch extends Watch {
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
      if (listed && !synced) {
        synced = true;
        resolveSynced();
      }
      listed = false;
      const controller = await super.watch(path, { ...query, allowWatchBookmarks: true }, (phase, obj, raw) => (backoff.reset(), callback(phase, obj, raw)), done);
      if (stopped) controller.abort();
      return controller;
    }
  }

  const informer = new ListWatch<KubernetesObject>(`/api/v1/namespaces/${opts.namespace}/configmaps`, new SyncingWatch(kc), list, false, undefined, fieldSelector, {
    delayFn: () => sleep(backoff.next()),
  });
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (stopped) return resolve();
      const timer = setTimeout(() => (timers.delete(timer), resolve()), ms);
      timers.add(timer);
    });
  const changed = (obj: KubernetesObject | undefined): void => {
    if (stopped) return;
    seen = obj !== undefined;
    opts.onChange(obj as ConfigMapObject | undefined);
  };
  informer.on('add', changed);
  informer.on('update', changed);
  informer.on('delete', () => changed(undefined));
  informer.on('error', (err: unknown) => {
    if (stopped) return;
    const retryInMs = backoff.next();
    log.warn({ err: String((err as Error)?.message ?? err).split('\n')[0], retryInMs }, 'ConfigMap watch stopped; restarting');
    void sleep(retryInMs).then(() => {
      if (!stopped) start();
    });
  });
  const start = (): void => {
    informer.start().catch((err: unknown) => log.error({ err: String((err as Error)?.message ?? err).split('\n')[0] }, 'ConfigMap watch failed to start'));
  };
  start();
  return {
    whenSynced: () => syncedPromise,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      resolveSynced();
      await informer.stop();
    },
  };
}
