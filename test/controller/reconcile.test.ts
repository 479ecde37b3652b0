import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { Registry } from 'prom-client';
import type { ApplyResult } from '../../src/controller/apply.js';
import { createControllerMetrics } from '../../src/controller/metrics.js';
import { createReconciler, type RenderedConfig, type ReconcilerOptions } from '../../src/controller/reconcile.js';

/** A reconciler over a mutable "cluster" string, recording what it applied and when. */
function setup(overrides: Partial<ReconcilerOptions> = {}) {
  const state = { text: 'v0', applied: [] as { text: string; at: number }[], renders: 0, applyMs: 0 };
  const reconciler = createReconciler({
    debounceMs: 100,
    maxDelayMs: 1000,
    render: (): RenderedConfig => {
      state.renders++;
      return { text: state.text, secretFiles: [] };
    },
    apply: async (config): Promise<ApplyResult> => {
      if (state.applyMs) await new Promise((r) => setTimeout(r, state.applyMs));
      state.applied.push({ text: config.text, at: Date.now() });
      return { status: 'applied' };
    },
    ...overrides,
  });
  return { state, reconciler };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createReconciler', () => {
  test('a burst of triggers renders once, after the debounce', async () => {
    const { state, reconciler } = setup();
    for (let i = 1; i <= 100; i++) {
      state.text = `v${i}`;
      reconciler.trigger();
      await vi.advanceTimersByTimeAsync(5);
    }
    await vi.advanceTimersByTimeAsync(200);
    expect(state.applied.map((a) => a.text)).toEqual(['v100']);
  });

  test('a steady stream of changes is rendered at the ceiling, not starved', async () => {
    const { state, reconciler } = setup();
    for (let i = 1; i <= 30; i++) {
      state.text = `v${i}`;
      reconciler.trigger();
      await vi.advanceTimersByTimeAsync(50); // always inside the 100 ms debounce
    }
    expect(state.applied[0]?.at).toBe(1000);
    await reconciler.stop();
  });

  test('an endpoint change refreshes the endpoints at once, a burst in one tick once', async () => {
    let refreshes = 0;
    const { state, reconciler } = setup({ refreshEndpoints: async () => void refreshes++ });
    for (let i = 0; i < 50; i++) reconciler.trigger('endpoints');
    await vi.advanceTimersByTimeAsync(1);
    expect([refreshes, state.renders]).toEqual([1, 0]);
    await vi.advanceTimersByTimeAsync(200);
    expect([refreshes, state.renders]).toEqual([1, 1]);
    await reconciler.stop();
  });

  test('endpoint changes during a refresh in flight cost one more refresh, not one each', async () => {
    let refreshes = 0;
    const { reconciler } = setup({ refreshEndpoints: async () => void (refreshes++, await new Promise((r) => setTimeout(r, 50))) });
    reconciler.trigger('endpoints');
    await vi.advanceTimersByTimeAsync(10);
    for (let i = 0; i < 20; i++) reconciler.trigger('endpoints');
    await vi.advanceTimersByTimeAsync(500);
    expect(refreshes).toBe(2);
    await reconciler.stop();
  });

  test('other changes do not refresh endpoints: their render publishes them', async () => {
    let refreshes = 0;
    const { state, reconciler } = setup({ refreshEndpoints: async () => void refreshes++ });
    reconciler.trigger();
    await vi.advanceTimersByTimeAsync(200);
    expect([refreshes, state.renders]).toEqual([0, 1]);
  });

  test('a render identical to the last applied one is not applied', async () => {
    const { state, reconciler } = setup();
    reconciler.trigger();
    await vi.advanceTimersByTimeAsync(200);
    reconciler.trigger();
    await vi.advanceTimersByTimeAsync(200);
    expect([state.renders, state.applied.length]).toEqual([2, 1]);
  });

  test('a trigger during a slow apply starts one more round after it, never an overlapping one', async () => {
    const { state, reconciler } = setup();
    state.applyMs = 500;
    reconciler.trigger();
    await vi.advanceTimersByTimeAsync(150); // apply in flight
    state.text = 'v1';
    reconciler.trigger();
    reconciler.trigger();
    await vi.advanceTimersByTimeAsync(2000);
    expect(state.applied.map((a) => a.text)).toEqual(['v0', 'v1']);
    expect(state.applied[1]!.at - state.applied[0]!.at).toBeGreaterThanOrEqual(500);
  });

  test('flush renders a pending change at once', async () => {
    const { state, reconciler } = setup();
    reconciler.trigger();
    await reconciler.flush();
    expect(state.applied.map((a) => a.at)).toEqual([0]);
  });

  test('after stop, triggers are ignored', async () => {
    const { state, reconciler } = setup();
    await reconciler.stop();
    reconciler.trigger();
    await vi.advanceTimersByTimeAsync(2000);
    expect(state.renders).toBe(0);
  });

  test('a render that throws is reported and the next trigger still runs', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const { state, reconciler } = setup({
      onError: (err) => errors.push(err),
      render: () => {
        if (fail) throw new Error('boom');
        return { text: 'ok', secretFiles: [] };
      },
    });
    reconciler.trigger();
    await vi.advanceTimersByTimeAsync(200);
    fail = false;
    reconciler.trigger();
    await vi.advanceTimersByTimeAsync(200);
    expect(errors).toHaveLength(1);
    expect(state.applied.map((a) => a.text)).toEqual(['ok']);
  });

  test('each render records its duration and the owned Ingress count', async () => {
    const metrics = createControllerMetrics(new Registry());
    const { reconciler } = setup({ metrics, render: () => ({ text: 'x', secretFiles: [], ownedIngresses: 7 }) });
    reconciler.trigger();
    await vi.advanceTimersByTimeAsync(200);
    expect((await metrics.ownedIngresses.get()).values[0]?.value).toBe(7);
    const count = (await metrics.renderSeconds.get()).values.find((v) => v.metricName === 'gatehouse_config_render_seconds_count');
    expect(count?.value).toBe(1);
  });

  test('a failed reload is retried on the next trigger even if the text did not change', async () => {
    const statuses: ApplyResult['status'][] = ['reload-failed', 'applied'];
    let applies = 0;
    const { reconciler } = setup({
      apply: async () => {
        applies++;
        return { status: statuses.shift() ?? 'applied' };
      },
    });
    reconciler.trigger();
    await vi.advanceTimersByTimeAsync(200);
    reconciler.trigger();
    await vi.advanceTimersByTimeAsync(200);
    expect(applies).toBe(2);
  });
});
