// Leader election against the real @kubernetes/client-node CoordinationV1Api and the fake API
// server, with short durations: the Lease says 1 s (its whole-second minimum), the leader gives up
// after 400 ms without a renewal, and candidates retry every 100 ms (plus jitter when following).
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { V1Lease } from '@kubernetes/client-node';
import { startLeaderElection, type LeaderElection, type LeaderElectionOptions } from '../../src/controller/leader-election.js';
import { GatehouseError } from '../../src/errors.js';
import { namespace } from '../fixtures/builders.js';
import { FakeKubeApi } from '../support/fake-kube-api.js';

const NS = 'gatehouse';
const NAME = 'gatehouse-leader';
const LEASE_PATH = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${NAME}`;
const FAST = { leaseDurationMs: 600, renewDeadlineMs: 400, retryPeriodMs: 100 };
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

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

interface Candidate {
  readonly election: LeaderElection;
  /** 'started' and 'stopped', in callback order. */
  readonly events: string[];
}

function candidate(identity: string, overrides: Partial<LeaderElectionOptions> = {}): Candidate {
  const events: string[] = [];
  const election = startLeaderElection({
    kubeConfig: api.kubeconfig(),
    namespace: NS,
    name: NAME,
    identity,
    ...FAST,
    logger: pino({ level: 'silent' }),
    onStartedLeading: () => events.push('started'),
    onStoppedLeading: () => events.push('stopped'),
    ...overrides,
  });
  running.push(election);
  return { election, events };
}

const lease = () => api.get<V1Lease>('Lease', NS, NAME);
const leads = (c: Candidate, timeout = 2000) => vi.waitFor(() => expect(c.election.isLeader()).toBe(true), { timeout, interval: 10 });
/** A Lease renewed just now by another process, which will not renew it again. */
function heldLease(holder: string, leaseTransitions = 0): V1Lease {
  const now = new Date().toISOString();
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { namespace: NS, name: NAME },
    spec: { holderIdentity: holder, leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions } as unknown as V1Lease['spec'],
  };
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startLeaderElection', () => {
  test('a lone candidate creates the Lease and leads', async () => {
    const a = candidate('pod-a');
    await leads(a);
    expect(a.events).toEqual(['started']);
    expect(a.election.leader()).toBe('pod-a');
    expect(lease()?.spec).toMatchObject({ holderIdentity: 'pod-a', leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(api.requestsMatching({ method: 'POST', path: `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases` })[0]?.status).toBe(201);
  });

  test('Lease times are written in RFC 3339 with microseconds, from the given clock', async () => {
    const a = candidate('pod-a', { now: () => new Date('2030-01-02T03:04:05.678Z') });
    await leads(a);
    const spec = lease()!.spec!;
    expect(spec.renewTime).toMatch(MICRO_TIME);
    expect(spec.acquireTime).toBe('2030-01-02T03:04:05.678000Z');
  });

  test('a lease duration in whole seconds is written as is', async () => {
    const a = candidate('pod-a', { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
    await leads(a);
    expect(lease()?.spec?.leaseDurationSeconds).toBe(15);
  });

  test('the leader renews every retry period by updating, without reading the Lease first', async () => {
    const a = candidate('pod-a');
    await leads(a);
    const renewed = lease()!.spec!.renewTime;
    const reads = api.requestsMatching({ method: 'GET', path: LEASE_PATH }).length;
    await sleep(450);
    expect(lease()!.spec!.renewTime).not.toBe(renewed);
    expect(api.requestsMatching({ method: 'PUT', path: LEASE_PATH }).length).toBeGreaterThanOrEqual(3);
    expect(api.requestsMatching({ method: 'GET', path: LEASE_PATH })).toHaveLength(reads);
  });

  test('renewals keep acquireTime and the transition count', async () => {
    const a = candidate('pod-a');
    await leads(a);
    const first = lease()!.spec!;
    await sleep(300);
    expect(lease()!.spec).toMatchObject({ acquireTime: first.acquireTime, leaseTransitions: 0, holderIdentity: 'pod-a' });
  });

  test('two candidates started together: one creates the Lease, the other’s create conflicts, exactly one leads', async () => {
    const a = candidate('pod-a');
    const b = candidate('pod-b');
    await vi.waitFor(() => expect(a.election.isLeader() || b.election.isLeader()).toBe(true), { timeout: 2000, interval: 10 });
    const creates = api.requestsMatching({ method: 'POST', path: `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases` });
    expect(creates.map((r) => r.status).sort()).toEqual([201, 409]);
    for (let i = 0; i < 10; i++) {
      expect([a, b].filter((c) => c.election.isLeader())).toHaveLength(1);
      await sleep(50);
    }
    const [leader, follower] = a.election.isLeader() ? [a, b] : [b, a];
    expect(follower.events).toEqual([]);
    expect(follower.election.leader()).toBe(lease()?.spec?.holderIdentity);
    expect(leader.events).toEqual(['started']);
  });

  test('when the leader stops, it releases the Lease and the follower takes over well before it would expire', async () => {
    const a = candidate('pod-a');
    await leads(a);
    const b = candidate('pod-b');
    await vi.waitFor(() => expect(b.election.leader()).toBe('pod-a'), { timeout: 1000, interval: 10 });

    await a.election.stop();
    expect(lease()?.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 0 });
    const released = performance.now();
    await leads(b);
    // The Lease says 1 s: without the release, b could not lead sooner than that.
    expect(performance.now() - released).toBeLessThan(600);
    expect(lease()?.spec).toMatchObject({ holderIdentity: 'pod-b', leaseTransitions: 1 });
    expect(a.events).toEqual(['started', 'stopped']);
    expect(a.election.isLeader()).toBe(false);
  });

  test('the stopping leader stops acting as leader before it releases the Lease', async () => {
    let holderWhenStopped: string | undefined;
    const a = candidate('pod-a', { onStoppedLeading: () => (holderWhenStopped = lease()?.spec?.holderIdentity), onStartedLeading: () => {} });
    await leads(a);
    await a.election.stop();
    expect(holderWhenStopped).toBe('pod-a');
    expect(lease()?.spec?.holderIdentity).toBe('');
  });

  test('a Lease whose holder died without releasing it is taken over once it expires, not before', async () => {
    api.upsert(heldLease('pod-dead', 4));
    const started = performance.now();
    const b = candidate('pod-b');
    await sleep(700);
    expect(b.election.isLeader()).toBe(false);
    expect(b.election.leader()).toBe('pod-dead');
    await leads(b, 3000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(lease()?.spec).toMatchObject({ holderIdentity: 'pod-b', leaseTransitions: 5 });
  });

  test('a follower keeps waiting while the leader renews', async () => {
    const a = candidate('pod-a');
    await leads(a);
    const b = candidate('pod-b');
    await sleep(1500);
    expect(b.election.isLeader()).toBe(false);
    expect(a.election.isLeader()).toBe(true);
    expect(b.events).toEqual([]);
  });

  test('the leader steps down when it cannot renew within the renew deadline', async () => {
    const a = candidate('pod-a');
    await leads(a);
    api.failNext({ method: 'PUT', path: LEASE_PATH }, 500, 1_000);
    const failing = performance.now();
    await vi.waitFor(() => expect(a.election.isLeader()).toBe(false), { timeout: 2000, interval: 10 });
    const after = performance.now() - failing;
    expect(after).toBeGreaterThanOrEqual(300);
    // …and before followers could consider the 1 s Lease expired.
    expect(after).toBeLessThan(1000);
    expect(a.events).toEqual(['started', 'stopped']);
  });

  test('a leader that finds another holder in the Lease steps down at once', async () => {
    const a = candidate('pod-a');
    await leads(a);
    const current = lease()!;
    api.upsert({ ...current, spec: { ...current.spec, holderIdentity: 'pod-usurper', leaseTransitions: 1 } });
    const changed = performance.now();
    await vi.waitFor(() => expect(a.election.isLeader()).toBe(false), { timeout: 1000, interval: 10 });
    expect(performance.now() - changed).toBeLessThan(350);
    expect(a.election.leader()).toBe('pod-usurper');
    expect(a.events).toEqual(['started', 'stopped']);
  });

  test('a follower that stops leaves the Lease alone and calls no callback', async () => {
    const held = api.upsert(heldLease('pod-other'));
    const b = candidate('pod-b');
    await vi.waitFor(() => expect(b.election.leader()).toBe('pod-other'), { timeout: 1000, interval: 10 });
    await b.election.stop();
    expect(lease()?.metadata?.resourceVersion).toBe(held.metadata?.resourceVersion);
    expect(api.requestsMatching({ method: 'PUT', path: LEASE_PATH })).toHaveLength(0);
    expect(b.events).toEqual([]);
  });

  test('read failures while following are retried', async () => {
    api.failNext({ method: 'GET', path: LEASE_PATH }, 500, 3);
    const a = candidate('pod-a');
    await leads(a);
    expect(api.requestsMatching({ method: 'GET', path: LEASE_PATH }).filter((r) => r.status === 500)).toHaveLength(3);
  });

  test('a wall clock stepping back an hour neither unseats the leader nor lets a follower in', async () => {
    let steps = 0;
    const a = candidate('pod-a', { now: () => new Date(Date.now() - (steps++ % 2) * 3_600_000) });
    await leads(a);
    const b = candidate('pod-b', { now: () => new Date(Date.now() + 3_600_000) });
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
    const renewed = lease()!.spec!.renewTime;
    await vi.waitFor(() => expect(lease()!.spec!.renewTime).not.toBe(renewed), { timeout: 1000, interval: 10 });
    expect(a.election.isLeader()).toBe(true);
  });

  test('stop() twice is harmless', async () => {
    const a = candidate('pod-a');
    await leads(a);
    await Promise.all([a.election.stop(), a.election.stop()]);
    expect(a.events).toEqual(['started', 'stopped']);
  });

  test.for<[string, Partial<LeaderElectionOptions>]>([
    ['renewDeadline not below leaseDuration', { leaseDurationMs: 400, renewDeadlineMs: 400, retryPeriodMs: 100 }],
    ['renewDeadline not above 1.2 × retryPeriod', { leaseDurationMs: 600, renewDeadlineMs: 120, retryPeriodMs: 100 }],
    ['retryPeriod of 0', { leaseDurationMs: 600, renewDeadlineMs: 400, retryPeriodMs: 0 }],
  ])('rejects %s', ([, durations]) => {
    expect(() => startLeaderElection({ kubeConfig: api.kubeconfig(), namespace: NS, name: NAME, identity: 'x', logger: pino({ level: 'silent' }), onStartedLeading() {}, onStoppedLeading() {}, ...durations })).toThrow(GatehouseError);
  });
});
