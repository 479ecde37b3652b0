import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { effectiveRuleOptions } from '../../src/configmap/effective-rules.js';
import { DEFAULT_GLOBAL_CONFIG, parseConfigMap } from '../../src/configmap/parse-configmap.js';
import type { GlobalConfig } from '../../src/configmap/global-config.js';
import { ensureFallbackCertificate } from '../../src/controller/fallback-cert.js';
import { ProcessNginxRunner } from '../../src/controller/nginx-runner.js';
import { DEFAULT_OWNERSHIP } from '../../src/k8s/ownership.js';
import { buildModel } from '../../src/nginx/build-model.js';
import { renderNginxConf, type RenderOptions } from '../../src/nginx/render.js';
import { DEFAULT_RULE_OPTIONS } from '../../src/rules/types.js';
import { ingress, shopCluster } from '../fixtures/builders.js';
import { SCENARIOS } from '../nginx/scenarios.js';

const OPTIONS: RenderOptions = { configDir: '/var/lib/gatehouse', httpListen: '0.0.0.0:80', httpsListen: '0.0.0.0:443' };
const NGINX = process.env.GATEHOUSE_TEST_NGINX ?? '/usr/sbin/nginx';

function global(data: Record<string, string>): GlobalConfig {
  const parsed = parseConfigMap(data);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.config;
}

function render(data: Record<string, string>, cluster = SCENARIOS['tls']!()): string {
  return renderNginxConf(buildModel(cluster, { ownership: DEFAULT_OWNERSHIP }).model, { ...OPTIONS, global: global(data) });
}

/** Every key away from its default, at once. */
const EVERYTHING: Record<string, string> = {
  'proxy-connect-timeout': '10',
  'proxy-read-timeout': '120',
  'proxy-send-timeout': '90',
  'proxy-body-size': '20m',
  'proxy-buffer-size': '16k',
  'proxy-buffers-number': '8',
  'client-body-buffer-size': '32k',
  'client-header-buffer-size': '2k',
  'large-client-header-buffers': '8 16k',
  'keep-alive': '30',
  'keep-alive-requests': '500',
  'upstream-keepalive-connections': '64',
  'upstream-keepalive-timeout': '30',
  'upstream-keepalive-requests': '200',
  'ssl-protocols': 'TLSv1.3',
  'ssl-ciphers': 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256',
  hsts: 'true',
  'hsts-max-age': '600',
  'hsts-preload': 'true',
  'use-http2': 'false',
  'server-tokens': 'true',
  'worker-processes': '2',
  'max-worker-connections': '4096',
};

