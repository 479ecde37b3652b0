// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics
// (https://github.com/kubernetes/client-go/blob/master/tools/leaderelection/leaderelection.go):
// a candidate takes the Lease when it is missing, released (no holder) or expired; the leader
// renews it every retry period with optimistic concurrency (the resourceVersion it last saw) and
// steps down when it cannot renew within the renew deadline; `stop()` releases it.
//
// Expiry is judged against the local time at which this candidate last saw the Lease change, not
// against the Lease's renewTime: that tolerates clock skew between nodes (see client-go's doc.go).
// So a candidate meeting a stale Lease for the first time waits one full lease duration.
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { apiReason, apiStatus } from '../k8s/api-error.js';
import { GatehouseError } from '../errors.js';
import { abortOn } from '../k8s/request-options.js';

export interface LeaderElectionOptions {
  readonly kubeConfig: KubeConfig;
  /** Namespace of the Lease. */
  readonly namespace: string;
  /** Name of the Lease (`--election-id`). */
  readonly name: string;
  /** Unique per process (pod name plus a random suffix): two processes with one identity both lead. */
  readonly identity: string;
  /** How long followers wait after the last renewal they saw. Written in whole seconds (at least 1). Default 15 s. */
  readonly leaseDurationMs?: number;
  /** The leader steps down when it could not renew for this long. Default 10 s. */
  readonly renewDeadlineMs?: number;
  /** Time between attempts (followers add up to 120 % jitter, as client-go). Default 2 s. */
  readonly retryPeriodMs?: number;
  readonly logger: Logger;
  /** Called when this process becomes the leader. */
  onStartedLeading(): void;
  /** Called when this process stops being the leader (renewal failed, another holder, or stop()). */
  onStoppedLeading(): void;
  /** Wall clock for the times written to the Lease. Expiry and deadlines use a monotonic clock. */
  readonly now?: () => Date;
}

export interface LeaderElection {
  /** Whether this process currently leads (between onStartedLeading and onStoppedLeading). */
  isLeader(): boolean;
  /** The holder last seen in the Lease ('' when released or not yet read). */
  leader(): string;
  /**
   * Stops contending: waits for an attempt in flight (at most the renew deadline), then, if
   * leading, calls onStoppedLeading and releases the Lease.
   */
  stop(): Promise<void>;
}

/** client-go's LeaderElectionRecord: the Lease spec fields election reads and writes. Times in epoch ms. */
interface ElectionRecord {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: number;
  readonly renewTime: number;
  readonly leaseTransitions: number;
}

/** The Lease I/O election needs (client-go's resourcelock.LeaseLock). Updates send the last resourceVersion seen. */
interface LeaseLock {
  /** The Lease, or undefined when it does not exist. */
  get(signal: AbortSignal): Promise<V1Lease | undefined>;
  create(record: ElectionRecord, signal: AbortSignal): Promise<V1Lease>;
  update(record: ElectionRecord, signal: AbortSignal): Promise<V1Lease>;
}

/** client-go's JitterFactor for the acquire loop; also bounds retryPeriod against renewDeadline. */
const JITTER = 1.2;

