// enable-access-log on the real nginx, with the controller's access log on.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { eventually, NginxHarness, startBackend, type Backend } from './harness.js';

const P = 'nginx.ingress.kubernetes.io/';
let nginx: NginxHarness;
let backend: Backend;
let log = '';

beforeAll(async () => {
  backend = await startBackend('a', '127.0.0.62');
  const cluster = shopCluster(
    service('shop', 'a'),
    endpointSlice('shop', 'a', [backend.ip], backend.port),
    ingress({ name: 'quiet', host: 'quiet.com', annotations: { [`${P}enable-access-log`]: 'false' }, paths: [{ path: '/', service: 'a' }] }),
    ingress({ name: 'loud', host: 'loud.com', annotations: { [`${P}enable-access-log`]: 'true' }, paths: [{ path: '/', service: 'a' }] }),
    ingress({ name: 'plain', host: 'plain.com', paths: [{ path: '/', service: 'a' }] }),
  );
  nginx = await NginxHarness.create();
  log = join(nginx.dir, 'access.log');
  nginx.extraRenderOptions = { accessLog: log };
  expect((await nginx.apply(cluster)).status).toBe('applied');
});

afterAll(async () => {
  await nginx?.close();
  await backend?.close();
});

describe('enable-access-log', () => {
  test('"false" leaves no line in the access log while other locations log', async () => {
    for (const host of ['quiet.com', 'loud.com', 'plain.com']) expect((await nginx.get(host, `/${host.split('.')[0]}-request`)).status).toBe(200);
    const text = async (): Promise<string> => readFile(log, 'utf8').catch(() => '');
    expect(await eventually(async () => (await text()).includes('/loud-request') && (await text()).includes('/plain-request'))).toBe(true);
    expect(await text()).not.toContain('/quiet-request');
  });
});
