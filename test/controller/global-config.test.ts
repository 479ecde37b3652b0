// The ConfigMap's global settings on a real nginx: they are the defaults every location gets, and
// an Ingress's annotation overrides them for its own locations.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GlobalConfig } from '../../src/configmap/global-config.js';
import { parseConfigMap } from '../../src/configmap/parse-configmap.js';
import { DEFAULT_OWNERSHIP } from '../../src/k8s/ownership.js';
import type { ClusterSnapshot } from '../../src/k8s/snapshot.js';
import { buildModel } from '../../src/nginx/build-model.js';
import { renderNginxConf } from '../../src/nginx/render.js';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { NginxHarness, startBackend, type Backend } from './harness.js';

const P = 'nginx.ingress.kubernetes.io/';
/** Longer than the ConfigMap's read timeout, shorter than the annotation's. */
const SLOW_MS = 2_500;
let nginx: NginxHarness;
let backend: Backend;

function global(data: Record<string, string>): GlobalConfig {
  const parsed = parseConfigMap(data);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.config;
}

function cluster(): ClusterSnapshot {
  return shopCluster(
    service('shop', 'slow'),
    endpointSlice('shop', 'slow', [backend.ip], backend.port),
    ingress({ name: 'plain', host: 'plain.com', paths: [{ path: '/', service: 'slow' }] }),
    ingress({
      name: 'patient',
      host: 'patient.com',
      annotations: { [`${P}proxy-read-timeout`]: '30', [`${P}proxy-body-size`]: '1m' },
      paths: [{ path: '/', service: 'slow' }],
    }),
  );
}

async function applyWith(data: Record<string, string>): Promise<void> {
  const { model } = buildModel(cluster(), { ownership: DEFAULT_OWNERSHIP });
  const result = await nginx.applier.apply(renderNginxConf(model, { ...nginx.renderOptions(), global: global(data) }), model.secretFiles);
  expect(result.status).toBe('applied');
  if (!nginx.runner.running) await nginx.runner.start();
}

beforeAll(async () => {
  backend = await startBackend('slow', '127.0.0.61', (req, res) => {
    if (!req.url?.startsWith('/slow')) return false;
    const timer = setTimeout(() => res.end('late'), SLOW_MS);
    res.on('close', () => clearTimeout(timer));
    return true;
  });
  nginx = await NginxHarness.create();
  await applyWith({ 'proxy-read-timeout': '1', 'proxy-body-size': '1k', 'server-tokens': 'true' });
});

afterAll(async () => {
  await nginx?.close();
  await backend?.close();
});

describe('ConfigMap values reach nginx; annotations override them', () => {
  test('proxy-read-timeout from the ConfigMap cuts a slow backend (504)', async () => {
    expect((await nginx.get('plain.com', '/slow')).status).toBe(504);
  });

  test("the Ingress's proxy-read-timeout annotation overrides it", async () => {
    const res = await nginx.get('patient.com', '/slow');
    expect([res.status, res.text]).toEqual([200, 'late']);
  });

  test('proxy-body-size from the ConfigMap refuses a larger body (413); the annotation lets it through', async () => {
    const body = 'x'.repeat(4096);
    expect((await nginx.get('plain.com', '/', { method: 'POST', body })).status).toBe(413);
    expect((await nginx.get('patient.com', '/', { method: 'POST', body })).status).toBe(200);
  });

  test('server-tokens: the Server header names the version only when asked', async () => {
    expect((await nginx.get('plain.com', '/')).headers['server']).toMatch(/^nginx\/\d/);
    await applyWith({});
    expect((await nginx.get('plain.com', '/')).headers['server']).toBe('nginx');
    expect((await nginx.get('plain.com', '/slow')).status).toBe(200);
  });

  test('hsts: HTTPS responses carry Strict-Transport-Security, plain HTTP ones do not', async () => {
    await applyWith({ hsts: 'true', 'hsts-max-age': '600', 'hsts-preload': 'true' });
    expect((await nginx.get('plain.com', '/', { https: true, sni: 'plain.com' })).headers['strict-transport-security']).toBe('max-age=600; includeSubDomains; preload');
    expect((await nginx.get('plain.com', '/')).headers['strict-transport-security']).toBeUndefined();
  });
});
