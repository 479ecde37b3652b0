// The quarantine with the real applier and the real model, and a fake `nginx -t` that refuses any
// configuration naming a host that contains "refused-by-nginx": what is left out, what is applied,
// what is reported, and how many `nginx -t` runs it costs — without depending on which inputs the
// real nginx happens to refuse (test/controller/quarantine-nginx.test.ts covers those).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { NginxApplier } from '../../src/controller/apply.js';
import type { EventType } from '../../src/controller/event-recorder.js';
import { ExclusionReport } from '../../src/controller/exclusion-report.js';
import { createControllerMetrics, type ControllerMetrics } from '../../src/controller/metrics.js';
import type { ConfigTestResult, NginxRunner } from '../../src/controller/nginx-runner.js';
import { Quarantine } from '../../src/controller/quarantine.js';
import type { RenderedConfig } from '../../src/controller/reconcile.js';
import { DEFAULT_OWNERSHIP } from '../../src/k8s/ownership.js';
import type { SnapshotStore } from '../../src/k8s/snapshot.js';
import type { Ingress } from '../../src/k8s/types.js';
import { buildModel } from '../../src/nginx/build-model.js';
import { renderNginxConf } from '../../src/nginx/render.js';
import { ingress, shopCluster } from '../fixtures/builders.js';

/** nginx -t refuses a config with a host containing this (as it would a weak key or a bad regex). */
const MARK = 'refused-by-nginx';

