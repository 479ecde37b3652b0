// @kubernetes/client-node costs ~64 MiB and needs a recent Node: it is loaded only where a live
// API is used. Each command runs in a fresh Node process over the TypeScript sources, with a hook
// that reports any import of the module.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const HOOK = join(ROOT, 'test/support/trace-api-client.mjs');

function gatehouse(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--experimental-transform-types', '--no-warnings', '--import', HOOK, join(ROOT, 'src/cli.ts'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: '/nonexistent' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('@kubernetes/client-node is loaded only for the live API', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'gh-lazy-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  test.for([
    ['--help'],
    ['webhook', '--help'],
    ['controller', '--help'],
    ['certgen', 'create', '--help'],
    ['certgen', 'patch', '--help'],
    ['check', '--snapshot', 'examples/snapshot', 'examples/snapshot'],
    ['render', '--snapshot', 'examples/snapshot'],
  ])('gatehouse %s', { timeout: 30_000 }, async (args) => {
    const res = await gatehouse(args);
    expect(res.stderr).not.toContain('CLIENT-NODE-LOADED');
    expect(res.code === 0 || res.code === 1).toBe(true);
  });

  test('certgen create --out-dir', async () => {
    const res = await gatehouse(['certgen', 'create', '--log-level', 'silent', '--out-dir', scratch, '--host', 'localhost']);
    expect(res.stderr).not.toContain('CLIENT-NODE-LOADED');
    expect(res.code).toBe(0);
  }, 30_000);

  test('the hook does see it when the live API is used (certgen create into a Secret)', async () => {
    const res = await gatehouse(['certgen', 'create', '--log-level', 'silent', '--host', 'localhost', '--namespace', 'x', '--secret-name', 'y', '--kubeconfig', '/nonexistent']);
    expect(res.stderr).toContain('CLIENT-NODE-LOADED');
  }, 30_000);
});
