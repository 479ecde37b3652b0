// Applying and reloading with a real nginx: skip identical renders, never apply a config that
// fails `nginx -t`, coalesce bursts, restart nginx when it dies.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createReconciler } from '../../src/controller/reconcile.js';
import type { SnapshotStore } from '../../src/k8s/snapshot.js';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { eventually, NginxHarness, startBackend, type Backend } from './harness.js';

let nginx: NginxHarness;
let a: Backend;
let b: Backend;
let cluster: SnapshotStore;

async function metric(name: string, labels = ''): Promise<number> {
  const text = await nginx.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return Number(line?.split(' ')[1]);
}

async function served(host: string, path: string, backend: string): Promise<boolean> {
  return (await nginx.get(host, path)).echo?.backend === backend;
}

beforeAll(async () => {
  a = await startBackend('a', '127.0.0.40');
  b = await startBackend('b', '127.0.0.41');
  nginx = await NginxHarness.create();
  cluster = shopCluster(
    service('shop', 'a'),
    service('shop', 'b'),
    endpointSlice('shop', 'a', [a.ip], a.port),
    endpointSlice('shop', 'b', [b.ip], b.port),
    ingress({ name: 'site', host: 'site.com', paths: [{ path: '/', service: 'a' }] }),
  );
  expect((await nginx.apply(cluster)).status).toBe('applied');
});

afterAll(async () => {
  await nginx?.close();
  await a?.close();
  await b?.close();
});

describe('apply', () => {
  test('an identical render is not applied again and causes no reload', async () => {
    const before = nginx.reloads;
    expect((await nginx.apply(cluster)).status).toBe('unchanged');
    expect(nginx.reloads).toBe(before);
  });

  test('a changed render is swapped in and served after one reload', async () => {
    const before = nginx.reloads;
    cluster.upsert('Ingress', ingress({ name: 'site', host: 'site.com', paths: [{ path: '/', service: 'b' }] }));
    expect((await nginx.apply(cluster)).status).toBe('applied');
    expect(nginx.reloads).toBe(before + 1);
    // The applier confirmed the checksum, so the new route answers right away.
    expect(await served('site.com', '/', 'b')).toBe(true);
  });

  test('the running nginx.conf is exactly the applied text', async () => {
    expect(await readFile(join(nginx.dir, 'nginx.conf'), 'utf8')).toBe(nginx.applier.current);
  });

  test('a config failing nginx -t is rejected with nginx\'s message and the old one keeps serving', async () => {
    const good = nginx.applier.current!;
    const bad = good.replace('server_tokens off;', 'server_tokens off;\n    no_such_directive on;');
    const result = await nginx.applier.apply(bad);
    expect(result.status).toBe('rejected');
    expect(result.message).toContain('unknown directive "no_such_directive"');
    expect(await readFile(join(nginx.dir, 'nginx.conf'), 'utf8')).toBe(good);
    expect(await served('site.com', '/', 'b')).toBe(true);
    expect(await metric('gatehouse_nginx_config_last_reload_successful')).toBe(0);
    expect(await metric('gatehouse_nginx_reloads_total', '{result="failure"}')).toBe(1);
  });

  test('the next good config clears the failure gauge', async () => {
    cluster.upsert('Ingress', ingress({ name: 'site', host: 'site.com', paths: [{ path: '/', service: 'a' }] }));
    expect((await nginx.apply(cluster)).status).toBe('applied');
    expect(await metric('gatehouse_nginx_config_last_reload_successful')).toBe(1);
  });
});

describe('reconcile', () => {
  test('a burst of 100 updates costs at most 3 reloads and ends on the last update', async () => {
    const before = nginx.reloads;
    const reconciler = createReconciler({
      debounceMs: 50,
      maxDelayMs: 1000,
      render: () => {
        const { text, build } = nginx.render(cluster);
        return { text, secretFiles: build.model.secretFiles };
      },
      apply: (config) => nginx.applier.apply(config.text, config.secretFiles),
    });
    for (let i = 0; i < 100; i++) {
      cluster.upsert('Ingress', ingress({ name: 'burst', host: 'burst.com', paths: [{ path: `/v${i}`, service: i % 2 ? 'a' : 'b' }] }));
      reconciler.trigger();
      await new Promise((r) => setTimeout(r, 2));
    }
    await reconciler.flush();
    await reconciler.stop();
    expect(nginx.reloads - before).toBeGreaterThanOrEqual(1);
    expect(nginx.reloads - before).toBeLessThanOrEqual(3);
    expect(await served('burst.com', '/v99', 'a')).toBe(true);
    expect((await nginx.get('burst.com', '/v98')).status).toBe(404);
  });

  test('a change is served within 1 s of the trigger', async () => {
    const reconciler = createReconciler({
      debounceMs: 50,
      maxDelayMs: 500,
      render: () => {
        const { text, build } = nginx.render(cluster);
        return { text, secretFiles: build.model.secretFiles };
      },
      apply: (config) => nginx.applier.apply(config.text, config.secretFiles),
    });
    cluster.upsert('Ingress', ingress({ name: 'fast', host: 'fast.com', paths: [{ path: '/', service: 'b' }] }));
    const started = Date.now();
    reconciler.trigger();
    expect(await eventually(() => served('fast.com', '/', 'b'), 10_000)).toBe(true);
    await reconciler.stop();
    // Generous against a loaded CI machine; typically ~100 ms.
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('supervision', () => {
  test('nginx killed is restarted and serves again', async () => {
    const pid = nginx.runner.pid!;
    process.kill(pid, 'SIGKILL');
    expect(await eventually(async () => nginx.runner.pid !== undefined && nginx.runner.pid !== pid && (await served('site.com', '/', 'a')))).toBe(true);
  });

  test('stop quits nginx gracefully and it is not restarted', async () => {
    const pid = nginx.runner.pid!;
    await nginx.runner.stop();
    expect(nginx.runner.running).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
    await new Promise((r) => setTimeout(r, 300));
    expect(nginx.runner.running).toBe(false);
  });
});
