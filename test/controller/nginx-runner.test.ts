// ProcessNginxRunner against the real binary: config tests and start failures.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { nginxErrorLine, ProcessNginxRunner } from '../../src/controller/nginx-runner.js';
import { freePort, NGINX_BINARY } from './harness.js';

let dir: string;
let runner: ProcessNginxRunner;

function minimalConf(port: number): string {
  return [
    `pid "${dir}/nginx.pid";`,
    'worker_processes 1;',
    'events { worker_connections 64; }',
    'http {',
    '    access_log off;',
    `    client_body_temp_path "${dir}/client_body_temp";`,
    `    proxy_temp_path "${dir}/proxy_temp";`,
    `    fastcgi_temp_path "${dir}/fastcgi_temp";`,
    `    uwsgi_temp_path "${dir}/uwsgi_temp";`,
    `    scgi_temp_path "${dir}/scgi_temp";`,
    `    server { listen 127.0.0.1:${port}; location / { return 200; } }`,
    '}',
    '',
  ].join('\n');
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-runner-'));
  runner = new ProcessNginxRunner({ binary: NGINX_BINARY, configDir: dir, startTimeoutMs: 10_000 });
});
afterEach(async () => {
  await runner.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('ProcessNginxRunner', () => {
  test('test() accepts a valid config', async () => {
    await writeFile(join(dir, 'ok.conf'), minimalConf(await freePort()));
    expect(await runner.test(join(dir, 'ok.conf'))).toEqual({ ok: true, output: '' });
  });

  test("test() rejects an invalid config with nginx's message", async () => {
    await writeFile(join(dir, 'bad.conf'), `${minimalConf(await freePort())}bogus;\n`);
    const result = await runner.test(join(dir, 'bad.conf'));
    expect(result.ok).toBe(false);
    expect(result.output).toContain('unknown directive "bogus"');
  });

  test("start() fails with nginx's message when the port is taken, and does not retry", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    await writeFile(join(dir, 'nginx.conf'), minimalConf(port));
    try {
      await expect(runner.start()).rejects.toThrow(/Address already in use/);
      expect(runner.running).toBe(false);
    } finally {
      blocker.close();
    }
  });

  test('start() resolves once nginx runs, stop() ends it', async () => {
    await writeFile(join(dir, 'nginx.conf'), minimalConf(await freePort()));
    await runner.start();
    const pid = runner.pid!;
    expect(() => process.kill(pid, 0)).not.toThrow();
    await runner.stop();
    expect(() => process.kill(pid, 0)).toThrow();
  });

  test('reload() without a running nginx throws', async () => {
    await expect(runner.reload()).rejects.toThrow('nginx is not running');
  });
});

describe('nginxErrorLine', () => {
  test.for([
    [
      'the emerg line without timestamp and pid',
      '2026/11/30 11:21:16 [emerg] 28084#28084: could not build server_names_hash, you should increase server_names_hash_bucket_size: 256\nnginx: configuration file /gh/nginx.conf.candidate test failed',
      '[emerg] could not build server_names_hash, you should increase server_names_hash_bucket_size: 256',
    ],
    ['nginx: [emerg] as -q prints it early, without the file position', 'nginx: [emerg] unknown directive "bogus" in /gh/x.conf:3', '[emerg] unknown directive "bogus"'],
    ['a warning before the error is skipped', '2026/11/30 11:21:16 [warn] 1#1: low\n2026/11/30 11:21:16 [emerg] 1#1: bad', '[emerg] bad'],
    ['no error line: the first line', 'nginx: configuration file x test failed', 'nginx: configuration file x test failed'],
    ['nothing at all', '', 'nginx -t failed'],
  ] as const)('%s', ([, output, line]) => {
    expect(nginxErrorLine(output)).toBe(line);
  });
});
