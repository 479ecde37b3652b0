// Leader election with the real @kubernetes/client-node CoordinationV1Api on the real kube-apiserver
// (test/support/kube-cluster.ts). Candidates run as ServiceAccount gatehouse/leader-elector, which
// may only get, create and update Leases there; the tests write Leases as admin, and the API
// server's audit log tells the two apart. Each test uses a Lease of its own.
//
// The timings are real: the election measures durations on performance.now() and sleeps with
// node:timers, neither injectable. A real API server on a busy machine can take hundreds of ms to
// answer, so a leader that must keep leading gets a renew deadline no latency spike reaches
// (STEADY), and bounds are set by the protocol (a Lease's duration, a renew deadline), not by how
// fast the API answers. Candidates always retry every 100 ms (plus jitter when following).
import { spawnSync } from 'node:child_process';
import { KubeConfig, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { startLeaderElection, type LeaderElection, type LeaderElectionOptions } from '../../src/controller/leader-election.js';
import { GatehouseError } from '../../src/errors.js';
import { namespace } from '../fixtures/builders.js';
import { FakeKubeApi } from '../support/fake-kube-api.js';
import { KubeCluster, kubeAssets } from '../support/kube-cluster.js';
import { apiOk, ApiRecorder, auditedRequests, createNamespace, serviceAccountWith, type Identity } from './real-api.js';

const assets = kubeAssets();

const NS = 'gatehouse';
/** Leadership cannot change by timing during a test: the leader would need 10 s without a renewal to give up. */
const STEADY = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 100 };
/** The Lease says 1 s (its whole-second minimum), so a follower would take it 1 s after the last renewal it saw. */
const ONE_SECOND_LEASE = { leaseDurationMs: 1_000, renewDeadlineMs: 900, retryPeriodMs: 100 };
/** A 600 ms lease (written as 1 s) whose leader gives up after 400 ms without a renewal: tight, so only where no latency spike can reach (the in-process fake API server) or nothing depends on it. */
const FAST = { leaseDurationMs: 600, renewDeadlineMs: 400, retryPeriodMs: 100 };
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

interface Candidate {
  readonly election: LeaderElection;
  /** 'started' and 'stopped', in callback order. */
  readonly events: string[];
}

type CandidateOptions = Partial<LeaderElectionOptions>;

/** Starts a candidate for Lease NS/`name` (STEADY timings unless overridden), adding it to `running` (stopped after each test). */
function startCandidate(running: LeaderElection[], kubeConfig: KubeConfig, name: string, identity: string, overrides: CandidateOptions = {}): Candidate {
  const events: string[] = [];
  const election = startLeaderElection({
    kubeConfig,
    namespace: NS,
    name,
    identity,
    ...STEADY,
    logger: pino({ level: 'silent' }),
    onStartedLeading: () => events.push('started'),
    onStoppedLeading: () => events.push('stopped'),
    ...overrides,
  });
  running.push(election);
  return { election, events };
}

