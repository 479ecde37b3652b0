// What the controller tells about Ingresses it leaves out: Events through a hand-written recorder,
// the gatehouse_ingress_excluded series, and the /readyz summary — only on change.
import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { Registry } from 'prom-client';
import { beforeEach, describe, expect, test } from 'vitest';
import type { EventRecorder, EventType } from '../../src/controller/event-recorder.js';
import { ExclusionReport, type Exclusion } from '../../src/controller/exclusion-report.js';
import { KubeEventRecorder } from '../../src/controller/kube-event-recorder.js';
import { createControllerMetrics } from '../../src/controller/metrics.js';
import type { Ingress } from '../../src/k8s/types.js';
import { ingress } from '../fixtures/builders.js';
import { freePort } from './harness.js';

class FakeRecorder implements EventRecorder {
  events: { ingress: string; type: EventType; reason: string; message: string }[] = [];
  fail = false;
  async record(i: Ingress, type: EventType, reason: string, message: string): Promise<void> {
    if (this.fail) throw new Error('API down');
    this.events.push({ ingress: `${i.metadata.namespace}/${i.metadata.name}`, type, reason, message });
  }
}

const rejected = (name: string, message = '[emerg] no'): Exclusion => ({ ingress: `shop/${name}`, reason: 'ConfigurationRejected', message });

let recorder: FakeRecorder;
let registry: Registry;
let report: ExclusionReport;
const known = new Set(['a', 'b', 'c']);

async function series(): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((l) => l.startsWith('gatehouse_ingress_excluded{'));
}

beforeEach(() => {
  recorder = new FakeRecorder();
  registry = new Registry();
  report = new ExclusionReport({
    lookup: (namespace, name) => (known.has(name) ? ingress({ namespace, name }) : undefined),
    recorder,
    metrics: createControllerMetrics(registry),
  });
});

describe('ExclusionReport', () => {
  test('the same exclusions again send no Event', async () => {
    await report.update([rejected('a')]);
    await report.update([rejected('a')]);
    expect(recorder.events).toHaveLength(1);
  });

  test('a new nginx message for the same Ingress is a new Warning', async () => {
    await report.update([rejected('a', '[emerg] one')]);
    await report.update([rejected('a', '[emerg] two')]);
    expect(recorder.events.map((e) => e.message)).toEqual([expect.stringContaining('[emerg] one'), expect.stringContaining('[emerg] two')]);
  });

  test('a changed reason replaces the metric series instead of adding one', async () => {
    await report.update([{ ingress: 'shop/a', reason: 'CannotRender', message: 'annotations refused' }]);
    await report.update([rejected('a')]);
    expect(await series()).toEqual(['gatehouse_ingress_excluded{namespace="shop",name="a",reason="ConfigurationRejected"} 1']);
  });

  test('an Ingress no longer in the cache gets no Event but still a metric series', async () => {
    await report.update([rejected('gone')]);
    expect(recorder.events).toEqual([]);
    expect(await series()).toHaveLength(1);
  });

  test('a recorder that fails never fails the update', async () => {
    recorder.fail = true;
    await expect(report.update([rejected('a')])).resolves.toBeUndefined();
    expect(report.exclusions).toEqual([rejected('a')]);
  });

  test('the readiness summary lists 20 exclusions and counts the rest', async () => {
    await report.update(Array.from({ length: 25 }, (_, i) => rejected(`ing-${String(i).padStart(2, '0')}`)));
    const lines = report.summary()!.split('\n');
    expect(lines[0]).toBe('degraded: 25 owned Ingresses left out of the served configuration; every other one is served');
    expect(lines[1]).toBe('  shop/ing-00: ConfigurationRejected: [emerg] no');
    expect(lines).toHaveLength(22);
    expect(lines[21]).toBe('  … and 5 more (gatehouse_ingress_excluded lists all)');
  });
});

describe('KubeEventRecorder', () => {
  test('an API server that cannot be reached is logged, never thrown', async () => {
    const kc = new KubeConfig();
    const port = await freePort(); // nothing listens there
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    const recorder = new KubeEventRecorder({ kubeConfig: kc, logger, instance: 'test', requestTimeoutMs: 2000 });
    await expect(recorder.record(ingress(), 'Warning', 'ConfigurationRejected', 'x')).resolves.toBeUndefined();
    expect(lines.join('')).toContain('cannot record an Event on the Ingress');
  });
});
