// NginxApplier with a hand-written fake runner: file handling and failure paths that a real
// nginx makes hard to provoke.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { NginxApplier } from '../../src/controller/apply.js';
import { createControllerMetrics } from '../../src/controller/metrics.js';
import type { ConfigTestResult, NginxRunner } from '../../src/controller/nginx-runner.js';

class FakeRunner implements NginxRunner {
  running = true;
  tested: string[] = [];
  reloads = 0;
  verdict: ConfigTestResult = { ok: true, output: '' };
  reloadError: Error | undefined;
  async test(path: string): Promise<ConfigTestResult> {
    this.tested.push(await readFile(path, 'utf8'));
    return this.verdict;
  }
  async reload(): Promise<void> {
    this.reloads++;
    if (this.reloadError) throw this.reloadError;
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

const CONF = '# checksum: 0123456789abcdef0123456789abcdef\nhttp {}\n';
let dir: string;
let runner: FakeRunner;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-apply-'));
  runner = new FakeRunner();
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('NginxApplier', () => {
  test('a new config is tested as a candidate, swapped in and reloaded', async () => {
    const applier = new NginxApplier({ configDir: dir, runner });
    expect(await applier.apply(CONF)).toEqual({ status: 'applied', checksum: '0123456789abcdef0123456789abcdef' });
    expect(runner.tested).toEqual([CONF]);
    expect(runner.reloads).toBe(1);
    expect(await readFile(join(dir, 'nginx.conf'), 'utf8')).toBe(CONF);
    expect(await readdir(dir)).toEqual(['nginx.conf']);
  });

  test('before nginx runs, the config is written but no reload is sent', async () => {
    runner.running = false;
    expect((await new NginxApplier({ configDir: dir, runner }).apply(CONF)).status).toBe('applied');
    expect(runner.reloads).toBe(0);
  });

  test('a rejected candidate leaves the previous file and no candidate behind', async () => {
    await writeFile(join(dir, 'nginx.conf'), 'old');
    runner.verdict = { ok: false, output: 'nginx: [emerg] unknown directive "x"' };
    const result = await new NginxApplier({ configDir: dir, runner }).apply(CONF);
    expect(result).toMatchObject({ status: 'rejected', message: 'nginx: [emerg] unknown directive "x"' });
    expect(await readdir(dir)).toEqual(['nginx.conf']);
    expect(await readFile(join(dir, 'nginx.conf'), 'utf8')).toBe('old');
  });

  test('a failed reload is reported and the same text is tried again next time', async () => {
    runner.reloadError = new Error('nginx kept its old workers');
    const applier = new NginxApplier({ configDir: dir, runner });
    expect(await applier.apply(CONF)).toMatchObject({ status: 'reload-failed', message: 'nginx kept its old workers' });
    runner.reloadError = undefined;
    expect((await applier.apply(CONF)).status).toBe('applied');
  });

  test('a reload nginx never confirms is a failure', async () => {
    const applier = new NginxApplier({ configDir: dir, runner, confirm: async () => false, confirmTimeoutMs: 100 });
    expect((await applier.apply(CONF)).status).toBe('reload-failed');
  });

  test('metrics count successes and failures and track the last result', async () => {
    const registry = new Registry();
    const metrics = createControllerMetrics(registry);
    const applier = new NginxApplier({ configDir: dir, runner, metrics });
    runner.verdict = { ok: false, output: 'bad' };
    await applier.apply(CONF);
    expect((await metrics.lastReloadSuccessful.get()).values[0]?.value).toBe(0);
    runner.verdict = { ok: true, output: '' };
    await applier.apply(CONF);
    expect((await metrics.lastReloadSuccessful.get()).values[0]?.value).toBe(1);
    const counts = (await metrics.reloads.get()).values.map((v) => [v.labels.result, v.value]);
    expect(counts).toEqual([
      ['success', 1],
      ['failure', 1],
    ]);
  });

  test('secret files (certificates, CA bundles, password files) are written 0600 under certs/ and pruned when no longer used', async () => {
    const applier = new NginxApplier({ configDir: dir, runner });
    await applier.apply(CONF, [{ file: 'a.pem', content: 'A' }, { file: 'b.pem', content: 'B' }]);
    expect((await stat(join(dir, 'certs', 'a.pem'))).mode & 0o777).toBe(0o600);
    await applier.apply(`${CONF}#2\n`, [{ file: 'b.pem', content: 'B' }]);
    expect(await readdir(join(dir, 'certs'))).toEqual(['b.pem']);
  });

  test('test() runs nginx -t on a candidate without swapping it in or reloading', async () => {
    await writeFile(join(dir, 'nginx.conf'), 'old');
    const applier = new NginxApplier({ configDir: dir, runner });
    expect(await applier.test(CONF)).toEqual({ ok: true, output: '' });
    expect(runner.tested).toEqual([CONF]);
    expect(runner.reloads).toBe(0);
    expect(await readFile(join(dir, 'nginx.conf'), 'utf8')).toBe('old');
    expect(applier.current).toBeUndefined();
  });

  test('applying the text test() just accepted runs no second nginx -t, even after a failing test in between', async () => {
    const applier = new NginxApplier({ configDir: dir, runner });
    await applier.test(CONF);
    runner.verdict = { ok: false, output: 'bad' };
    expect((await applier.test(`${CONF}#bad\n`)).ok).toBe(false);
    expect((await applier.apply(CONF)).status).toBe('applied');
    expect(runner.tested).toEqual([CONF, `${CONF}#bad\n`]);
    expect(await readFile(join(dir, 'nginx.conf'), 'utf8')).toBe(CONF);
  });

  test('a text that was not the last accepted one is tested again before it is applied', async () => {
    const applier = new NginxApplier({ configDir: dir, runner });
    await applier.test(CONF);
    await applier.test(`${CONF}#2\n`);
    runner.verdict = { ok: false, output: 'bad' };
    expect((await applier.apply(CONF)).status).toBe('rejected');
  });

  test('test() of the running text passes without running nginx -t', async () => {
    const applier = new NginxApplier({ configDir: dir, runner });
    await applier.apply(CONF);
    runner.verdict = { ok: false, output: 'never asked' };
    expect(await applier.test(CONF)).toEqual({ ok: true, output: '' });
    expect(runner.tested).toHaveLength(1);
  });

  test('concurrent applies run one after the other', async () => {
    const applier = new NginxApplier({ configDir: dir, runner });
    const results = await Promise.all([applier.apply(CONF), applier.apply(CONF)]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'unchanged']);
  });
});