const leads = (c: Candidate, timeout = 2000) => vi.waitFor(() => expect(c.election.isLeader()).toBe(true), { timeout, interval: 10 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A MicroTime as the API writes it: RFC 3339 with exactly six fractional digits (it refuses three). */
const microTime = (d: Date) => d.toISOString().replace(/Z$/, '000Z');

/** A Lease renewed just now by another process, which will not renew it again. */
function heldLease(name: string, holder: string, leaseDurationSeconds: number, leaseTransitions = 0): V1Lease {
  const now = microTime(new Date());
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { namespace: NS, name },
    spec: { holderIdentity: holder, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions } as unknown as V1LeaseSpec,
  };
}

describe.skipIf(!assets)('startLeaderElection on a real API server', () => {
  let cluster: KubeCluster;
  let elector: Identity;
  let running: LeaderElection[] = [];
  /** Run after the candidates stopped. */
  let cleanups: (() => Promise<void>)[] = [];
  let name = '';
  let seq = 0;

  beforeAll(async () => {
    cluster = await KubeCluster.start(assets!);
    await createNamespace(cluster, NS);
    // What a controller needs for election, and nothing more (client-go's LeaseLock verbs).
    elector = await serviceAccountWith(cluster, NS, 'leader-elector', [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }]);
  }, 120_000);
  afterAll(async () => cluster?.stop(), 60_000);
  beforeEach(() => {
    name = `leader-${++seq}`;
    running = [];
    cleanups = [];
  });
  afterEach(async () => {
    await Promise.all(running.map((e) => e.stop()));
    for (const cleanup of cleanups) await cleanup();
  });

  const candidate = (identity: string, overrides: CandidateOptions = {}, kubeConfig = elector.kubeConfig) => startCandidate(running, kubeConfig, name, identity, overrides);
  const leasePath = () => `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${name}`;
  const lease = () => apiOk<V1Lease>(cluster, 'GET', leasePath());
  /** What the candidates asked of this test's Lease, per the API server's audit log. */
  const electorRequests = async (verb: string) =>
    (await auditedRequests(cluster, elector.username, { resource: 'leases', namespace: NS, name })).filter((e) => e.verb === verb);
  /** An admin read-modify-write of the Lease spec, retrying when a candidate's write came in between (409). */
  async function rewriteLease(spec: Partial<V1LeaseSpec>): Promise<void> {
    for (;;) {
      const current = await lease();
      const res = await cluster.api('PUT', leasePath(), { ...current, spec: { ...current.spec, ...spec } });
      if (res.status === 200) return;
      if (res.status !== 409) throw new Error(`PUT Lease: HTTP ${res.status} ${JSON.stringify(res.json)}`);
    }
  }
  /** The holder as the API has it, read synchronously: nothing else runs in this process meanwhile. */
  function holderNowBlocking(): string {
    const res = spawnSync(cluster.assets.kubectl, [`--kubeconfig=${cluster.adminKubeconfig}`, 'get', 'lease', name, '-n', NS, '-o', 'jsonpath={.spec.holderIdentity}'], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: cluster.dir },
      timeout: 10_000,
    });
    if (res.status !== 0) throw new Error(`kubectl get lease: ${res.stderr}`);
    return res.stdout;
  }

  test('a lone candidate creates the Lease and leads', async () => {
    // 600 ms is written as 1 s: the API counts whole seconds.
    const a = candidate('pod-a', FAST);
    await leads(a);
    expect(a.events).toEqual(['started']);
    expect(a.election.leader()).toBe('pod-a');
    expect((await lease()).spec).toMatchObject({ holderIdentity: 'pod-a', leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect((await electorRequests('create')).map((e) => e.responseStatus?.code)).toEqual([201]);
  });

  test('Lease times are written in RFC 3339 with microseconds, from the given clock', async () => {
    const a = candidate('pod-a', { now: () => new Date('2030-01-02T03:04:05.678Z') });
    await leads(a);
    // As the API server stored them: it parses MicroTime strictly and writes it back.
    const spec = (await lease()).spec!;
    expect(spec.renewTime).toMatch(MICRO_TIME);
    expect(spec.acquireTime).toBe('2030-01-02T03:04:05.678000Z');
  });

  test('a lease duration in whole seconds is written as is', async () => {
    const a = candidate('pod-a', { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
    await leads(a);
    expect((await lease()).spec?.leaseDurationSeconds).toBe(15);
  });

  test('the leader renews every retry period by updating, without reading the Lease first', async () => {
    const a = candidate('pod-a');
    await leads(a);
    const renewed = (await lease()).spec!.renewTime;
    const reads = (await electorRequests('get')).length;
    // Three renewals in well under the 10 s renew deadline: the 100 ms retry period paces them.
    await vi.waitFor(async () => expect((await electorRequests('update')).length).toBeGreaterThanOrEqual(3), { timeout: 5000, interval: 50 });
    expect((await lease()).spec!.renewTime).not.toBe(renewed);
    expect((await electorRequests('update')).every((e) => e.responseStatus?.code === 200)).toBe(true);
    expect(await electorRequests('get')).toHaveLength(reads);
  });

  test('renewals keep acquireTime and the transition count', async () => {
    const a = candidate('pod-a');
    await leads(a);
    const first = (await lease()).spec!;
    await vi.waitFor(async () => expect((await electorRequests('update')).length).toBeGreaterThanOrEqual(3), { timeout: 5000, interval: 50 });
    const later = (await lease()).spec!;
    expect(later.renewTime).not.toBe(first.renewTime);
    expect(later).toMatchObject({ acquireTime: first.acquireTime, leaseTransitions: 0, holderIdentity: 'pod-a' });
  });

  test('two candidates started together: both find no Lease, one creates it, the other’s create conflicts, exactly one leads', async () => {
    // Both reads are answered only once both arrived, so both candidates find no Lease and both
    // create it: the API server accepts one create and refuses the other with 409 AlreadyExists.
    const recorder = await ApiRecorder.start(cluster, elector);
    cleanups.push(() => recorder.close());
    recorder.hold((r) => r.method === 'GET' && r.url.startsWith(leasePath()), 2);
    const a = candidate('pod-a', {}, recorder.kubeConfig());
    const b = candidate('pod-b', {}, recorder.kubeConfig());
    await vi.waitFor(() => expect(a.election.isLeader() || b.election.isLeader()).toBe(true), { timeout: 2000, interval: 10 });
    // The losing create may still be on its way when the winner already leads.
    const creates = await vi.waitFor(async () => {
      const answered = await electorRequests('create');
      expect(answered).toHaveLength(2);
      return answered;
    }, { timeout: 2000, interval: 10 });
    expect(creates.map((e) => e.responseStatus?.code).sort()).toEqual([201, 409]);
    for (let i = 0; i < 10; i++) {
      expect([a, b].filter((c) => c.election.isLeader())).toHaveLength(1);
      await sleep(50);
    }
    const [leader, follower] = a.election.isLeader() ? [a, b] : [b, a];
    expect(follower.events).toEqual([]);
    expect(follower.election.leader()).toBe((await lease()).spec?.holderIdentity);
    expect(leader.events).toEqual(['started']);
  });

  test('when the leader stops, it releases the Lease and the follower takes over well before it would expire', async () => {
    const a = candidate('pod-a');
    await leads(a);
    const b = candidate('pod-b');
    await vi.waitFor(() => expect(b.election.leader()).toBe('pod-a'), { timeout: 1000, interval: 10 });

    await a.election.stop();
    expect((await lease()).spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 0 });
    const released = performance.now();
    await leads(b);
    // a's Lease said 15 s, and even the released one says 1 s: only the empty holder lets b in this soon.
    expect(performance.now() - released).toBeLessThan(600);
    expect((await lease()).spec).toMatchObject({ holderIdentity: 'pod-b', leaseTransitions: 1 });
    expect(a.events).toEqual(['started', 'stopped']);
    expect(a.election.isLeader()).toBe(false);
  });

  test('the stopping leader stops acting as leader before it releases the Lease', async () => {
    let holderWhenStopped: string | undefined;
    // The read blocks this process, so the release cannot be sent before it has answered.
    const a = candidate('pod-a', { onStoppedLeading: () => (holderWhenStopped = holderNowBlocking()), onStartedLeading: () => {} });
    await leads(a);
    await a.election.stop();
    expect(holderWhenStopped).toBe('pod-a');
    expect((await lease()).spec?.holderIdentity).toBe('');
  });

  test('a Lease whose holder died without releasing it is taken over once it expires, not before', async () => {
    await apiOk(cluster, 'POST', `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`, heldLease(name, 'pod-dead', 1, 4));
    const started = performance.now();
    const b = candidate('pod-b');
    await sleep(700);
    expect(b.election.isLeader()).toBe(false);
    expect(b.election.leader()).toBe('pod-dead');
    await leads(b, 3000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect((await lease()).spec).toMatchObject({ holderIdentity: 'pod-b', leaseTransitions: 5 });
  });

  test('a follower keeps waiting while the leader renews', async () => {
    const a = candidate('pod-a', ONE_SECOND_LEASE);
    await leads(a);
    const b = candidate('pod-b', ONE_SECOND_LEASE);
    // Longer than the Lease: only a's renewals keep b out.
    await sleep(1500);
    expect(b.election.isLeader()).toBe(false);
    expect(a.election.isLeader()).toBe(true);
    expect(b.events).toEqual([]);
  });

  test('a leader that finds another holder in the Lease steps down at once', async () => {
    const a = candidate('pod-a');
    await leads(a);
    await rewriteLease({ holderIdentity: 'pod-usurper', leaseTransitions: 1 });
    const changed = performance.now();
    // At its next renewal, not when its 10 s renew deadline runs out.
    await vi.waitFor(() => expect(a.election.isLeader()).toBe(false), { timeout: 3000, interval: 10 });
    expect(performance.now() - changed).toBeLessThan(2000);
    expect(a.election.leader()).toBe('pod-usurper');
    expect(a.events).toEqual(['started', 'stopped']);
    // Its renewal from the resourceVersion it wrote last met a real conflict.
    expect((await electorRequests('update')).some((e) => e.responseStatus?.code === 409)).toBe(true);
  });

  test('a follower that stops leaves the Lease alone and calls no callback', async () => {
    // 30 s: b must not take the Lease over before it stops, however slow the API answers.
    const held = await apiOk<V1Lease>(cluster, 'POST', `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`, heldLease(name, 'pod-other', 30));
    const b = candidate('pod-b');
    await vi.waitFor(() => expect(b.election.leader()).toBe('pod-other'), { timeout: 1000, interval: 10 });
    await b.election.stop();
    expect((await lease()).metadata?.resourceVersion).toBe(held.metadata?.resourceVersion);
    expect(await electorRequests('get')).not.toHaveLength(0);
    expect(await electorRequests('update')).toHaveLength(0);
    expect(await electorRequests('create')).toHaveLength(0);
    expect(b.events).toEqual([]);
  });

  test('a wall clock stepping back an hour neither unseats the leader nor lets a follower in', async () => {
    let steps = 0;
    const a = candidate('pod-a', { ...ONE_SECOND_LEASE, now: () => new Date(Date.now() - (steps++ % 2) * 3_600_000) });
    await leads(a);
    const b = candidate('pod-b', { ...ONE_SECOND_LEASE, now: () => new Date(Date.now() + 3_600_000) });
    // Longer than the Lease, whose times say it expired an hour ago, or is an hour ahead.
    await sleep(1200);
    expect(a.election.isLeader()).toBe(true);
    expect(b.election.isLeader()).toBe(false);
  });

  test('a callback that throws does not stop the election', async () => {
    const a = candidate('pod-a', {
      onStartedLeading: () => {
        throw new Error('boom');
      },
    });
    await leads(a);
    const renewed = (await lease()).spec!.renewTime;
    await vi.waitFor(async () => expect((await lease()).spec!.renewTime).not.toBe(renewed), { timeout: 1000, interval: 10 });
    expect(a.election.isLeader()).toBe(true);
  });

  test('stop() twice is harmless', async () => {
    const a = candidate('pod-a');
    await leads(a);
    await Promise.all([a.election.stop(), a.election.stop()]);
    expect(a.events).toEqual(['started', 'stopped']);
    expect((await lease()).spec?.holderIdentity).toBe('');
  });
});

// These tests need the API to answer 500 at a chosen moment and for a chosen number of requests;
// the real API server cannot be made to do that on demand, so they inject the failures through
// the fake API server (test/support/fake-kube-api.ts).
describe('startLeaderElection when the API server fails (fake API server: injected 500s)', () => {
  const NAME = 'gatehouse-leader';
  const LEASE_PATH = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${NAME}`;
  let api: FakeKubeApi;
  let running: LeaderElection[];

  beforeEach(async () => {
    api = await FakeKubeApi.start();
    api.upsert(namespace(NS));
    running = [];
  });
  afterEach(async () => {
    await Promise.all(running.map((e) => e.stop()));
    await api.close();
  });

  const candidate = (identity: string) => startCandidate(running, api.kubeconfig(), NAME, identity, FAST);

  test('the leader steps down when it cannot renew within the renew deadline', async () => {
    const a = candidate('pod-a');
    await leads(a);
    api.failNext({ method: 'PUT', path: LEASE_PATH }, 500, 1_000);
    const failing = performance.now();
    await vi.waitFor(() => expect(a.election.isLeader()).toBe(false), { timeout: 2000, interval: 10 });
    const after = performance.now() - failing;
    // The deadline runs from the last successful renewal, not from the first failure (this said
    // ≥ 300 ms after `failing`, which failed whenever a loaded machine delayed the renew loop).
    // Taking the Lease (a create, or an update of a free one) counts as the first renewal.
    const writes = [...api.requestsMatching({ method: 'POST' }), ...api.requestsMatching({ method: 'PUT', path: LEASE_PATH })];
    const lastRenewal = Math.max(...writes.filter((r) => r.status >= 200 && r.status < 300).map((r) => r.at));
    const stepDown = api.elapsed();
    // The client counts from when its successful attempt began, the server records its arrival:
    // a loaded machine puts up to a retry period between them.
    expect(stepDown - lastRenewal).toBeGreaterThanOrEqual(FAST.renewDeadlineMs - FAST.retryPeriodMs);
    // It retried before giving up, rather than stepping down at the first failure.
    expect(api.requestsMatching({ method: 'PUT', path: LEASE_PATH }).filter((r) => r.status === 500).length).toBeGreaterThanOrEqual(2);
    // …and before followers could consider the 1 s Lease expired.
    expect(after).toBeLessThan(1000);
    expect(a.events).toEqual(['started', 'stopped']);
  });

  test('read failures while following are retried', async () => {
    api.failNext({ method: 'GET', path: LEASE_PATH }, 500, 3);
    const a = candidate('pod-a');
    await leads(a);
    expect(api.requestsMatching({ method: 'GET', path: LEASE_PATH }).filter((r) => r.status === 500)).toHaveLength(3);
  });
});

describe('startLeaderElection options', () => {
  test.for<[string, Partial<LeaderElectionOptions>]>([
    ['renewDeadline not below leaseDuration', { leaseDurationMs: 400, renewDeadlineMs: 400, retryPeriodMs: 100 }],
    ['renewDeadline not above 1.2 × retryPeriod', { leaseDurationMs: 600, renewDeadlineMs: 120, retryPeriodMs: 100 }],
    ['retryPeriod of 0', { leaseDurationMs: 600, renewDeadlineMs: 400, retryPeriodMs: 0 }],
    ['an empty identity', { ...FAST, identity: '' }],
  ])('rejects %s', ([, options]) => {
    // Checked before any request: no API server is involved.
    const start = () => startLeaderElection({ kubeConfig: new KubeConfig(), namespace: NS, name: 'x', identity: 'x', logger: pino({ level: 'silent' }), onStartedLeading() {}, onStoppedLeading() {}, ...options });
    expect(start).toThrow(GatehouseError);
  });
});