describe('rendering', () => {
  test('the defaults render exactly what Gatehouse rendered before the ConfigMap', () => {
    const cluster = SCENARIOS['tls']!();
    const model = buildModel(cluster, { ownership: DEFAULT_OWNERSHIP }).model;
    expect(renderNginxConf(model, { ...OPTIONS, global: DEFAULT_GLOBAL_CONFIG })).toBe(renderNginxConf(model, OPTIONS));
  });

  test.for([
    ['proxy-read-timeout', '120', ['proxy_read_timeout 120s;', 'grpc_read_timeout 120s;']],
    ['proxy-connect-timeout', '10', ['proxy_connect_timeout 10s;', 'grpc_connect_timeout 10s;']],
    ['proxy-body-size', '20m', ['client_max_body_size 20m;']],
    ['proxy-buffer-size', '16k', ['proxy_buffer_size 16k;', 'proxy_buffers 4 16k;']],
    ['large-client-header-buffers', '8 16k', ['large_client_header_buffers 8 16k;']],
    ['keep-alive', '0', ['keepalive_timeout 0s;']],
    ['upstream-keepalive-connections', '64', ['keepalive 64;']],
    ['upstream-keepalive-timeout', '30', ['keepalive_timeout 30s;']],
    ['ssl-protocols', 'TLSv1.3', ['ssl_protocols TLSv1.3;']],
    ['ssl-ciphers', 'HIGH:!aNULL', ['ssl_ciphers "HIGH:!aNULL";', 'ssl_prefer_server_ciphers on;']],
    ['hsts', 'true', ['https "max-age=31536000; includeSubDomains";', 'add_header Strict-Transport-Security $gh_hsts always;']],
    ['server-tokens', 'true', ['server_tokens on;']],
    ['worker-processes', '3', ['worker_processes 3;']],
    ['max-worker-connections', '1024', ['worker_connections 1024;']],
  ] as const)('%s %j renders %j', ([key, value, lines]) => {
    const text = render({ [key]: value });
    for (const line of lines) expect(text).toContain(line);
  });

  test('upstream-keepalive-connections 0 renders no keepalive (nginx refuses `keepalive 0`)', () => {
    expect(render({ 'upstream-keepalive-connections': '0' })).not.toMatch(/^\s+keepalive /m);
  });

  test('use-http2 false leaves http2 off the HTTPS listener', () => {
    expect(render({})).toMatch(/ssl http2/);
    expect(render({ 'use-http2': 'false' })).not.toMatch(/http2/);
  });

  test('ssl-redirect false: TLS hosts answer plain HTTP; the annotation still forces it', () => {
    const cluster = shopCluster(ingress({ host: 'a.com', tls: [{ hosts: ['a.com'], secretName: 'missing' }] }));
    const model = (sslRedirect: boolean) => buildModel(cluster, { ownership: DEFAULT_OWNERSHIP, sslRedirect }).model;
    expect(renderNginxConf(model(true), OPTIONS)).toContain('return 308');
    expect(renderNginxConf(model(false), OPTIONS)).not.toContain('return 308');
    const forced = shopCluster(ingress({ host: 'a.com', annotations: { 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' } }));
    expect(renderNginxConf(buildModel(forced, { ownership: DEFAULT_OWNERSHIP, sslRedirect: false }).model, OPTIONS)).toContain('return 308');
  });

  test('with HSTS on, a location that adds its own headers repeats the HSTS header', () => {
    const cors = shopCluster(ingress({ host: 'a.com', annotations: { 'nginx.ingress.kubernetes.io/enable-cors': 'true' } }));
    const text = render({ hsts: 'true' }, cors);
    const location = /location \/ \{[\s\S]*?\n    \}/.exec(text.slice(text.indexOf('server_name a.com')))?.[0] ?? '';
    expect(location).toContain('add_header Access-Control-Allow-Origin');
    expect(location).toContain('add_header Strict-Transport-Security $gh_hsts always;');
  });
});

describe('annotation policy: the stricter of flag and ConfigMap', () => {
  test.for([
    [{ annotationsRiskLevel: 'high', allowSnippetAnnotations: true }, {}, 'high', true],
    [{ annotationsRiskLevel: 'high', allowSnippetAnnotations: true }, { 'annotations-risk-level': 'Low', 'allow-snippet-annotations': 'false' }, 'low', false],
    [{ annotationsRiskLevel: 'medium', allowSnippetAnnotations: false }, { 'annotations-risk-level': 'Critical', 'allow-snippet-annotations': 'true' }, 'medium', false],
  ] as const)('flags %j + ConfigMap %j → %s, snippets %s', ([flags, data, risk, snippets]) => {
    const rules = effectiveRuleOptions({ ...DEFAULT_RULE_OPTIONS, ...flags }, global(data));
    expect([rules.annotationsRiskLevel, rules.allowSnippetAnnotations]).toEqual([risk, snippets]);
  });
});

describe('nginx -t accepts every key away from its default', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-configmap-'));
    await ensureFallbackCertificate(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test.for([['every key', EVERYTHING], ['upstream keep-alive off', { 'upstream-keepalive-connections': '0', 'upstream-keepalive-timeout': '5' }]] as const)('%s', async ([, data]) => {
    const { model } = buildModel(SCENARIOS['annotations']!(), { ownership: DEFAULT_OWNERSHIP });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'certs'), { recursive: true });
    for (const c of model.secretFiles) await writeFile(join(dir, 'certs', c.file), c.content);
    const path = join(dir, 'nginx.conf');
    await writeFile(path, renderNginxConf(model, { configDir: dir, httpListen: '127.0.0.1:1', httpsListen: '127.0.0.1:2', global: global(data) }));
    const result = await new ProcessNginxRunner({ binary: NGINX, configDir: dir }).test(path);
    expect(result.output).not.toMatch(/emerg|error/);
    expect(result.ok).toBe(true);
  });
});