class FakeNginx implements NginxRunner {
  running = true;
  tests = 0;
  reloads = 0;
  /** Refuses everything, as nginx does when the fault is not in any Ingress. */
  brokenEverywhere = false;
  async test(path: string): Promise<ConfigTestResult> {
    this.tests++;
    const text = await readFile(path, 'utf8');
    const host = new RegExp(`server_name ([^;]*${MARK}[^;]*);`).exec(text)?.[1];
    if (this.brokenEverywhere) return { ok: false, output: `2026/11/30 11:00:00 [emerg] 1#1: bind() failed\nnginx: configuration file ${path} test failed` };
    if (!host) return { ok: true, output: '' };
    return { ok: false, output: `2026/11/30 11:00:00 [emerg] 4242#4242: cannot load ${host} in ${path}:12\nnginx: configuration file ${path} test failed` };
  }
  async reload(): Promise<void> {
    this.reloads++;
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

/** A hand-written recorder: what the API would have received. */
class FakeRecorder {
  events: { ingress: string; uid: string | undefined; type: EventType; reason: string; message: string }[] = [];
  async record(i: Ingress, type: EventType, reason: string, message: string): Promise<void> {
    this.events.push({ ingress: `${i.metadata.namespace}/${i.metadata.name}`, uid: i.metadata.uid, type, reason, message });
  }
}

let dir: string;
let nginx: FakeNginx;
let recorder: FakeRecorder;
let metrics: ControllerMetrics;
let registry: Registry;
let cluster: SnapshotStore;
let report: ExclusionReport;
let quarantine: Quarantine;

function render(excluded: ReadonlySet<string>): RenderedConfig {
  const build = buildModel(cluster, { ownership: DEFAULT_OWNERSHIP, excluded });
  const text = renderNginxConf(build.model, { configDir: dir, httpListen: '127.0.0.1:8080', httpsListen: '127.0.0.1:8443' });
  return { text, secretFiles: build.model.secretFiles, build };
}

const site = (name: string, host = `${name}.example.com`): Ingress => {
  const i = ingress({ name, host });
  return { ...i, metadata: { ...i.metadata, uid: `uid-${name}` } };
};

async function excludedSeries(): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((l) => l.startsWith('gatehouse_ingress_excluded{'));
}

const served = async (): Promise<string> => readFile(join(dir, 'nginx.conf'), 'utf8');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-quarantine-'));
  nginx = new FakeNginx();
  recorder = new FakeRecorder();
  registry = new Registry();
  metrics = createControllerMetrics(registry);
  cluster = shopCluster(site('one'), site('two'), site('three'));
  report = new ExclusionReport({ lookup: (ns, name) => cluster.ingress(ns, name), recorder, metrics });
  quarantine = new Quarantine({ applier: new NginxApplier({ configDir: dir, runner: nginx, metrics }), render, report });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('Quarantine', () => {
  test('a configuration nginx accepts costs one nginx -t and leaves nothing out', async () => {
    const result = await quarantine.apply(render(new Set()));
    expect(result).toMatchObject({ status: 'applied', probes: 0 });
    expect(result.rejected.size).toBe(0);
    expect(nginx.tests).toBe(1);
    expect(recorder.events).toEqual([]);
    expect(report.summary()).toBeUndefined();
  });

  test('an Ingress nginx refuses is left out and every other one is applied', async () => {
    cluster.upsert('Ingress', site('bad', `${MARK}.example.com`));
    const result = await quarantine.apply(render(new Set()));
    expect(result.status).toBe('applied');
    expect(Object.fromEntries(result.rejected)).toEqual({ 'shop/bad': '[emerg] cannot load refused-by-nginx.example.com' });
    const conf = await served();
    expect(conf).not.toContain(MARK);
    for (const host of ['one', 'two', 'three']) expect(conf).toContain(`server_name ${host}.example.com;`);
    expect(quarantine.served?.build?.rendered).toEqual(['shop/one', 'shop/three', 'shop/two']);
    expect(nginx.reloads).toBe(1);
  });

  test('the refused Ingress gets a Warning Event with nginx\'s error line, a metric series and a line in /readyz', async () => {
    cluster.upsert('Ingress', site('bad', `${MARK}.example.com`));
    await quarantine.apply(render(new Set()));
    expect(recorder.events).toEqual([
      { ingress: 'shop/bad', uid: 'uid-bad', type: 'Warning', reason: 'ConfigurationRejected', message: expect.stringContaining('nginx said: [emerg] cannot load refused-by-nginx.example.com') },
    ]);
    expect(await excludedSeries()).toEqual(['gatehouse_ingress_excluded{namespace="shop",name="bad",reason="ConfigurationRejected"} 1']);
    expect(report.summary()).toMatch(/^degraded: 1 owned Ingress left out of the served configuration; every other one is served\n {2}shop\/bad: ConfigurationRejected: \[emerg\] cannot load/);
  });

  test('while it stays refused, a change elsewhere is applied with two nginx -t runs and no new Event', async () => {
    cluster.upsert('Ingress', site('bad', `${MARK}.example.com`));
    await quarantine.apply(render(new Set()));
    const [tests, events] = [nginx.tests, recorder.events.length];
    cluster.upsert('Ingress', site('four'));
    const result = await quarantine.apply(render(new Set()));
    expect(result).toMatchObject({ status: 'applied', probes: 1 });
    expect([...result.rejected.keys()]).toEqual(['shop/bad']);
    expect(nginx.tests - tests).toBe(2);
    expect(recorder.events).toHaveLength(events);
    expect(await served()).toContain('server_name four.example.com;');
  });

  test('once fixed it is served again: a Normal Event, and its metric series is gone', async () => {
    cluster.upsert('Ingress', site('bad', `${MARK}.example.com`));
    await quarantine.apply(render(new Set()));
    cluster.upsert('Ingress', site('bad', 'fixed.example.com'));
    const result = await quarantine.apply(render(new Set()));
    expect(result).toMatchObject({ status: 'applied', probes: 0 });
    expect(result.rejected.size).toBe(0);
    expect(await served()).toContain('server_name fixed.example.com;');
    expect(recorder.events.at(-1)).toMatchObject({ ingress: 'shop/bad', type: 'Normal', reason: 'ConfigurationAccepted' });
    expect(await excludedSeries()).toEqual([]);
    expect(report.summary()).toBeUndefined();
  });

  test('a deleted refused Ingress leaves no metric series behind and gets no Event', async () => {
    cluster.upsert('Ingress', site('bad', `${MARK}.example.com`));
    await quarantine.apply(render(new Set()));
    cluster.remove('Ingress', cluster.ingress('shop', 'bad')!);
    await quarantine.apply(render(new Set()));
    expect(recorder.events.map((e) => e.type)).toEqual(['Warning']);
    expect(await excludedSeries()).toEqual([]);
  });

  test('several refused Ingresses among 200 are all found with a logarithmic number of nginx -t runs', async () => {
    for (let i = 0; i < 200; i++) cluster.upsert('Ingress', site(`s${String(i).padStart(3, '0')}`));
    for (const i of [17, 150]) cluster.upsert('Ingress', site(`s${i}`, `${MARK}-${i}.example.com`));
    const result = await quarantine.apply(render(new Set()));
    expect(result.status).toBe('applied');
    expect([...result.rejected.keys()].sort()).toEqual(['shop/s150', 'shop/s17']);
    // 203 suspects, 2 culprits: ~2·log2(203) probes, far from one run per Ingress.
    expect(nginx.tests).toBeLessThanOrEqual(2 + 2 * 9);
    expect(await served()).toContain('server_name s016.example.com;');
  });

  test('when nginx refuses the configuration even without any Ingress, nobody is blamed and the last good config stays', async () => {
    await quarantine.apply(render(new Set()));
    const good = await served();
    nginx.brokenEverywhere = true;
    cluster.upsert('Ingress', site('four'));
    const result = await quarantine.apply(render(new Set()));
    expect(result.status).toBe('rejected');
    expect(result.rejected.size).toBe(0);
    expect(recorder.events).toEqual([]);
    expect(await served()).toBe(good);
  });

  test('before nginx runs (a controller starting), the refused Ingress is left out and the rest is written', async () => {
    nginx.running = false;
    cluster.upsert('Ingress', site('bad', `${MARK}.example.com`));
    const result = await quarantine.apply(render(new Set()));
    expect(result.status).toBe('applied');
    expect(await served()).toContain('server_name one.example.com;');
    expect(nginx.reloads).toBe(0);
  });

  test('an Ingress the controller refuses to render is reported too, as CannotRender', async () => {
    const refused = ingress({ name: 'snippet', host: 'snippet.example.com', annotations: { 'nginx.ingress.kubernetes.io/configuration-snippet': 'return 200;' } });
    cluster.upsert('Ingress', refused);
    await quarantine.apply(render(new Set()));
    expect(recorder.events).toEqual([{ ingress: 'shop/snippet', uid: undefined, type: 'Warning', reason: 'CannotRender', message: expect.stringMatching(/^Not served: /) }]);
    expect(await excludedSeries()).toEqual(['gatehouse_ingress_excluded{namespace="shop",name="snippet",reason="CannotRender"} 1']);
  });
});
