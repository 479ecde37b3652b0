// Issue 8: a bad object quarantines itself, never the cluster — with nginx serving real traffic to
// loopback backends. The bad objects are Ingresses whose host nginx -t refuses (refusing-nginx.ts:
// the real nginx, whose config test refuses a marked host as it would an input nobody foresaw).
// Before the quarantine, one such object froze every later change from every team.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Quarantine } from '../../src/controller/quarantine.js';
import type { RenderedConfig } from '../../src/controller/reconcile.js';
import type { SnapshotStore } from '../../src/k8s/snapshot.js';
import { selfSignedKeyPair } from '../../src/tls/self-signed.js';
import { ingress, service, shopCluster, tlsSecret } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { NginxHarness, startBackend, type Backend } from './harness.js';
import { REFUSED_ERROR, REFUSED_MARK, refusingNginx } from './refusing-nginx.js';

let bin: string;
let nginx: NginxHarness;
let good: Backend;
let other: Backend;
let cluster: SnapshotStore;
let quarantine: Quarantine;

function render(excluded: ReadonlySet<string>): RenderedConfig {
  const { text, build } = nginx.render(cluster, { excluded });
  return { text, secretFiles: build.model.secretFiles, build };
}

async function who(host: string, path = '/', https = false): Promise<string | number> {
  const res = await nginx.get(host, path, https ? { https, sni: host } : {});
  return res.echo?.backend ?? res.status;
}

const BAD_ONE = `one.${REFUSED_MARK}.example.com`;
const BAD_TLS = `tls.${REFUSED_MARK}.example.com`;

beforeAll(async () => {
  good = await startBackend('good', '127.0.0.60');
  other = await startBackend('other', '127.0.0.61');
  bin = await mkdtemp(join(tmpdir(), 'gatehouse-refusing-'));
  nginx = await NginxHarness.create(await refusingNginx(bin));
  const secure = selfSignedKeyPair(['secure.example.com']);
  cluster = shopCluster(
    service('shop', 'good'),
    service('shop', 'other'),
    endpointSlice('shop', 'good', [good.ip], good.port),
    endpointSlice('shop', 'other', [other.ip], other.port),
    tlsSecret('shop', 'secure-tls', secure.cert, secure.key),
    ingress({ name: 'site', host: 'site.example.com', paths: [{ service: 'good' }] }),
    ingress({ name: 'secure', host: 'secure.example.com', tls: [{ hosts: ['secure.example.com'], secretName: 'secure-tls' }], paths: [{ service: 'good' }] }),
    ingress({ name: 'bad', host: BAD_ONE, paths: [{ service: 'other' }] }),
    ingress({ name: 'bad-tls', host: BAD_TLS, tls: [{ hosts: [BAD_TLS], secretName: 'secure-tls' }], paths: [{ service: 'other' }] }),
    ingress({ name: 'api', host: 'api.example.com', paths: [{ path: '/v1', service: 'other' }] }),
  );
  quarantine = new Quarantine({ applier: nginx.applier, render });
});

afterAll(async () => {
  await nginx?.close();
  await good?.close();
  await other?.close();
  if (bin) await rm(bin, { recursive: true, force: true });
});

describe('quarantine with the real nginx', () => {
  test('each bad Ingress alone makes nginx -t refuse the whole configuration (the precondition)', async () => {
    for (const bad of ['shop/bad', 'shop/bad-tls']) {
      const others = new Set(['shop/bad', 'shop/bad-tls'].filter((k) => k !== bad));
      const { text, secretFiles } = render(others);
      const result = await nginx.applier.test(text, secretFiles);
      expect(result.ok, bad).toBe(false);
      expect(result.output).toContain(REFUSED_ERROR);
    }
  });

  test('starting with both in the cluster, they are left out and everything else is served', async () => {
    const result = await quarantine.apply(render(new Set()));
    expect(result.status).toBe('applied');
    expect(Object.fromEntries(result.rejected)).toEqual({
      'shop/bad': expect.stringMatching(/^\[emerg\] server name with "refused-by-nginx" refused by the test's nginx$/),
      'shop/bad-tls': expect.stringMatching(/^\[emerg\] server name with "refused-by-nginx" refused/),
    });
    await nginx.runner.start();
    expect(await who('site.example.com')).toBe('good');
    expect(await who('api.example.com', '/v1')).toBe('other');
    expect(await who('secure.example.com', '/', true)).toBe('good');
  });

  test('the excluded Ingresses are not served: their hosts fall to the default server', async () => {
    expect(await who(BAD_ONE)).toBe(404);
    expect(await who(BAD_TLS)).toBe(404);
  });

  test('later changes from other teams are applied while the bad ones stay out', async () => {
    cluster.upsert('Ingress', ingress({ name: 'api', host: 'api.example.com', paths: [{ path: '/v1', service: 'good' }] }));
    cluster.upsert('Ingress', ingress({ name: 'new', host: 'new.example.com', paths: [{ service: 'other' }] }));
    const result = await quarantine.apply(render(new Set()));
    expect(result.status).toBe('applied');
    expect([...result.rejected.keys()].sort()).toEqual(['shop/bad', 'shop/bad-tls']);
    expect(await who('api.example.com', '/v1')).toBe('good');
    expect(await who('new.example.com')).toBe('other');
  });

  test('a fixed Ingress is served again; the other one stays out', async () => {
    cluster.upsert('Ingress', ingress({ name: 'bad', host: 'short.example.com', paths: [{ service: 'other' }] }));
    const result = await quarantine.apply(render(new Set()));
    expect(result.status).toBe('applied');
    expect([...result.rejected.keys()]).toEqual(['shop/bad-tls']);
    expect(await who('short.example.com')).toBe('other');
    expect(await who('site.example.com')).toBe('good');
  });

  test('the served nginx.conf names no excluded host', async () => {
    expect(nginx.applier.current).not.toContain(BAD_TLS);
    expect(nginx.applier.current).toContain('server_name short.example.com;');
  });
});