export function startLeaderElection(opts: LeaderElectionOptions): LeaderElection {
  const leaseDurationMs = opts.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = opts.retryPeriodMs ?? 2_000;
  // The checks of client-go's NewLeaderElector: a leader must give up before followers take over.
  if (!(retryPeriodMs > 0 && renewDeadlineMs > JITTER * retryPeriodMs && leaseDurationMs > renewDeadlineMs)) {
    throw new GatehouseError(
      'USAGE',
      `leader election needs leaseDuration (${leaseDurationMs} ms) > renewDeadline (${renewDeadlineMs} ms) > ${JITTER} × retryPeriod (${retryPeriodMs} ms) > 0`,
    );
  }
  // An empty holderIdentity means "released": every candidate would think the Lease free.
  if (opts.identity === '') throw new GatehouseError('USAGE', 'leader election needs a non-empty identity');
  // The Lease API counts whole seconds and requires more than 0.
  const leaseSeconds = Math.max(1, Math.ceil(leaseDurationMs / 1000));
  const wallClock = (): number => (opts.now ? opts.now() : new Date()).getTime();
  // Durations are measured on a monotonic clock, as Go's time.Time does for client-go: a wall
  // clock step (NTP) must neither expire a Lease early nor keep a stale leader leading.
  const clock = (): number => performance.now();
  const log = opts.logger.child({ component: 'leader-election', lease: `${opts.namespace}/${opts.name}`, identity: opts.identity });
  const lock = leaseLock(opts.kubeConfig, opts.namespace, opts.name);

  let observed: ElectionRecord | undefined;
  let observedRaw = '';
  let observedAt = 0;
  let reportedLeader = '';
  let leading = false;
  let lastRenewAt = 0;
  let stopping: Promise<void> | undefined;
  const stopped = new AbortController();

  const holdsLease = (): boolean => observed?.holderIdentity === opts.identity;
  const leaseValid = (now: number): boolean => observed !== undefined && observedAt + observed.leaseDurationSeconds * 1000 > now;
  const observe = (record: ElectionRecord, lease: V1Lease): void => {
    observed = record;
    observedRaw = rawOf(lease);
    observedAt = clock();
  };
  /** Our record, renewed at `at` (wall-clock ms). */
  const ours = (at: number, leaseTransitions: number, acquireTime: number): ElectionRecord => ({
    holderIdentity: opts.identity,
    leaseDurationSeconds: leaseSeconds,
    acquireTime,
    renewTime: at,
    leaseTransitions,
  });
  const call = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      log.error({ err }, `${what} callback threw`);
    }
  };

  /** One round of client-go's tryAcquireOrRenew; true when this process holds the Lease afterwards. */
  async function tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = clock();
    const at = wallClock();
    // 1. The leader's fast path: update from the Lease it wrote last, without reading it first.
    if (holdsLease() && leaseValid(now)) {
      const record = ours(at, observed!.leaseTransitions, observed!.acquireTime);
      try {
        observe(record, await lock.update(record, signal));
        return true;
      } catch (err) {
        log.debug({ reason: apiReason(err) }, 'optimistic renewal failed; reading the Lease');
      }
    }
    // 2. Read the Lease, or create it.
    let lease: V1Lease | undefined;
    try {
      lease = await lock.get(signal);
    } catch (err) {
      log.warn({ reason: apiReason(err) }, 'cannot read the Lease');
      return false;
    }
    if (!lease) {
      const record = ours(at, 0, at);
      try {
        observe(record, await lock.create(record, signal));
        return true;
      } catch (err) {
        // 409: another candidate created it first; the next round reads it.
        if (apiStatus(err) === 409) log.debug('the Lease was created by another candidate first');
        else log.warn({ reason: apiReason(err) }, 'cannot create the Lease');
        return false;
      }
    }
    // 3. Restart the expiry clock only when the Lease changed since we last looked.
    if (rawOf(lease) !== observedRaw) observe(recordOf(lease), lease);
    if (observed!.holderIdentity !== '' && leaseValid(now) && !holdsLease()) return false;
    // 4. Take it (a new transition) or renew it (keeping acquireTime and the count).
    const record = holdsLease() ? ours(at, observed!.leaseTransitions, observed!.acquireTime) : ours(at, observed!.leaseTransitions + 1, at);
    try {
      observe(record, await lock.update(record, signal));
      return true;
    } catch (err) {
      // 409: someone else wrote the Lease since we read it (maybe a rival taking it).
      if (apiStatus(err) === 409) log.debug('the Lease changed while being updated');
      else log.warn({ reason: apiReason(err) }, 'cannot update the Lease');
      return false;
    }
  }

  /** One attempt and what follows from it for this process's leadership. */
  async function round(): Promise<void> {
    // A request may take at most what is left of the renew deadline, so a hung API server
    // cannot keep a leader leading past it. stop() does not abort an attempt: a write the
    // server applied but we never saw the answer to would make the release conflict.
    const started = clock();
    const budget = leading ? lastRenewAt + renewDeadlineMs - started : renewDeadlineMs;
    const ok = await tryAcquireOrRenew(AbortSignal.timeout(Math.max(1, Math.floor(budget))));
    if (stopped.signal.aborted) return;
    if (ok) {
      // When the attempt began, not ended: followers saw the write no earlier than that.
      lastRenewAt = started;
      if (!leading) {
        leading = true;
        log.info('became the leader');
        call('onStartedLeading', opts.onStartedLeading);
      }
    } else if (leading && (!holdsLease() || clock() - lastRenewAt >= renewDeadlineMs)) {
      // client-go keeps trying until the deadline even after seeing another holder; stepping
      // down at once is never less safe.
      leading = false;
      if (holdsLease()) log.warn({ renewDeadlineMs }, 'stopped leading: the Lease could not be renewed in time');
      else log.warn({ holder: observed?.holderIdentity }, 'stopped leading: another candidate holds the Lease');
      call('onStoppedLeading', opts.onStoppedLeading);
    }
    const holder = observed?.holderIdentity ?? '';
    if (holder !== reportedLeader) {
      reportedLeader = holder;
      if (holder !== '') log.info({ leader: holder }, 'new leader observed');
    }
  }

  async function loop(): Promise<void> {
    log.info('attempting to acquire the leader Lease');
    while (!stopped.signal.aborted) {
      try {
        await round();
      } catch (err) {
        // A bug must not end the election silently: the next round may recover.
        log.error({ err }, 'leader election round failed');
      }
      const wait = leading ? retryPeriodMs : retryPeriodMs * (1 + Math.random() * JITTER);
      await sleep(Math.round(wait), undefined, { signal: stopped.signal }).catch(() => {});
    }
  }

  /** client-go's release: an empty holder and a 1 s lease let a follower take over at its next try. */
  async function release(): Promise<void> {
    if (!holdsLease()) return;
    const at = wallClock();
    const record: ElectionRecord = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: at, renewTime: at, leaseTransitions: observed!.leaseTransitions };
    try {
      observe(record, await lock.update(record, AbortSignal.timeout(renewDeadlineMs)));
      log.info('released the leader Lease');
    } catch (err) {
      log.warn({ reason: apiReason(err) }, 'cannot release the Lease; followers take over once it expires');
    }
  }

  const running = loop();
  return {
    isLeader: () => leading,
    leader: () => observed?.holderIdentity ?? '',
    stop() {
      stopping ??= (async () => {
        stopped.abort();
        await running;
        // Stop acting as leader before the Lease is released, so two leaders never overlap.
        if (leading) {
          leading = false;
          call('onStoppedLeading', opts.onStoppedLeading);
        }
        await release();
      })();
      return stopping;
    },
  };
}

