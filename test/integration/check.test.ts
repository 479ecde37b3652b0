import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../support/run-cli.js';

const ROOT = join(import.meta.dirname, '../..');
const SEEDS = join(ROOT, 'test/fixtures/seed-manifests');
const EXAMPLES = join(ROOT, 'examples');
const FIXTURES = join(import.meta.dirname, '../fixtures/manifests');

describe('gatehouse check', () => {
  test('passes the virtual-hosts example with no findings', async () => {
    const run = runCli(['check', join(SEEDS, 'virtual-hosts.yaml')]);
    expect(await run.code).toBe(0);
    expect(run.stdout()).toContain('default/name-virtual-host-ingress');
    expect(run.stdout()).toContain('1 Ingress(es), 1 checked, 0 denied');
  });

  test('converts the class annotation of the kubia example and warns, exit 0', async () => {
    const run = runCli(['check', '--snapshot', join(FIXTURES, 'nginx-class.yaml'), join(SEEDS, 'kubia.yaml')]);
    expect(await run.code).toBe(0);
    expect(run.stdout()).toContain('patch: [{"op":"add","path":"/spec/ingressClassName","value":"nginx"}');
    expect(run.stdout()).toContain('/metadata/annotations/kubernetes.io~1ingress.class');
  });

  test('accepts the flink rewrite: /$2 on /app(/|$)(.*), in both API versions', async () => {
    const run = runCli(['check', '--output', 'json', '--snapshot', join(FIXTURES, 'nginx-class.yaml'), join(SEEDS, 'flink-rewrite.yaml')]);
    const out = JSON.parse(run.stdout() || (await run.code, run.stdout()));
    expect(await run.code).toBe(0);
    expect(out.ingresses).toHaveLength(2);
    for (const ing of out.ingresses) expect(ing.findings.filter((f: { severity: string }) => f.severity === 'deny')).toEqual([]);
  });

  test('denies the broken example with every problem, exit 1', async () => {
    const run = runCli(['check', '--snapshot', join(EXAMPLES, 'snapshot'), join(FIXTURES, 'broken.yaml')]);
    expect(await run.code).toBe(1);
    const out = run.stdout();
    expect(out).toContain('shop/checkout');
    expect(out).toContain('denied');
    expect(out).toMatch(/DENY {2}\[backend-port\] spec\.rules\[0\]\.http\.paths\[0\]\.backend\.service\.port\.number: .*no port 8080 \(ports: 80\/http, 443\/https\)/);
    expect(out).toMatch(/DENY {2}\[backend-service\] .*an Ingress can only reach Services in its own namespace/);
    expect(out).toMatch(/DENY {2}\[rewrite\]/);
    expect(out).toMatch(/DENY {2}\[annotations\] metadata\.annotations\[nginx\.ingress\.kubernetes\.io\/proxy-body-size\]/);
    expect(out).toMatch(/DENY {2}\[host-path-conflict\] .*shop\/storefront/);
  });

  test('--output json gives a stable shape', async () => {
    const run = runCli(['check', '--output', 'json', '--snapshot', join(EXAMPLES, 'snapshot'), join(FIXTURES, 'broken.yaml')]);
    expect(await run.code).toBe(1);
    const out = JSON.parse(run.stdout());
    expect(out.denied).toBe(1);
    expect(out.ingresses[0]).toMatchObject({ namespace: 'shop', name: 'checkout', owned: true, allowed: false });
    expect(out.ingresses[0].findings[0]).toHaveProperty('rule');
    expect(out.ingresses[0].findings[0]).toHaveProperty('path');
  });

  test('skips Ingresses of other classes', async () => {
    const run = runCli(['check', join(FIXTURES, 'other-class.yaml')]);
    expect(await run.code).toBe(0);
    expect(run.stdout()).toContain('skipped (not a Gatehouse Ingress)');
  });

  test('exits 2 on a file that is not YAML', async () => {
    const run = runCli(['check', join(FIXTURES, 'not-yaml.txt')]);
    expect(await run.code).toBe(2);
    expect(run.stderr()).toContain('not-yaml.txt');
  });

  test('exits 2 on a missing file', async () => {
    const run = runCli(['check', join(FIXTURES, 'missing.yaml')]);
    expect(await run.code).toBe(2);
    expect(run.stderr()).toContain('ENOENT');
  });
});
