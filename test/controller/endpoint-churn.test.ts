// Endpoint changes on a real nginx with the Lua endpoint channel (docs/controller.md, "Endpoint
// changes"): endpoints come and go without a reload, traffic elsewhere never fails, an empty
// Service answers 503, and hostile endpoint data never reaches nginx.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EndpointPublisher } from '../../src/controller/endpoint-publisher.js';
import { gatehouseLuaDir } from '../../src/controller/lua-dir.js';
import { createReconciler, type Reconciler, type RenderedConfig } from '../../src/controller/reconcile.js';
import { DEFAULT_OWNERSHIP } from '../../src/k8s/ownership.js';
import type { ClusterSnapshot } from '../../src/k8s/snapshot.js';
import type { EndpointSlice } from '../../src/k8s/types.js';
import { buildModel } from '../../src/nginx/build-model.js';
import { dynamicUpstreams, endpointTable, MAX_ENDPOINTS, upstreamKey, type EndpointChannelOptions } from '../../src/nginx/dynamic-upstreams.js';
import { renderNginxConf } from '../../src/nginx/render.js';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { eventually, NginxHarness, startBackend, type Backend } from './harness.js';

let nginx: NginxHarness;
let channel: EndpointChannelOptions;
let publisher: EndpointPublisher;
let reconciler: Reconciler;
const backends: Backend[] = [];
let steady: Backend;
/** The churned Service's slices; the reconciler renders whatever this holds. */
let churned: EndpointSlice[] = [];

const INGRESSES = [
  ingress({ name: 'churn', host: 'churn.com', paths: [{ path: '/', service: 'churn' }] }),
  ingress({ name: 'steady', host: 'steady.com', paths: [{ path: '/', service: 'steady' }] }),
];

function cluster(): ClusterSnapshot {
  return shopCluster(service('shop', 'churn'), service('shop', 'steady'), endpointSlice('shop', 'steady', [steady.ip], steady.port), ...churned, ...INGRESSES);
}

function slicesOf(list: readonly Backend[]): EndpointSlice[] {
  return list.map((b) => endpointSlice('shop', 'churn', [b.ip], b.port));
}

let renders = 0;

/** What the controller does: render with the channel, publish endpoints, apply. */
function render(): RenderedConfig {
  renders++;
  const build = buildModel(cluster(), { ownership: DEFAULT_OWNERSHIP });
  return { text: renderNginxConf(build.model, { ...nginx.renderOptions(), endpointChannel: channel }), secretFiles: build.model.secretFiles, build };
}

async function churnTo(list: readonly Backend[]): Promise<void> {
  churned = slicesOf(list);
  reconciler.trigger('endpoints');
  await reconciler.flush();
}

async function backendsSeen(n: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const res = await nginx.get('churn.com', '/');
    seen.add(res.echo?.backend ?? String(res.status));
  }
  return seen;
}

beforeAll(async () => {
  for (const [i, name] of ['one', 'two', 'three'].entries()) backends.push(await startBackend(name, `127.0.0.${50 + i}`));
  steady = await startBackend('steady', '127.0.0.60');
  nginx = await NginxHarness.create();
  channel = { file: join(nginx.dir, 'endpoints'), luaDir: gatehouseLuaDir()! };
  publisher = new EndpointPublisher(channel.file);
  reconciler = createReconciler({
    debounceMs: 5,
    maxDelayMs: 50,
    render,
    publishEndpoints: async (c) => void (await publisher.publish(c.build?.model)),
    refreshEndpoints: async () => void (await publisher.refresh(cluster())),
    apply: (c) => nginx.applier.apply(c.text, c.secretFiles),
  });
  churned = slicesOf(backends.slice(0, 1));
  reconciler.trigger();
  await reconciler.flush();
  await nginx.runner.start();
});

afterAll(async () => {
  await reconciler?.stop();
  await nginx?.close();
  await Promise.all([...backends, steady].map((b) => b?.close()));
});

