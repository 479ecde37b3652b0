import type { BuildModelResult } from '../nginx/build-model.js';
import type { SecretFile } from '../nginx/model.js';
import type { ApplyResult } from './apply.js';
import type { ControllerMetrics } from './metrics.js';

/** What one render produced. */
export interface RenderedConfig {
  readonly text: string;
  readonly secretFiles: readonly SecretFile[];
  /** Owned Ingresses in this render (sets gatehouse_controller_owned_ingresses). */
  readonly ownedIngresses?: number;
  /** The model this text came from (what was served, for status writes and reports). */
  readonly build?: BuildModelResult;
}

export interface ReconcilerOptions<R extends ApplyResult = ApplyResult> {
  /** Quiet time after the last change before rendering. */
  readonly debounceMs: number;
  /** Ceiling: a steady stream of changes still renders this long after the first one. */
  readonly maxDelayMs: number;
  /**
   * Ceiling for a burst of endpoint-only changes (`trigger('endpoints')`), which reach nginx
   * through `publishEndpoints` without a reload: new endpoints should answer within a second.
   * Default: maxDelayMs.
   */
  readonly endpointMaxDelayMs?: number;
  /** Snapshot → model → text (pure, synchronous). */
  readonly render: () => RenderedConfig;
  readonly apply: (config: RenderedConfig) => Promise<R>;
  /**
   * Hands every render's endpoints to nginx's endpoint channel, before any apply: workers a
   * reload starts then read endpoints for the upstreams the new text names.
   */
  readonly publishEndpoints?: (config: RenderedConfig) => Promise<void>;
  /**
   * Publishes the snapshot's endpoints for the upstreams last published, without a render
   * (EndpointPublisher.refresh). Run on `trigger('endpoints')`, coalesced: the changes of one
   * tick share a refresh, and those during a refresh in flight share one more.
   */
  readonly refreshEndpoints?: () => Promise<void>;
  readonly onResult?: (result: R) => void;
  readonly onError?: (err: unknown) => void;
  readonly metrics?: ControllerMetrics;
}

export interface Reconciler {
  /**
   * Something changed; a render will follow (coalesced with other changes). `endpoints`: only
   * endpoints changed, so the burst's ceiling is `endpointMaxDelayMs` until another change comes.
   */
  trigger(change?: 'endpoints'): void;
  /** Renders now if a change is pending, and waits until no run (or endpoint refresh) is in flight. */
  flush(): Promise<void>;
  /** Stops taking changes and waits for a run in flight. */
  stop(): Promise<void>;
}

/**
 * Coalesces change bursts: a render runs `debounceMs` after the last trigger, but never later
 * than `maxDelayMs` after the first one of a burst. A render identical to the last applied one
 * is skipped before reaching nginx. Runs never overlap; triggers during a run start a new round.
 * Plain nginx reloads cost new workers and dropped upstream keepalives, hence the care.
 */
export function createReconciler<R extends ApplyResult>(opts: ReconcilerOptions<R>): Reconciler {
  let pending = false;
  let stopped = false;
  let debounce: NodeJS.Timeout | undefined;
  let ceiling: NodeJS.Timeout | undefined;
  /** When the current burst began, and whether it is endpoint changes only so far. */
  let burstStart = 0;
  let endpointsOnly = true;
  /** Whether the changes since the last run began were all endpoint changes. */
  let pendingEndpointsOnly = true;
  let inFlight: Promise<void> | undefined;
  let lastApplied: string | undefined;
  let refreshing: Promise<void> | undefined;
  /** A refresh is scheduled but has not read the snapshot yet: later changes are in it. */
  let refreshWaiting = false;
  let refreshPending = false;

  const refresh = (): void => {
    if (!opts.refreshEndpoints || stopped || refreshWaiting) return;
    if (refreshing) {
      refreshPending = true;
      return;
    }
    refreshPending = false;
    refreshWaiting = true;
    // setImmediate: the informer's other events of this tick land in the same refresh.
    refreshing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => {
        refreshWaiting = false;
        return stopped ? undefined : opts.refreshEndpoints!();
      })
      .catch((err: unknown) => opts.onError?.(err))
      .finally(() => {
        refreshing = undefined;
        if (refreshPending) refresh();
      });
  };

  const clearTimers = (): void => {
    if (debounce) clearTimeout(debounce);
    if (ceiling) clearTimeout(ceiling);
    debounce = ceiling = undefined;
  };

  const arm = (change?: 'endpoints'): void => {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(fire, opts.debounceMs);
    if (!ceiling) {
      burstStart = performance.now();
      endpointsOnly = change === 'endpoints';
      ceiling = setTimeout(fire, endpointsOnly ? (opts.endpointMaxDelayMs ?? opts.maxDelayMs) : opts.maxDelayMs);
    } else if (endpointsOnly && change !== 'endpoints') {
      // Other changes reload nginx: they keep the longer ceiling, counted from the burst's start.
      endpointsOnly = false;
      clearTimeout(ceiling);
      ceiling = setTimeout(fire, Math.max(0, burstStart + opts.maxDelayMs - performance.now()));
    }
  };

  async function runOnce(): Promise<void> {
    pending = false;
    pendingEndpointsOnly = true;
    const started = performance.now();
    const config = opts.render();
    opts.metrics?.renderSeconds.observe((performance.now() - started) / 1000);
    if (config.ownedIngresses !== undefined) opts.metrics?.ownedIngresses.set(config.ownedIngresses);
    await opts.publishEndpoints?.(config);
    if (config.text === lastApplied) return;
    const result = await opts.apply(config);
    // A rejected text stays rejected until something changes; a failed reload is retried.
    if (result.status !== 'reload-failed') lastApplied = config.text;
    opts.onResult?.(result);
  }

  function fire(): void {
    clearTimers();
    if (inFlight || stopped) return;
    inFlight = runOnce()
      .catch((err: unknown) => opts.onError?.(err))
      .finally(() => {
        inFlight = undefined;
        if (pending && !stopped) arm(pendingEndpointsOnly ? 'endpoints' : undefined);
      });
  }

  return {
    trigger(change?: 'endpoints'): void {
      if (stopped) return;
      pending = true;
      pendingEndpointsOnly &&= change === 'endpoints';
      if (change === 'endpoints') refresh();
      if (!inFlight) arm(change);
    },
    async flush(): Promise<void> {
      while (inFlight || refreshing) await (inFlight ?? refreshing);
      if (pending && !stopped) fire();
      while (inFlight || refreshing) await (inFlight ?? refreshing);
    },
    async stop(): Promise<void> {
      stopped = true;
      clearTimers();
      while (inFlight || refreshing) await (inFlight ?? refreshing);
    },
  };
}