function leaseLock(kubeConfig: KubeConfig, namespace: string, name: string): LeaseLock {
  const api = kubeConfig.makeApiClient(CoordinationV1Api);
  let last: V1Lease | undefined;
  return {
    async get(signal) {
      try {
        last = await api.readNamespacedLease({ namespace, name }, abortOn(signal));
        return last;
      } catch (err) {
        if (apiStatus(err) === 404) return undefined;
        throw err;
      }
    },
    async create(record, signal) {
      const body: V1Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { namespace, name }, spec: specOf(record) };
      last = await api.createNamespacedLease({ namespace, body }, abortOn(signal));
      return last;
    },
    async update(record, signal) {
      // client-go errors the same way: an update needs a prior get or create.
      if (!last) throw new Error('the Lease has not been read yet');
      last = await api.replaceNamespacedLease({ namespace, name, body: { ...last, spec: specOf(record) } }, abortOn(signal));
      return last;
    },
  };
}

function specOf(r: ElectionRecord): V1LeaseSpec {
  return {
    holderIdentity: r.holderIdentity,
    leaseDurationSeconds: r.leaseDurationSeconds,
    // V1MicroTime serializes with microseconds, as the API's MicroTime fields are written.
    acquireTime: new V1MicroTime(r.acquireTime),
    renewTime: new V1MicroTime(r.renewTime),
    leaseTransitions: r.leaseTransitions,
  };
}

function recordOf(lease: V1Lease): ElectionRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: timeOf(spec.acquireTime),
    renewTime: timeOf(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

/** client-node leaves MicroTime fields as the strings it received (it has no deserializer for them). */
function timeOf(value: unknown): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/** What client-go compares as the "raw record": any change, including a renewal, restarts the expiry clock. */
function rawOf(lease: V1Lease): string {
  return JSON.stringify(lease.spec ?? {});
}
