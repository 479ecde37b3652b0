import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureFallbackCertificate } from '../../src/controller/fallback-cert.js';
import { ProcessNginxRunner } from '../../src/controller/nginx-runner.js';
import { DEFAULT_OWNERSHIP } from '../../src/k8s/ownership.js';
import { labelLines, requestLogLines } from '../../src/nginx/access-log.js';
import { buildModel } from '../../src/nginx/build-model.js';
import { DEFAULT_CLIENT_IP, clientIpLines } from '../../src/nginx/client-ip.js';
import { escapeFor } from '../../src/nginx/escape.js';
import type { LocationModel } from '../../src/nginx/model.js';
import { renderNginxConf, type RenderOptions } from '../../src/nginx/render.js';
import { SCENARIOS } from './scenarios.js';

const NGINX = process.env.GATEHOUSE_TEST_NGINX ?? '/usr/sbin/nginx';

function location(path: string, match: LocationModel['match'] = 'prefix'): LocationModel {
  return { match, path, action: { kind: 'status', code: 404 }, settings: { features: {} }, source: 'shop/web', service: 'web' };
}

describe('location labels', () => {
  test('are set from the Ingress, its Service and its path', () => {
    expect(labelLines(location('/api'))).toEqual(['set $namespace "shop";', 'set $ingress_name "web";', 'set $service_name "web";', 'set $location_path "/api";']);
  });

  test.for([
    ['a regex path: $, \\, braces and quotes are percent-encoded', '^/api/(v[0-9]{1,2})/.*$', '%5E/api/(v%5B0-9%5D%7B1,2%7D)/.*%24'],
    ['a literal % is encoded too, so one spelling means one value', '/a%2Fb', '/a%252Fb'],
    ['variables never interpolate', '/${host}"; deny all; "', '/%24%7Bhost%7D%22%3B%20deny%20all%3B%20%22'],
    ['non-ASCII as UTF-8 bytes', '/é', '/%C3%A9'],
  ] as const)('%s', ([, path, label]) => {
    expect(escapeFor('label', path)).toBe(label);
  });
});

describe('request log directives', () => {
  test('off and no traffic log: access_log off', () => {
    expect(requestLogLines({ accessLog: 'off' })).toEqual(['access_log off;']);
  });

  test('the operators\' log skips locations that set $gh_access_log_off; the traffic log does not', () => {
    const lines = requestLogLines({ accessLog: 'stdout', trafficLog: '127.0.0.1:9999' });
    expect(lines).toContain('access_log "/dev/stdout" gatehouse_json if=$gh_access_loggable;');
    expect(lines).toContain('access_log syslog:server=127.0.0.1:9999,nohostname,tag=gh gatehouse_traffic;');
  });

  test.for([['an access log path outside the allow-list', { accessLog: { path: '/tmp/x; include /etc/passwd' } }], ['a traffic log off loopback', { accessLog: 'off', trafficLog: '10.0.0.1:514' }]] as const)(
    'refuses %s',
    ([, opts]) => {
      expect(() => requestLogLines(opts as Parameters<typeof requestLogLines>[0])).toThrow(TypeError);
    },
  );

  test('client IP options nginx cannot honour are refused, not rendered', () => {
    expect(() => clientIpLines({ ...DEFAULT_CLIENT_IP, useForwardedHeaders: true, useProxyProtocol: true })).toThrow(/choose one/);
    expect(() => clientIpLines({ ...DEFAULT_CLIENT_IP, forwardedForHeader: 'X-F: y' })).toThrow(/header name/);
    expect(() => clientIpLines({ ...DEFAULT_CLIENT_IP, proxyRealIpCidr: ['10.0.0.0/8; deny all'] })).toThrow(/CIDR/);
  });
});

describe('every scenario with logs and client IP options passes nginx -t', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-logs-'));
    await ensureFallbackCertificate(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const VARIANTS: Record<string, Partial<RenderOptions>> = {
    'json to stdout, traffic log, forwarded headers with the full list': {
      accessLog: 'stdout',
      trafficLog: '127.0.0.1:9',
      clientIp: { ...DEFAULT_CLIENT_IP, useForwardedHeaders: true, computeFullForwardedFor: true, proxyRealIpCidr: ['10.0.0.0/8', 'fd00::/8'] },
    },
    'combined to a file, PROXY protocol': { accessLog: '/tmp/gatehouse-access.log', accessLogFormat: 'combined', clientIp: { ...DEFAULT_CLIENT_IP, useProxyProtocol: true } },
    'traffic log only': { accessLog: false, trafficLog: '127.0.0.1:9' },
  };
  const cases = Object.keys(SCENARIOS).flatMap((s) => Object.keys(VARIANTS).map((v) => [s, v] as const));
  test.for(cases)('%s: %s', async ([scenario, variant]) => {
    const { model } = buildModel(SCENARIOS[scenario]!(), { ownership: DEFAULT_OWNERSHIP });
    await mkdir(join(dir, 'certs'), { recursive: true });
    for (const c of model.secretFiles) await writeFile(join(dir, 'certs', c.file), c.content);
    const path = join(dir, `${scenario}.conf`);
    const text = renderNginxConf(model, { configDir: dir, httpListen: '127.0.0.1:1', httpsListen: '127.0.0.1:2', statusListen: '127.0.0.1:3', ...VARIANTS[variant] });
    await writeFile(path, text);
    const result = await new ProcessNginxRunner({ binary: NGINX, configDir: dir }).test(path);
    expect(result.output).not.toMatch(/emerg|error|warn/);
    expect(result.ok).toBe(true);
  });
});
