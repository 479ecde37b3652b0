// The operators' access log from the real nginx: `access_log /dev/stdout` as the controller runs it
// (nginx's stdout handed to it; here a file, as a container runtime's log file), one JSON object
// per request, values escaped by nginx.
import { openSync, closeSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ACCESS_LOG_OFF_LINE } from '../../src/nginx/access-log.js';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { eventually, NginxHarness, startBackend, type Backend } from './harness.js';

let nginx: NginxHarness;
let backend: Backend;
const stdoutPath = join(tmpdir(), `gatehouse-access-${process.pid}.log`);
let stdoutFd: number;

const cluster = () =>
  shopCluster(
    service('shop', 'web'),
    endpointSlice('shop', 'web', [backend.ip], backend.port),
    ingress({ name: 'web', host: 'web.test', paths: [{ path: '/app', service: 'web' }] }),
    ingress({ name: 'quiet', host: 'quiet.test', paths: [{ path: '/', service: 'web' }] }),
  );

async function lines(): Promise<string[]> {
  return (await readFile(stdoutPath, 'utf8')).split('\n').filter(Boolean);
}

async function lastLine(): Promise<string> {
  const all = await lines();
  return all[all.length - 1] ?? '';
}

beforeAll(async () => {
  backend = await startBackend('web', '127.0.0.5');
  stdoutFd = openSync(stdoutPath, 'w');
  nginx = await NginxHarness.create(undefined, { stdout: stdoutFd });
  nginx.extraRenderOptions = { accessLog: 'stdout' };
  const { text, build } = nginx.render(cluster());
  // enable-access-log "false" on `quiet`, as that feature renders it.
  const quiet = text.replace(/(# shop\/quiet\n)/, `$1            ${ACCESS_LOG_OFF_LINE}\n`);
  expect((await nginx.applier.apply(quiet, build.model.secretFiles)).status).toBe('applied');
  await nginx.runner.start();
});

afterAll(async () => {
  await nginx?.close();
  await backend?.close();
  closeSync(stdoutFd);
  await rm(stdoutPath, { force: true });
});

describe('JSON to stdout, one line per request', () => {
  test('the fields operators expect', async () => {
    const r = await nginx.get('web.test', '/app/page?x=1', { headers: { 'x-forwarded-for': '198.51.100.1', 'user-agent': 'probe/1.0', referer: 'https://ref.test/' } });
    expect(r.status).toBe(200);
    expect(await eventually(async () => (await lastLine()).includes('/app/page'))).toBe(true);
    const entry = JSON.parse(await lastLine()) as Record<string, string>;
    expect(entry).toMatchObject({
      remote_addr: '127.0.0.1',
      x_forwarded_for: '198.51.100.1',
      method: 'GET',
      uri: '/app/page?x=1',
      protocol: 'HTTP/1.1',
      host: 'web.test',
      status: '200',
      upstream_addr: `${backend.ip}:${backend.port}`,
      upstream_status: '200',
      http_user_agent: 'probe/1.0',
      http_referer: 'https://ref.test/',
      namespace: 'shop',
      ingress_name: 'web',
      service_name: 'web',
      location_path: '/app',
      request_id: r.echo!.headers['x-request-id'],
    });
    expect(entry['time']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(Number(entry['request_time'])).toBeGreaterThanOrEqual(0);
    expect(Number(entry['bytes_sent'])).toBeGreaterThan(0);
  });

  test('hostile header values stay inside their JSON string', async () => {
    const agent = 'a"b\\c\t"}, "status": "999';
    await nginx.get('web.test', '/app/hostile', { headers: { 'user-agent': agent } });
    expect(await eventually(async () => (await lastLine()).includes('/app/hostile'))).toBe(true);
    const entry = JSON.parse(await lastLine()) as Record<string, string>;
    expect(entry['http_user_agent']).toBe(agent);
    expect(entry['status']).toBe('200');
  });

  test('requests no Ingress serves are logged with empty Ingress fields', async () => {
    await nginx.get('nobody.test', '/none');
    expect(await eventually(async () => (await lastLine()).includes('/none'))).toBe(true);
    expect(JSON.parse(await lastLine())).toMatchObject({ status: '404', ingress_name: '', namespace: '', location_path: '' });
  });

  test('an Ingress with its access log off is not logged', async () => {
    expect((await nginx.get('quiet.test', '/quiet-request')).status).toBe(200);
    await nginx.get('web.test', '/app/after-quiet');
    expect(await eventually(async () => (await lastLine()).includes('/app/after-quiet'))).toBe(true);
    expect((await lines()).some((l) => l.includes('/quiet-request'))).toBe(false);
  });
});

describe('configurable', () => {
  test('combined text to a file, then off', async () => {
    const file = join(nginx.dir, 'access.log');
    nginx.extraRenderOptions = { accessLog: file, accessLogFormat: 'combined' };
    expect((await nginx.apply(cluster())).status).toBe('applied');
    await nginx.get('web.test', '/app/combined');
    expect(await eventually(async () => (await readFile(file, 'utf8')).includes('"GET /app/combined HTTP/1.1" 200'))).toBe(true);

    nginx.extraRenderOptions = { accessLog: false };
    expect((await nginx.apply(cluster())).status).toBe('applied');
    const before = (await readFile(file, 'utf8')).length;
    await nginx.get('web.test', '/app/off');
    expect((await readFile(file, 'utf8')).length).toBe(before);
    expect((await lines()).some((l) => l.includes('/app/off'))).toBe(false);
  });
});

test('the controller refuses --access-log stdout when its stdout is a socket nginx cannot open', async () => {
  const { fstatSync } = await import('node:fs');
  const { freeControllerPorts, startController } = await import('../support/controller-process.js');
  // A vitest worker's stdout is a socket (a Node parent's 'pipe'), like a journald stream.
  if (!fstatSync(1).isSocket()) return;
  const run = startController(await freeControllerPorts(), { configDir: join(tmpdir(), `gatehouse-sock-${process.pid}`), args: ['--access-log', 'stdout', '--snapshot', '/dev/null'] });
  expect(await run.code).toBe(2);
  expect(run.stderr()).toContain('stdout is a socket');
});
