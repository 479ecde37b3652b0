import { pino } from 'pino';
import { Gauge, Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { AdmissionPolicy } from '../../src/policy/action.js';
import { ExistingReport } from '../../src/report/existing-report.js';
import { RULES } from '../../src/rules/index.js';
import { DEFAULT_RULE_OPTIONS } from '../../src/rules/types.js';
import { ingress, service, shopCluster } from '../fixtures/builders.js';

const logger = pino({ level: 'silent' });

function setup(opts: { synced?: () => boolean; batchSize?: number } = {}) {
  const store = shopCluster(ingress({ name: 'bad', host: 'bad.example.com', paths: [{ service: 'api' }] }), ingress({ name: 'good' }));
  const registry = new Registry();
  const gauge = new Gauge({ name: 'gatehouse_existing_findings', help: 'h', labelNames: ['rule', 'severity'] as const, registers: [registry] });
  const report = new ExistingReport({ cluster: store, synced: opts.synced ?? (() => true), rules: RULES, options: DEFAULT_RULE_OPTIONS, logger }, gauge, {
    debounceMs: 100,
    ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
  });
  const series = async () => (await gauge.get()).values.map((v) => `${v.labels['rule']}/${v.labels['severity']}=${v.value}`).sort();
  return { store, report, series };
}

describe('ExistingReport: background findings over the cache', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  test('nothing runs until the debounce has passed; then entries and the gauge are published together', async () => {
    const { report, series } = setup();
    report.schedule();
    await vi.advanceTimersByTimeAsync(50);
    report.schedule(); // a burst: the timer restarts
    await vi.advanceTimersByTimeAsync(90);
    expect(report.completedPasses()).toBe(0);
    await vi.advanceTimersByTimeAsync(20);
    expect(report.completedPasses()).toBe(1);
    expect(report.entries().map((e) => [e.namespace, e.name, e.allowed, e.findings.map((f) => f.rule)])).toEqual([
      ['shop', 'bad', false, ['backend-service']],
      ['shop', 'good', true, []],
    ]);
    expect(await series()).toEqual(['backend-service/deny=1']);
  });

  test('fixing the cause (the Service appears) clears the finding and its series on the next pass', async () => {
    const { store, report, series } = setup();
    report.schedule();
    await vi.advanceTimersByTimeAsync(100);
    store.upsert('Service', service('shop', 'api'));
    report.schedule();
    await vi.advanceTimersByTimeAsync(100);
    expect(report.completedPasses()).toBe(2);
    expect(report.entries().every((e) => e.allowed && e.findings.length === 0)).toBe(true);
    expect(await series()).toEqual([]);
  });

  test('a pass yields between batches (setImmediate) and publishes only when complete', async () => {
    const { report } = setup({ batchSize: 1 });
    report.schedule();
    await vi.advanceTimersByTimeAsync(100);
    expect(report.completedPasses()).toBe(0); // first batch done, the second waits for setImmediate
    expect(report.entries()).toHaveLength(0);
    await vi.runAllTimersAsync();
    expect(report.completedPasses()).toBe(1);
    expect(report.entries()).toHaveLength(2);
  });

  test('an unsynced cache is not judged; stop() cancels a pending pass', async () => {
    let synced = false;
    const { report } = setup({ synced: () => synced });
    report.schedule();
    await vi.advanceTimersByTimeAsync(200);
    expect(report.completedPasses()).toBe(0);
    synced = true;
    report.schedule();
    report.stop();
    await vi.advanceTimersByTimeAsync(200);
    expect(report.completedPasses()).toBe(0);
  });
});

describe('ExistingReport follows the policy in force', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  test('in audit mode the would-be denials are reported as audit, and a new policy is used on the next pass', async () => {
    const store = shopCluster(ingress({ name: 'bad', host: 'bad.example.com', paths: [{ service: 'api' }] }));
    const registry = new Registry();
    const gauge = new Gauge({ name: 'gatehouse_existing_findings', help: 'h', labelNames: ['rule', 'severity'] as const, registers: [registry] });
    let policy: AdmissionPolicy = { ...DEFAULT_RULE_OPTIONS.policy, mode: 'audit' };
    const report = new ExistingReport({ cluster: store, synced: () => true, rules: RULES, options: DEFAULT_RULE_OPTIONS, policy: () => policy, logger }, gauge, { debounceMs: 100 });
    const series = async () => (await gauge.get()).values.map((v) => `${v.labels['rule']}/${v.labels['severity']}=${v.value}`).sort();
    report.schedule();
    await vi.advanceTimersByTimeAsync(100);
    expect(report.entries().map((e) => [e.name, e.allowed, e.audited.map((f) => f.rule)])).toEqual([['bad', true, ['backend-service']]]);
    expect(await series()).toEqual(['backend-service/audit=1']);
    policy = { ...DEFAULT_RULE_OPTIONS.policy, mode: 'enforce' };
    report.schedule();
    await vi.advanceTimersByTimeAsync(100);
    expect(await series()).toEqual(['backend-service/deny=1']);
  });
});