describe('endpoint changes without reloads', () => {
  test('nginx.conf names the upstream but none of its endpoints', async () => {
    const conf = await readFile(join(nginx.dir, 'nginx.conf'), 'utf8');
    expect(conf).toMatch(/upstream shop_churn_http \{\n\s+server "unix:[^"]+";\n\s+balancer_by_lua_block/);
    expect(conf).not.toContain(backends[0]!.ip);
    expect(await backendsSeen(4)).toEqual(new Set(['one']));
  });

  test('an added endpoint answers, with no reload and the same nginx.conf', async () => {
    const reloads = nginx.reloads;
    const conf = await readFile(join(nginx.dir, 'nginx.conf'), 'utf8');
    await churnTo(backends.slice(0, 2));
    expect(await eventually(async () => (await nginx.get('churn.com', '/')).echo?.backend === 'two')).toBe(true);
    expect(await backendsSeen(6)).toEqual(new Set(['one', 'two']));
    expect(nginx.reloads).toBe(reloads);
    expect(await readFile(join(nginx.dir, 'nginx.conf'), 'utf8')).toBe(conf);
  });

  test('a removed endpoint is no longer used', async () => {
    const reloads = nginx.reloads;
    await churnTo(backends.slice(1, 3));
    expect(await eventually(async () => !(await backendsSeen(6)).has('one'))).toBe(true);
    expect(await backendsSeen(12)).toEqual(new Set(['two', 'three']));
    expect(nginx.reloads).toBe(reloads);
  });

  test('a Service going to zero endpoints answers 503, and answers again when one comes back', async () => {
    const reloads = nginx.reloads;
    await churnTo([]);
    expect(await eventually(async () => (await nginx.get('churn.com', '/')).status === 503)).toBe(true);
    expect(await backendsSeen(4)).toEqual(new Set(['503']));
    await churnTo(backends.slice(2, 3));
    expect(await eventually(async () => (await nginx.get('churn.com', '/')).echo?.backend === 'three')).toBe(true);
    expect(nginx.reloads).toBe(reloads);
  });

  test('an endpoint change reaches nginx before any render: the publisher resolves the changed endpoints alone', async () => {
    const fast = createReconciler({
      debounceMs: 60_000,
      maxDelayMs: 60_000,
      render,
      publishEndpoints: async (c) => void (await publisher.publish(c.build?.model)),
      refreshEndpoints: async () => void (await publisher.refresh(cluster())),
      apply: (c) => nginx.applier.apply(c.text, c.secretFiles),
    });
    try {
      const before = renders;
      churned = slicesOf(backends.slice(1, 2));
      fast.trigger('endpoints');
      expect(await eventually(async () => (await nginx.get('churn.com', '/')).echo?.backend === 'two')).toBe(true);
      expect(await backendsSeen(4)).toEqual(new Set(['two']));
      expect(renders).toBe(before);
    } finally {
      await fast.stop();
    }
  });

  test('traffic on an unchanged route never fails while endpoints churn', async () => {
    const reloads = nginx.reloads;
    let stop = false;
    const statuses: number[] = [];
    const traffic = (async () => {
      while (!stop) statuses.push((await nginx.get('steady.com', '/')).status);
    })();
    for (let i = 0; i < 20; i++) await churnTo(i % 2 === 0 ? backends.slice(0, 1 + (i % 3)) : backends.slice(i % 3));
    stop = true;
    await traffic;
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(nginx.reloads).toBe(reloads);
  });
});

describe('hostile endpoint data', () => {
  const LINE = /^[0-9a-f]{40}(?: (?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\]):\d{1,5})*$/;

  test('names and other strings in slices never reach the endpoint file or nginx.conf', async () => {
    const hostile: EndpointSlice = {
      ...endpointSlice('shop', 'churn', [], backends[0]!.port, { name: 'churn-hostile' }),
      endpoints: ['evil.example.com', '1.2.3.4;lua', '127.0.0.1 } server', '::1%eth0', '${jndi}', '127.0.0.50\nx'].map((a) => ({ addresses: [a], conditions: { ready: true } })),
    };
    churned = [...slicesOf(backends.slice(0, 1)), hostile];
    reconciler.trigger('endpoints');
    await reconciler.flush();
    const file = await readFile(channel.file, 'utf8');
    const [header, ...lines] = file.trimEnd().split('\n');
    expect(header).toMatch(/^gatehouse-endpoints v1 [0-9a-f]{32}$/);
    for (const line of lines) expect(line).toMatch(LINE);
    expect(lines).toContain(`${upstreamKey('shop_churn_http')} ${backends[0]!.ip}:${backends[0]!.port}`);
    for (const bad of ['evil', 'lua', 'server', 'eth0', 'jndi', 'shop', 'churn']) {
      expect(file).not.toContain(bad);
      expect(await readFile(join(nginx.dir, 'nginx.conf'), 'utf8')).not.toContain(`${bad}.example.com`);
    }
    expect(await eventually(async () => (await backendsSeen(4)).size === 1)).toBe(true);
  });

  test('a huge endpoint list is capped per upstream', async () => {
    const many = Array.from({ length: MAX_ENDPOINTS + 500 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const text = publisherText(many);
    const line = text.split('\n').find((l) => l.startsWith(upstreamKey('shop_churn_http')))!;
    expect(line.split(' ').length - 1).toBe(MAX_ENDPOINTS);
  });

  test('the Lua side skips anything but IP literals and ports in a file it is handed', async () => {
    const key = upstreamKey('shop_churn_http');
    const body = [`${key} example.com:80 127.0.0.1:0 127.0.0.1:99999 ${backends[1]!.ip}:${backends[1]!.port} os.exit(1)`, 'not a key 1.2.3.4:80', ''].join('\n');
    await writeFile(`${channel.file}.hand`, `gatehouse-endpoints v1 ${'f'.repeat(32)}\n${body}`);
    await rename(`${channel.file}.hand`, channel.file);
    expect(await eventually(async () => (await nginx.get('churn.com', '/')).echo?.backend === 'two')).toBe(true);
    expect(await backendsSeen(8)).toEqual(new Set(['two']));
    // The controller's next publish replaces the hand-written file.
    churned = slicesOf(backends.slice(0, 2));
    reconciler.trigger('endpoints');
    await reconciler.flush();
    expect(await eventually(async () => (await backendsSeen(4)).has('one'))).toBe(true);
  });
});

/** The endpoint file the publisher would write for the churn Service with these addresses. */
function publisherText(addresses: string[]): string {
  const saved = churned;
  churned = [endpointSlice('shop', 'churn', addresses, 8080, { name: 'huge' })];
  try {
    return endpointTable(dynamicUpstreams(buildModel(cluster(), { ownership: DEFAULT_OWNERSHIP }).model)).text;
  } finally {
    churned = saved;
  }
}
