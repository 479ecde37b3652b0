// `gatehouse controller` end to end on a snapshot with --watch-namespace, --watch-namespace-selector
// and --default-ssl-certificate: the real CLI command, the real nginx, loopback backends.
import { mkdtemp, rm } from 'node:fs/promises';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { KubeObject, Namespace } from '../../src/k8s/types.js';
import { request, startBackend, type Backend } from '../controller/harness.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { ingress, ingressClass, namespace, service, tlsSecret } from '../fixtures/builders.js';
import { createTestCa } from '../fixtures/pki.js';
import { freeControllerPorts, startController, waitReady, writeSnapshot, type ControllerPorts } from '../support/controller-process.js';
import type { CliRun } from '../support/run-cli.js';

const TEAMS = ['shop', 'blog', 'other'] as const;
const backends: Backend[] = [];
let dir: string;
const DEFAULT_CERT = createTestCa('Scope Test CA').issue({ cn: 'default.gatehouse.test' });

function labelled(name: string, labels: Record<string, string>): Namespace {
  const ns = namespace(name);
  return { ...ns, metadata: { ...ns.metadata, labels } };
}

/** A controller on the snapshot with `args`; stopped by the returned function. */
async function controller(name: string, args: string[]): Promise<{ p: ControllerPorts; stop: () => Promise<number> }> {
  const p = await freeControllerPorts();
  const run: CliRun = startController(p, { configDir: join(dir, name), args: ['--snapshot', join(dir, 'cluster.yaml'), ...args] });
  await waitReady(run, p);
  return { p, stop: () => run.stop() };
}

/** Which teams' hosts answer from their backend (the others: 404 from the default server). */
async function served(p: ControllerPorts): Promise<string[]> {
  const out: string[] = [];
  for (const team of TEAMS) {
    const res = await request(p.http, `${team}.test`, '/');
    if (res.status === 200 && res.echo?.backend === team) out.push(team);
    else expect(res.status, `${team}.test`).toBe(404);
  }
  return out;
}

/** The subject CN of the certificate nginx presents for `sni`. */
function presentedCn(port: number, sni: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: sni, rejectUnauthorized: false }, () => {
      const cn = socket.getPeerCertificate().subject?.CN;
      socket.end();
      resolve(Array.isArray(cn) ? cn[0] : cn);
    });
    socket.setTimeout(15_000, () => socket.destroy(new Error('timed out')));
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gh-scope-'));
  const objects: KubeObject[] = [ingressClass('nginx'), namespace('gatehouse'), tlsSecret('gatehouse', 'default-cert', DEFAULT_CERT.cert, DEFAULT_CERT.key)];
  for (const [i, team] of TEAMS.entries()) {
    const backend = await startBackend(team, `127.0.0.${31 + i}`);
    backends.push(backend);
    objects.push(
      team === 'other' ? namespace(team) : labelled(team, { team, tier: 'web' }),
      service(team, 'web', [{ name: 'http', port: 80 }]),
      endpointSlice(team, 'web', [backend.ip], backend.port, { portName: 'http' }),
      ingress({ namespace: team, name: 'web', host: `${team}.test`, paths: [{ path: '/', pathType: 'Prefix', port: 80 }] }),
    );
  }
  await writeSnapshot(join(dir, 'cluster.yaml'), objects);
});

afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('--watch-namespace', () => {
  let c: Awaited<ReturnType<typeof controller>>;
  beforeAll(async () => {
    c = await controller('listed', ['--watch-namespace', 'shop,blog', '--default-ssl-certificate', 'gatehouse/default-cert']);
  });
  afterAll(async () => expect(await c?.stop()).toBe(0));

  test('serves the listed namespaces\' Ingresses only', async () => {
    expect(await served(c.p)).toEqual(['shop', 'blog']);
  });

  test('the owned Ingress count leaves the others out', async () => {
    expect(await (await fetch(`http://127.0.0.1:${c.p.health}/metrics`)).text()).toContain('gatehouse_controller_owned_ingresses 2');
  });

  test('--default-ssl-certificate: an HTTPS request for an unknown SNI name gets that Secret\'s certificate', async () => {
    expect(await presentedCn(c.p.https, 'unknown.test')).toBe('default.gatehouse.test');
    // So does a host served without a TLS section, and the host of a namespace not watched.
    expect(await presentedCn(c.p.https, 'other.test')).toBe('default.gatehouse.test');
  });
});

describe('--watch-namespace-selector', () => {
  let c: Awaited<ReturnType<typeof controller>>;
  beforeAll(async () => {
    c = await controller('selected', ['--watch-namespace-selector', 'tier=web,team!=blog']);
  });
  afterAll(async () => expect(await c?.stop()).toBe(0));

  test('serves the Ingresses of namespaces whose labels match only', async () => {
    expect(await served(c.p)).toEqual(['shop']);
  });

  test('without --default-ssl-certificate an unknown SNI name gets the generated certificate', async () => {
    expect(await presentedCn(c.p.https, 'unknown.test')).not.toBe('default.gatehouse.test');
  });
});
