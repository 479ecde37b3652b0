// Every certificate Gatehouse makes, judged by Go's crypto/x509 (kubectl): certgen's CA and
// serving certificate, the webhook's --self-signed pair, the controller's fallback certificate,
// and the committed development certificates. (certgen's Secret is also judged by the real API
// server calling the webhook in webhook.test.ts.)
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { freePort } from '../../bench/lib.js';
import { ensureFallbackCertificate } from '../../src/controller/fallback-cert.js';
import { goVerifies } from '../support/go-tls-probe.js';
import { kubeAssets } from '../support/kube-cluster.js';
import { runCli } from '../support/run-cli.js';
import { runToEnd } from './gatehouse-install.js';

const assets = kubeAssets();
const ROOT = join(import.meta.dirname, '../..');
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\r?\n?/g;

/** An HTTPS server on 127.0.0.1 presenting `cert` (chain allowed) with `key`; answers 404. */
async function serve(cert: string, key: string): Promise<{ url: string; server: Server }> {
  const server = createServer({ cert, key }, (_req, res) => res.writeHead(404).end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `https://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

describe.skipIf(!assets)("Go's crypto/x509 accepts every certificate Gatehouse makes", () => {
  let scratch: string;
  const servers: Server[] = [];
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'gh-go-x509-'));
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    await rm(scratch, { recursive: true, force: true });
  });

  test('certgen create --out-dir: the serving certificate verifies against ca.crt for the Service name', async () => {
    const dir = join(scratch, 'certgen');
    const res = await runToEnd(['certgen', 'create', '--log-level', 'silent', '--out-dir', dir, '--host', 'gatehouse-webhook,gatehouse-webhook.gatehouse.svc,127.0.0.1']);
    expect(res.code).toBe(0);
    const read = (f: string) => readFile(join(dir, f), 'utf8');
    const { url, server } = await serve(await read('tls.crt'), await read('tls.key'));
    servers.push(server);
    const verdict = await goVerifies(assets!.kubectl, url, await read('ca.crt'), scratch, 'gatehouse-webhook.gatehouse.svc');
    expect(verdict.detail).not.toMatch(/x509/);
    expect(verdict.verified).toBe(true);
  });

  test('webhook --self-signed: the served chain verifies against its own CA for 127.0.0.1', async () => {
    const [port, healthPort] = [await freePort(), await freePort()];
    const run = runCli(['webhook', '--self-signed', '--log-level', 'silent', '--snapshot', join(ROOT, 'examples/snapshot'), '--listen', `127.0.0.1:${port}`, '--health-listen', `127.0.0.1:${healthPort}`]);
    try {
      await vi.waitFor(async () => expect((await fetch(`http://127.0.0.1:${healthPort}/healthz`)).status).toBe(200), { timeout: 15_000, interval: 50 });
      // The CA is the last certificate of the served chain.
      const chain = await new Promise<X509Certificate[]>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
          const certs: X509Certificate[] = [];
          let peer = socket.getPeerCertificate(true);
          while (peer?.raw && !certs.some((c) => c.raw.equals(peer.raw))) {
            certs.push(new X509Certificate(peer.raw));
            peer = peer.issuerCertificate;
          }
          socket.end();
          resolve(certs);
        });
        socket.on('error', reject);
      });
      const ca = chain.at(-1)!;
      expect(chain.length).toBe(2);
      const verdict = await goVerifies(assets!.kubectl, `https://127.0.0.1:${port}`, ca.toString(), scratch);
      expect(verdict.detail).not.toMatch(/x509/);
      expect(verdict.verified).toBe(true);
    } finally {
      await run.stop();
    }
  });

  test("the controller's fallback certificate verifies against the CA in its file", async () => {
    const path = await ensureFallbackCertificate(scratch);
    const pem = await readFile(path, 'utf8');
    const certs = pem.match(PEM_BLOCK)!;
    const key = pem.replace(PEM_BLOCK, '');
    const { url, server } = await serve(certs.join(''), key);
    servers.push(server);
    const verdict = await goVerifies(assets!.kubectl, url, certs.at(-1)!, scratch, 'gatehouse-fallback.invalid');
    expect(verdict.detail).not.toMatch(/x509/);
    expect(verdict.verified).toBe(true);
  });

  test('the committed development certificates in certs/ verify for 127.0.0.1', async () => {
    const read = (f: string) => readFile(join(ROOT, 'certs', f), 'utf8');
    const { url, server } = await serve(await read('tls.crt'), await read('tls.key'));
    servers.push(server);
    const verdict = await goVerifies(assets!.kubectl, url, await read('ca.crt'), scratch);
    expect(verdict.detail).not.toMatch(/x509/);
    expect(verdict.verified).toBe(true);
  });

  test('the probe is a real judge: a certificate from another CA is refused', async () => {
    const read = (f: string) => readFile(join(ROOT, 'certs', f), 'utf8');
    const { url, server } = await serve(await read('tls.crt'), await read('tls.key'));
    servers.push(server);
    const other = await ensureFallbackCertificate(join(scratch, '..', `${scratch.split('/').pop()}`));
    const otherCa = (await readFile(other, 'utf8')).match(PEM_BLOCK)!.at(-1)!;
    const verdict = await goVerifies(assets!.kubectl, url, otherCa, scratch);
    expect(verdict.verified).toBe(false);
    expect(verdict.detail).toMatch(/x509/);
  });
});
