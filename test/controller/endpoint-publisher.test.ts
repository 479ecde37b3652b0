// EndpointPublisher.refresh: the endpoint file from a newer snapshot without a render
// (nginx/upstreams.ts reresolveUpstream). The real-nginx side is in endpoint-churn.test.ts.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { EndpointPublisher } from '../../src/controller/endpoint-publisher.js';
import { DEFAULT_OWNERSHIP } from '../../src/k8s/ownership.js';
import { buildModel } from '../../src/nginx/build-model.js';
import { upstreamKey } from '../../src/nginx/dynamic-upstreams.js';
import { reresolveUpstream } from '../../src/nginx/upstreams.js';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gh-publisher-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const web = ingress({ name: 'web', host: 'web.test', paths: [{ path: '/', service: 'web' }] });
const cluster = (addresses: string[], svc = service('shop', 'web')) => shopCluster(svc, endpointSlice('shop', 'web', addresses, 8080), web);
const model = (c: ReturnType<typeof cluster>) => buildModel(c, { ownership: DEFAULT_OWNERSHIP }).model;

describe('refresh', () => {
  test('writes the endpoints the newer snapshot holds for the upstreams last published', async () => {
    const publisher = new EndpointPublisher(join(dir, 'endpoints'));
    await publisher.publish(model(cluster(['10.0.0.1'])));
    expect(await publisher.refresh(cluster(['10.0.0.2', '10.0.0.3']))).toEqual({ written: true, dropped: 0 });
    expect(await readFile(join(dir, 'endpoints'), 'utf8')).toContain(`${upstreamKey('shop_web_http')} 10.0.0.2:8080 10.0.0.3:8080\n`);
    expect(await publisher.refresh(cluster(['10.0.0.2', '10.0.0.3']))).toEqual({ written: false, dropped: 0 });
  });

  test('before any publish it writes nothing (an empty table would wipe the file)', async () => {
    const publisher = new EndpointPublisher(join(dir, 'endpoints'));
    expect(await publisher.refresh(cluster(['10.0.0.2']))).toEqual({ written: false, dropped: 0 });
    await expect(readFile(join(dir, 'endpoints'), 'utf8')).rejects.toThrow();
  });
});

describe('reresolveUpstream', () => {
  test('an upstream whose Service port now resolves to another upstream waits for the render', () => {
    const [u] = model(cluster(['10.0.0.1'])).upstreams;
    expect(reresolveUpstream(cluster(['10.0.0.9'], service('shop', 'web', [{ name: 'web', port: 80 }])), u!)).toBeUndefined();
    expect(reresolveUpstream(cluster(['10.0.0.9']), u!)?.endpoints).toEqual([{ host: '10.0.0.9', port: 8080 }]);
  });

  test('an upstream not made from a backend is not resolved', () => {
    expect(reresolveUpstream(cluster([]), { name: 'shop_web_http', endpoints: [] })).toBeUndefined();
  });
});
