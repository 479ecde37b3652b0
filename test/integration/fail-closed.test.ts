// Nothing fails open (issue 8): an Ingress asking for something the bundled controller does not
// implement (external auth, a memcached rate limit, a future limit-* key) is denied by the webhook, and when it reaches
// the controller anyway (a snapshot file, an Ingress admitted before the webhook ran) it is not
// served at all — never served without the protection. Real CLI, real nginx, a loopback backend.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { handleValidate } from '../../src/admission/handler.js';
import { loadFileSnapshot } from '../../src/k8s/file-snapshot.js';
import type { Ingress } from '../../src/k8s/types.js';
import { RULES } from '../../src/rules/index.js';
import { DEFAULT_RULE_OPTIONS } from '../../src/rules/types.js';
import { request, startBackend, type Backend } from '../controller/harness.js';
import { ingress, ingressClass, namespace, service } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { freeControllerPorts, startController, waitReady, writeSnapshot, type ControllerPorts } from '../support/controller-process.js';
import type { CliRun } from '../support/run-cli.js';

const P = 'nginx.ingress.kubernetes.io/';

/** Hosts whose Ingress asks for a protection the controller does not implement. */
const GUARDED = [
  // auth-url, basic auth, limit-rps and denylist-source-range are rendered now (test/controller/).
  ['auth-cache.example.com', { [`${P}auth-cache-key`]: '$remote_user$http_authorization', [`${P}auth-cache-duration`]: '200 202 401 5m' }],
  ['global-rate-limit.example.com', { [`${P}global-rate-limit`]: '5', [`${P}global-rate-limit-window`]: '1m' }],
  ['limit-family.example.com', { [`${P}limit-requests-per-hour`]: '5' }],
] as const;

const guardedIngress = ([host, annotations]: (typeof GUARDED)[number]): Ingress =>
  ingress({ name: host.split('.')[0]!, host, annotations, paths: [{ path: '/', pathType: 'Prefix', port: 80 }] });

describe('an Ingress with an unimplemented security annotation', () => {
  let dir: string;
  let snapshotFile: string;
  let backend: Backend;
  let run: CliRun;
  let p: ControllerPorts;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gh-fail-closed-'));
    backend = await startBackend('web-1', '127.0.0.24');
    const objects = [
      namespace('shop'),
      ingressClass('nginx'),
      service('shop', 'web', [{ name: 'http', port: 80, targetPort: 8080 }]),
      endpointSlice('shop', 'web', ['127.0.0.24'], backend.port, { portName: 'http' }),
      ingress({ name: 'open', host: 'open.example.com', paths: [{ path: '/', pathType: 'Prefix', port: 80 }] }),
      ...GUARDED.map(guardedIngress),
    ];
    snapshotFile = join(dir, 'cluster.yaml');
    await writeSnapshot(snapshotFile, objects);
    p = await freeControllerPorts();
    run = startController(p, { configDir: join(dir, 'conf'), args: ['--snapshot', snapshotFile] });
    await waitReady(run, p);
  });

  afterAll(async () => {
    expect(await run?.stop()).toBe(0);
    await backend?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the controller serves the Ingress without such annotations (nginx is up)', async () => {
    expect((await request(p.http, 'open.example.com', '/secret')).echo?.backend).toBe('web-1');
  });

  test.for(GUARDED.map(([host]) => host))('the controller does not serve %s: no answer from the backend', async (host) => {
    const res = await request(p.http, host, '/secret');
    expect(res.echo).toBeUndefined();
    expect(res.status).toBe(404);
  });

  test.for(GUARDED)('the webhook denies %s, naming the annotation and saying it is not implemented', async ([host]) => {
    const { store } = await loadFileSnapshot([snapshotFile]);
    const subject = store.ingresses().find((i) => i.spec?.rules?.[0]?.host === host)!;
    const decision = handleValidate(
      { uid: host, kind: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' }, namespace: 'shop', operation: 'CREATE', object: subject },
      { cluster: store, synced: () => true, rules: RULES, options: DEFAULT_RULE_OPTIONS, logger: pino({ level: 'silent' }) },
    );
    expect(decision.allowed).toBe(false);
    for (const key of Object.keys(subject.metadata.annotations ?? {})) {
      expect(decision.message).toContain(`[annotations] metadata.annotations[${key}]: ${key} (`);
    }
    expect(decision.message).toContain('is not implemented by the bundled controller yet');
  });
});
