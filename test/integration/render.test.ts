import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../support/run-cli.js';

const ROOT = join(import.meta.dirname, '../..');

describe('gatehouse render', () => {
  test('prints a deterministic nginx.conf for the example snapshot', async () => {
    const first = runCli(['render', '--snapshot', join(ROOT, 'examples/snapshot'), '--config-dir', '/tmp/gatehouse-render']);
    expect(await first.code).toBe(0);
    const second = runCli(['render', '--snapshot', join(ROOT, 'examples/snapshot'), '--config-dir', '/tmp/gatehouse-render']);
    await second.code;
    expect(first.stdout()).toBe(second.stdout());
    expect(first.stdout()).toContain('# checksum: ');
    expect(first.stdout()).toContain('shop.example.com');
  });

  test('reports Ingresses it cannot render on stderr and leaves them out', async () => {
    const run = runCli(['render', '--snapshot', join(ROOT, 'examples/snapshot'), join(ROOT, 'test/fixtures/manifests/broken.yaml')]);
    expect(await run.code).toBe(0);
    expect(run.stderr()).toContain('skipped shop/checkout');
    expect(run.stdout()).not.toContain('load_module');
  });

  test('refuses a relative --config-dir', async () => {
    const run = runCli(['render', '--config-dir', 'conf']);
    expect(await run.code).toBe(2);
    expect(run.stderr()).toContain('--config-dir: must be an absolute path');
  });
});
