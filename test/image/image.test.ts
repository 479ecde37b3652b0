// The built container image (scripts/build-image.sh; GATEHOUSE_TEST_IMAGE names it), run with
// podman: the CLI, the webhook answering an AdmissionReview, and the controller serving a route
// through its nginx as the Deployment runs it (uid 10001, read-only root, no capabilities, an
// emptyDir for --config-dir). Host network, loopback addresses only; each container is removed
// by the ID podman gave it.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { freePort, request, startBackend, type Backend } from '../controller/harness.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { ingress, ingressClass, namespace, service } from '../fixtures/builders.js';
import { Container, imageUnderTest, podman } from './podman.js';

const ROOT = join(import.meta.dirname, '../..');
const image = imageUnderTest();

/** POST to the self-signed webhook (certificate checks are the webhook suites' business). */
function postInsecure(url: string, body: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe.skipIf(!image)('the container image', () => {
  const img = image!;

  beforeAll(async () => {
    const exists = await podman(['image', 'exists', img]);
    expect(exists.code, `GATEHOUSE_TEST_IMAGE=${img} is not a local podman image`).toBe(0);
  });

  describe('gatehouse --help', () => {
    test('prints the commands and exits 0, as uid 10001', async () => {
      const c = await Container.run(img, [], ['--help']);
      try {
        expect(await c.exited()).toBe(0);
        expect(await c.logs()).toContain('Usage: gatehouse <command>');
        const config = JSON.parse((await podman(['image', 'inspect', '--format', '{{json .Config}}', img])).stdout) as { User: string; Entrypoint: string[] };
        expect(config).toMatchObject({ User: '10001:10001', Entrypoint: ['gatehouse'] });
      } finally {
        await c.remove();
      }
    });

    test("binds glibc's malloc_trim, so freed native memory is handed back (native-heap.ts)", async () => {
      const probe = `import('/app/dist/src/native-heap.js').then((m) => { const trim = m.loadNativeHeapTrim(); if (typeof trim !== 'function') { console.log(trim.unavailable); return; } trim((err) => console.log(err ? err.message : 'trimmed')); })`;
      const c = await Container.run(img, ['--entrypoint', 'node', '--workdir', '/app'], ['-e', probe]);
      try {
        expect(await c.exited()).toBe(0);
        expect((await c.logs()).trim()).toBe('trimmed');
      } finally {
        await c.remove();
      }
    });

    test('holds production dependencies only', async () => {
      const probe = `for (const m of ['fastify', 'koffi', 'typescript', 'vitest']) { try { require.resolve(m); console.log(m, 'present'); } catch { console.log(m, 'absent'); } }`;
      const c = await Container.run(img, ['--entrypoint', 'node', '--workdir', '/app'], ['-e', probe]);
      try {
        expect(await c.exited()).toBe(0);
        expect((await c.logs()).trim().split('\n')).toEqual(['fastify present', 'koffi present', 'typescript absent', 'vitest absent']);
      } finally {
        await c.remove();
      }
    });
  });

  describe('gatehouse webhook --self-signed --snapshot examples/snapshot', () => {
    let c: Container;
    let base: string;
    beforeAll(async () => {
      const [port, health] = [await freePort(), await freePort()];
      c = await Container.run(img, ['--volume', `${join(ROOT, 'examples')}:/examples:ro`], [
        'webhook', '--self-signed', '--snapshot', '/examples/snapshot',
        '--listen', `127.0.0.1:${port}`, '--health-listen', `127.0.0.1:${health}`,
      ]);
      base = `https://127.0.0.1:${port}`;
      await c.waitFor200(`http://127.0.0.1:${health}/readyz`);
    }, 60_000);
    afterAll(async () => c?.remove());

    test('denies examples/reviews/denied.json over HTTPS, naming the rules', async () => {
      const res = await postInsecure(`${base}/validate`, await readFile(join(ROOT, 'examples/reviews/denied.json'), 'utf8'));
      expect(res.status).toBe(200);
      expect(res.json.response).toMatchObject({ uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: false });
      expect(res.json.response.status.message).toContain('[backend-port] spec.rules[0].http.paths[0].backend.service.port.number: ');
    });

    test('allows examples/reviews/allowed.json', async () => {
      const res = await postInsecure(`${base}/validate`, await readFile(join(ROOT, 'examples/reviews/allowed.json'), 'utf8'));
      expect(res.json.response).toMatchObject({ uid: '0f6e2a7c-8f44-4d2b-9b1e-3c2f3f0b7a11', allowed: true });
    });

    test('exits 0 on SIGTERM', async () => {
      expect(await c.stop()).toBe(0);
    });
  });

  describe('gatehouse controller: uid 10001, read-only root, no capabilities, emptyDir config dir', () => {
    const USE_REGEX = { 'nginx.ingress.kubernetes.io/use-regex': 'true' };
    let dir: string;
    let backend: Backend;
    let c: Container;
    let httpPort: number;
    let httpsPort: number;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'gh-image-'));
      await chmod(dir, 0o755); // read by uid 10001 through the bind mount
      backend = await startBackend('web-1', '127.0.0.91');
      const objects = [
        namespace('shop'),
        ingressClass('nginx'),
        service('shop', 'web', [{ name: 'http', port: 80, targetPort: 8080 }]),
        endpointSlice('shop', 'web', ['127.0.0.91'], backend.port, { portName: 'http' }),
        ingress({ name: 'web', host: 'shop.example.com', paths: [{ path: '/', pathType: 'Prefix', port: 80 }] }),
        // spec.tls without a Secret: served with the fallback certificate the controller writes
        // into --config-dir.
        ingress({ name: 'secure', host: 'secure.example.com', tls: [{ hosts: ['secure.example.com'] }], paths: [{ path: '/', pathType: 'Prefix', port: 80 }] }),
        // Regex paths exercise what a bare Node image would lack: koffi's binary and Debian's
        // libpcre2-8 (nginx's own compiler) and recheck's analyser, which leaves the hostile one out.
        ingress({ name: 'items', host: 'items.example.com', annotations: USE_REGEX, paths: [{ path: '/(?<item>[a-z]+)', pathType: 'ImplementationSpecific', port: 80 }] }),
        ingress({ name: 'redos', host: 'redos.example.com', annotations: USE_REGEX, paths: [{ path: '/x(a|aa)+$', pathType: 'ImplementationSpecific', port: 80 }] }),
      ];
      await writeFile(join(dir, 'cluster.yaml'), objects.map((o) => stringify(o)).join('---\n'), { mode: 0o644 });
      const [health, status] = [await freePort(), await freePort()];
      [httpPort, httpsPort] = [await freePort(), await freePort()];
      // As manifests/controller/controller-deployment.yaml runs it: an emptyDir (mode 0777) at
      // /var/lib/gatehouse and one at /tmp under a read-only root.
      c = await Container.run(
        img,
        [
          '--user', '10001:10001', '--read-only', '--read-only-tmpfs=false', '--cap-drop', 'all', '--security-opt', 'no-new-privileges',
          '--tmpfs', '/var/lib/gatehouse:rw,mode=0777', '--tmpfs', '/tmp:rw,mode=0777',
          '--volume', `${dir}:/snapshot:ro`,
        ],
        [
          'controller', '--snapshot', '/snapshot/cluster.yaml',
          '--nginx-binary', '/usr/sbin/nginx', '--config-dir', '/var/lib/gatehouse/nginx',
          '--http-listen', `127.0.0.1:${httpPort}`, '--https-listen', `127.0.0.1:${httpsPort}`,
          '--health-listen', `127.0.0.1:${health}`, '--status-listen', `127.0.0.1:${status}`,
        ],
      );
      await c.waitFor200(`http://127.0.0.1:${health}/readyz`);
    }, 60_000);
    afterAll(async () => {
      await c?.remove();
      await backend?.close();
      await rm(dir, { recursive: true, force: true });
    });

    test('serves the route from the snapshot through its nginx, over HTTP and HTTPS', async () => {
      expect((await request(httpPort, 'shop.example.com', '/cart')).echo).toMatchObject({ backend: 'web-1', url: '/cart' });
      const secure = await request(httpsPort, 'secure.example.com', '/cart', { https: true, sni: 'secure.example.com' });
      expect(secure).toMatchObject({ certCN: 'gatehouse-fallback.invalid', echo: { backend: 'web-1' } });
    });

    test('serves a regex path and leaves a catastrophically backtracking one out', async () => {
      expect((await request(httpPort, 'items.example.com', '/abc')).echo?.backend).toBe('web-1');
      const hostile = await request(httpPort, 'redos.example.com', '/xaaaa');
      expect(hostile.echo).toBeUndefined();
      expect(hostile.status).toBe(404);
    });

    test('exits 0 on SIGTERM, nginx stopped with it', async () => {
      expect(await c.stop()).toBe(0);
      await expect(request(httpPort, 'shop.example.com', '/')).rejects.toThrow(/ECONNREFUSED/);
    });
  });
});
