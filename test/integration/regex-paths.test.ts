// A regex path cannot break or slow down other Ingresses (issue 8): a named capture that nginx
// would turn into one of its own variables (`(?<host>…)`) is refused — it made `nginx -t` fail and
// froze the whole config, or silently emptied `$connection_upgrade` for every host — and so is a
// regex with catastrophic backtracking. The webhook denies both; when one reaches the controller
// anyway (a snapshot file, an Ingress admitted before the webhook ran) it is left out and the rest
// is served. Real CLI, real nginx, a loopback backend.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { handleValidate, type AdmissionDeps } from '../../src/admission/handler.js';
import { loadFileSnapshot } from '../../src/k8s/file-snapshot.js';
import type { SnapshotStore } from '../../src/k8s/snapshot.js';
import type { Ingress } from '../../src/k8s/types.js';
import { RULES } from '../../src/rules/index.js';
import { DEFAULT_RULE_OPTIONS } from '../../src/rules/types.js';
import { request, startBackend, type Backend } from '../controller/harness.js';
import { ingress, ingressClass, namespace, service } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { freeControllerPorts, startController, waitReady, writeSnapshot, type ControllerPorts } from '../support/controller-process.js';
import type { CliRun } from '../support/run-cli.js';

const USE_REGEX = { 'nginx.ingress.kubernetes.io/use-regex': 'true' };

/** Capture names that are nginx variables: the first seven fail `nginx -t` ("the duplicate "host" variable"). */
const CLASHING = ['host', 'uri', 'request_uri', 'remote_addr', 'scheme', 'server_port', 'request_id', 'connection_upgrade', 'http_upgrade'];
const HOSTILE_REGEX = '/x(a|aa)+$';
/** 2^30 ways to match `/aaa…`: one 31-character request took nginx 4.3 s (recheck, which counts in input length, calls it safe). */
const COMBINATORIAL_REGEX = `/${'(a|a)'.repeat(30)}b`;

const hostOf = (name: string): string => `${name.replaceAll('_', '-')}.example.com`;
const regexIngress = (name: string, host: string, path: string): Ingress =>
  ingress({ name, host, annotations: USE_REGEX, paths: [{ path, pathType: 'ImplementationSpecific', port: 80 }] });

describe('hostile regex paths in a snapshot', () => {
  let dir: string;
  let snapshotFile: string;
  let backend: Backend;
  let run: CliRun;
  let p: ControllerPorts;
  let store: SnapshotStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gh-regex-paths-'));
    backend = await startBackend('web-1', '127.0.0.26');
    const objects = [
      namespace('shop'),
      ingressClass('nginx'),
      service('shop', 'web', [{ name: 'http', port: 80, targetPort: 8080 }]),
      endpointSlice('shop', 'web', ['127.0.0.26'], backend.port, { portName: 'http' }),
      ingress({ name: 'open', host: 'open.example.com', paths: [{ path: '/', pathType: 'Prefix', port: 80 }] }),
      regexIngress('fine', 'fine.example.com', '/(?<item>[a-z]+)'),
      ...CLASHING.map((name) => regexIngress(`cap-${name.replaceAll('_', '-')}`, hostOf(name), `/(?<${name}>[a-z]+)`)),
      regexIngress('redos', 'redos.example.com', HOSTILE_REGEX),
      regexIngress('ways', 'ways.example.com', COMBINATORIAL_REGEX),
    ];
    snapshotFile = join(dir, 'cluster.yaml');
    await writeSnapshot(snapshotFile, objects);
    store = (await loadFileSnapshot([snapshotFile])).store;
    p = await freeControllerPorts();
    run = startController(p, { configDir: join(dir, 'conf'), args: ['--snapshot', snapshotFile] });
    await waitReady(run, p, 30_000);
  }, 60_000);

  afterAll(async () => {
    expect(await run?.stop()).toBe(0);
    await backend?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const deps = (options = DEFAULT_RULE_OPTIONS): AdmissionDeps => ({ cluster: store, synced: () => true, rules: RULES, options, logger: pino({ level: 'silent' }) });
  const review = (host: string, options = DEFAULT_RULE_OPTIONS) => {
    const subject = store.ingresses().find((i) => i.spec?.rules?.[0]?.host === host)!;
    return handleValidate({ uid: host, kind: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' }, namespace: 'shop', operation: 'CREATE', object: subject }, deps(options));
  };

  test('nginx serves the other Ingresses, a regex with a harmless capture name among them', async () => {
    expect((await request(p.http, 'open.example.com', '/')).echo?.backend).toBe('web-1');
    expect((await request(p.http, 'fine.example.com', '/abc')).echo?.backend).toBe('web-1');
  });

  test('a WebSocket upgrade to another host still carries Connection: upgrade ($connection_upgrade not emptied)', async () => {
    const res = await request(p.http, 'open.example.com', '/', { headers: { upgrade: 'websocket', connection: 'upgrade' } });
    expect(res.echo?.headers['upgrade']).toBe('websocket');
    expect(res.echo?.headers['connection']).toBe('upgrade');
  });

  test.for(CLASHING)('a capture named %s is not rendered: its host gets no backend, nginx.conf does not contain it', async (name) => {
    const res = await request(p.http, hostOf(name), '/abc');
    expect(res.echo).toBeUndefined();
    expect(res.status).toBe(404);
    expect(await readFile(join(dir, 'conf', 'nginx.conf'), 'utf8')).not.toContain(`(?<${name}>`);
  });

  test.for(CLASHING)('the webhook denies a capture named %s, naming the variable', (name) => {
    const decision = review(hostOf(name));
    expect(decision.allowed).toBe(false);
    expect(decision.message).toContain(`named capture "${name}"`);
    expect(decision.message).toContain(`$${name}`);
  });

  test('a regex with exponential backtracking is not rendered', async () => {
    expect((await request(p.http, 'redos.example.com', '/xaaaa')).echo).toBeUndefined();
    expect(await readFile(join(dir, 'conf', 'nginx.conf'), 'utf8')).not.toContain(HOSTILE_REGEX);
  });

  test('a regex with 2^30 ways to match a prefix is not rendered, and the webhook denies it', async () => {
    expect((await request(p.http, 'ways.example.com', `/${'a'.repeat(30)}c`)).echo).toBeUndefined();
    expect(await readFile(join(dir, 'conf', 'nginx.conf'), 'utf8')).not.toContain('(a|a)(a|a)');
    const decision = review('ways.example.com');
    expect(decision.allowed).toBe(false);
    expect(decision.message).toContain('ways to match one prefix');
  });

  test('the webhook denies a regex with exponential backtracking, and only warns with --regex-redos warn', () => {
    const denied = review('redos.example.com');
    expect(denied.allowed).toBe(false);
    expect(denied.message).toContain('exponential');
    const warned = review('redos.example.com', { ...DEFAULT_RULE_OPTIONS, regexRedos: 'warn' });
    expect(warned.allowed).toBe(true);
    expect(warned.warnings?.join('\n')).toContain('exponential');
  });
});
