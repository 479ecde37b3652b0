import { mkdtemp, rename, symlink, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { CertReloader } from '../../src/admission/cert-reloader.js';
import { buildWebhookServer, setServingPair } from '../../src/admission/server.js';
import { createLogger } from '../../src/log.js';
import { createWebhookMetrics } from '../../src/metrics.js';
import { DEFAULT_RULE_OPTIONS } from '../../src/rules/types.js';
import { ingress, shopCluster } from '../fixtures/builders.js';
import { createTestCa } from '../fixtures/pki.js';
import { post1 } from '../support/https-client.js';

const SERVICE_NAME = 'gatehouse-webhook.gatehouse.svc';

function review(uid: string) {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid, kind: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' }, operation: 'CREATE', namespace: 'shop', object: ingress() },
  });
}

/**
 * Lays the files out as the kubelet does for a mounted Secret: `cert` and `key` are symlinks to
 * `..data/…`, and `..data` is itself a symlink swapped atomically to a new timestamped dir.
 */
async function kubeletVolume(dir: string) {
  let generation = 0;
  async function publish(cert: string, key: string) {
    const ts = join(dir, `..2026_${generation++}`);
    await mkdir(ts);
    await writeFile(join(ts, 'cert'), cert);
    await writeFile(join(ts, 'key'), key);
    await symlink(ts, join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  }
  return { publish, cert: join(dir, 'cert'), key: join(dir, 'key'), link: async () => {
    await symlink('..data/cert', join(dir, 'cert'));
    await symlink('..data/key', join(dir, 'key'));
  } };
}

describe('serving certificate hot reload', () => {
  const ca = createTestCa();
  const first = ca.issue({ cn: SERVICE_NAME, sans: [SERVICE_NAME] });
  const second = ca.issue({ cn: SERVICE_NAME, sans: [SERVICE_NAME] });
  const cluster = shopCluster();
  const metrics = createWebhookMetrics(() => cluster);
  const logger = createLogger('silent');
  let app: FastifyInstance;
  let reloader: CertReloader;
  let volume: Awaited<ReturnType<typeof kubeletVolume>>;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gh-certs-'));
    volume = await kubeletVolume(dir);
    await volume.publish(first.cert, first.key);
    await volume.link();
    reloader = new CertReloader(volume.cert, volume.key, (pair) => setServingPair(app, pair), logger);
    const pair = await reloader.load();
    app = buildWebhookServer({
      tls: pair,
      deps: { cluster, synced: () => true, rules: [], options: DEFAULT_RULE_OPTIONS, logger },
      metrics,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `https://127.0.0.1:${(app.server.address() as { port: number }).port}/validate`;
  });
  afterAll(async () => {
    reloader.stop();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  const client = { ca: ca.cert, servername: SERVICE_NAME };

  test('new connections see the rotated certificate, with no failed request in between', async () => {
    const serialOf = async () => (await post1(url, review('705ab4f5-6393-11e8-b7cc-42010a800002'), client)).peer?.serialNumber;
    const before = await serialOf();
    let failures = 0;
    let stop = false;
    const traffic = (async () => {
      let n = 0;
      while (!stop) {
        const res = await post1(url, review(`705ab4f5-6393-11e8-b7cc-${String(n++).padStart(12, '0')}`), client).catch(() => undefined);
        if (!res || res.status !== 200 || res.json?.response?.allowed !== true) failures++;
      }
    })();
    await volume.publish(second.cert, second.key);
    reloader.start(50);
    await vi.waitFor(async () => expect(await serialOf()).not.toBe(before), { timeout: 5000, interval: 50 });
    stop = true;
    await traffic;
    expect(failures).toBe(0);
  });

  test('a broken pair is refused and the current one keeps serving', async () => {
    const current = (await post1(url, review('705ab4f5-6393-11e8-b7cc-42010a800002'), client)).peer?.serialNumber;
    const other = ca.issue({ cn: SERVICE_NAME, sans: [SERVICE_NAME] });
    await volume.publish(other.cert, first.key); // certificate and key do not match
    expect(await reloader.check()).toBe(false);
    const after = await post1(url, review('705ab4f5-6393-11e8-b7cc-42010a800002'), client);
    expect(after.status).toBe(200);
    expect(after.peer?.serialNumber).toBe(current);
  });

  test('unchanged files cause no swap', async () => {
    expect(await reloader.check()).toBe(false);
  });
});
