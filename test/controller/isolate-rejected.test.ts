// The quarantine's search, independent of nginx: a fake probe fails while the configuration holds
// a culprit (or a pair that only fails together), and the search must find them in few probes.
import { describe, expect, test } from 'vitest';
import { isolateRejected, type Probe } from '../../src/controller/isolate-rejected.js';
import type { ConfigTestResult } from '../../src/controller/nginx-runner.js';

const keys = (n: number): string[] => Array.from({ length: n }, (_, i) => `ns/ing-${String(i).padStart(5, '0')}`);

/** Fails with `[emerg] <culprit>` for the first culprit present, or a pair present together. */
function fakeNginx(culprits: Iterable<string>, pairs: readonly (readonly [string, string])[] = []) {
  const bad = new Set(culprits);
  const log: (readonly string[])[] = [];
  const probe: Probe = async (included) => {
    log.push(included);
    const set = new Set(included);
    const culprit = included.find((k) => bad.has(k));
    if (culprit) return { ok: false, output: `[emerg] ${culprit}` };
    const pair = pairs.find(([a, b]) => set.has(a) && set.has(b));
    if (pair) return { ok: false, output: `[emerg] ${pair[0]} with ${pair[1]}` };
    return { ok: true, output: '' };
  };
  return { probe, log };
}

const FAILED: ConfigTestResult = { ok: false, output: 'the full configuration failed' };

describe('isolateRejected', () => {
  test.for([
    { n: 1, culprits: [0] },
    { n: 2, culprits: [1] },
    { n: 1000, culprits: [0] },
    { n: 1000, culprits: [500] },
    { n: 1000, culprits: [999] },
    { n: 1000, culprits: [3, 400, 998] },
    { n: 10, culprits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] },
  ])('$n suspects, culprits at $culprits: exactly the culprits are left out', async ({ n, culprits }) => {
    const suspects = keys(n);
    const bad = culprits.map((i) => suspects[i]!);
    const { probe } = fakeNginx(bad);
    const found = await isolateRejected(suspects, probe, { failure: FAILED });
    expect(found.ok).toBe(true);
    if (!found.ok) return;
    expect([...found.rejected.keys()].sort()).toEqual([...bad].sort());
    expect(found.included).toEqual(suspects.filter((k) => !bad.includes(k)));
  });

  test.for([
    [100, 10],
    [1000, 13],
    [10_000, 16],
  ] as const)('one culprit among %i suspects costs at most %i probes (log2 n + 3), not one per suspect', async ([n, bound]) => {
    const suspects = keys(n);
    for (const at of [0, Math.floor(n / 3), n - 1]) {
      const { probe } = fakeNginx([suspects[at]!]);
      const found = await isolateRejected(suspects, probe, { failure: FAILED });
      expect(found.probes).toBeLessThanOrEqual(bound);
    }
  });

  test('three culprits among 10,000 suspects cost at most 3·(log2 n + 2) probes', async () => {
    const suspects = keys(10_000);
    const { probe } = fakeNginx([suspects[42]!, suspects[5000]!, suspects[9876]!]);
    const found = await isolateRejected(suspects, probe, { failure: FAILED });
    if (!found.ok) throw new Error('expected a result');
    expect(found.rejected.size).toBe(3);
    expect(found.probes).toBeLessThanOrEqual(3 * 16);
  });

  test("each culprit carries nginx's output from a probe that failed with it", async () => {
    const suspects = keys(50);
    const { probe } = fakeNginx([suspects[7]!, suspects[31]!]);
    const found = await isolateRejected(suspects, probe, { failure: FAILED });
    if (!found.ok) throw new Error('expected a result');
    expect(Object.fromEntries(found.rejected)).toEqual({ [suspects[7]!]: `[emerg] ${suspects[7]}`, [suspects[31]!]: `[emerg] ${suspects[31]}` });
  });

  test('the result is always a configuration the probe accepted: the last passing probe', async () => {
    const suspects = keys(64);
    const { probe, log } = fakeNginx([suspects[5]!, suspects[40]!], [[suspects[10]!, suspects[20]!]]);
    const found = await isolateRejected(suspects, probe, { failure: FAILED });
    if (!found.ok) throw new Error('expected a result');
    expect((await probe(found.included)).ok).toBe(true);
    expect(log.some((l) => l.join() === found.included.join())).toBe(true);
  });

  test('two Ingresses that fail only together: the newer one is left out, the older one served', async () => {
    const suspects = keys(20);
    const [older, newer] = [suspects[4]!, suspects[15]!];
    const { probe } = fakeNginx([], [[older, newer]]);
    const found = await isolateRejected(suspects, probe, { failure: FAILED });
    if (!found.ok) throw new Error('expected a result');
    expect([...found.rejected.keys()]).toEqual([newer]);
    expect(found.included).toContain(older);
  });

  test('a failure even without any suspect blames none of them', async () => {
    const probe: Probe = async () => ({ ok: false, output: '[emerg] bind() to 0.0.0.0:80 failed' });
    expect(await isolateRejected(keys(10), probe, { failure: FAILED })).toEqual({ ok: false, probes: 1 });
  });

  describe('with the culprits of the last round as a hint', () => {
    test('the same culprit again costs one probe (everything else), however many suspects', async () => {
      const suspects = keys(10_000);
      const { probe } = fakeNginx([suspects[1234]!]);
      const found = await isolateRejected(suspects, probe, { failure: FAILED, hint: new Set([suspects[1234]!]) });
      if (!found.ok) throw new Error('expected a result');
      expect([...found.rejected.keys()]).toEqual([suspects[1234]]);
      expect(found.probes).toBe(1);
    });

    test('a hinted Ingress that was fixed is served again while a new culprit is found', async () => {
      const suspects = keys(100);
      const [fixed, fresh] = [suspects[3]!, suspects[77]!];
      const { probe } = fakeNginx([fresh]);
      const found = await isolateRejected(suspects, probe, { failure: FAILED, hint: new Set([fixed]) });
      if (!found.ok) throw new Error('expected a result');
      expect([...found.rejected.keys()]).toEqual([fresh]);
      expect(found.included).toContain(fixed);
    });

    test('of two hinted culprits, the one fixed is served again and the other stays out', async () => {
      const suspects = keys(100);
      const [fixed, still] = [suspects[10]!, suspects[90]!];
      const { probe } = fakeNginx([still]);
      const found = await isolateRejected(suspects, probe, { failure: FAILED, hint: new Set([fixed, still]) });
      if (!found.ok) throw new Error('expected a result');
      expect([...found.rejected.keys()]).toEqual([still]);
      expect(found.included).toContain(fixed);
    });

    test('hint keys that are no longer suspects (deleted Ingresses) are ignored', async () => {
      const suspects = keys(10);
      const { probe } = fakeNginx([suspects[2]!]);
      const found = await isolateRejected(suspects, probe, { failure: FAILED, hint: new Set(['gone/ingress']) });
      if (!found.ok) throw new Error('expected a result');
      expect([...found.rejected.keys()]).toEqual([suspects[2]]);
    });
  });
});
