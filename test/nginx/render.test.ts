import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureFallbackCertificate } from '../../src/controller/fallback-cert.js';
import { ProcessNginxRunner } from '../../src/controller/nginx-runner.js';
import { DEFAULT_OWNERSHIP } from '../../src/k8s/ownership.js';
import type { SnapshotStore } from '../../src/k8s/snapshot.js';
import { buildModel } from '../../src/nginx/build-model.js';
import { checksumOf, renderNginxConf, type RenderOptions } from '../../src/nginx/render.js';
import { ingress, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { SCENARIOS } from './scenarios.js';

const OPTIONS: RenderOptions = {
  configDir: '/var/lib/gatehouse',
  httpListen: '0.0.0.0:80',
  httpsListen: '0.0.0.0:443',
  statusListen: '127.0.0.1:10246',
};
const NGINX = process.env.GATEHOUSE_TEST_NGINX ?? '/usr/sbin/nginx';

function render(cluster: SnapshotStore, options: Partial<RenderOptions> = {}): string {
  return renderNginxConf(buildModel(cluster, { ownership: DEFAULT_OWNERSHIP }).model, { ...OPTIONS, ...options });
}

describe('golden files', () => {
  // UPDATE_GOLDEN=1 npx vitest run test/nginx/render.test.ts rewrites them; review the diff.
  test.for(Object.keys(SCENARIOS))('%s.conf', async (name) => {
    const file = new URL(`./golden/${name}.conf`, import.meta.url);
    const text = render(SCENARIOS[name]!());
    if (process.env.UPDATE_GOLDEN === '1') await writeFile(file, text);
    expect(text).toBe(await readFile(file, 'utf8'));
  });
});

describe('every scenario passes nginx -t', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-render-'));
    await ensureFallbackCertificate(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test.for(Object.keys(SCENARIOS))('%s', async (name) => {
    const { model } = buildModel(SCENARIOS[name]!(), { ownership: DEFAULT_OWNERSHIP });
    await mkdir(join(dir, 'certs'), { recursive: true });
    for (const c of model.secretFiles) await writeFile(join(dir, 'certs', c.file), c.content);
    const path = join(dir, `${name}.conf`);
    await writeFile(path, renderNginxConf(model, { ...OPTIONS, configDir: dir, httpListen: '127.0.0.1:1', httpsListen: '127.0.0.1:2', statusListen: '127.0.0.1:3' }));
    const result = await new ProcessNginxRunner({ binary: NGINX, configDir: dir }).test(path);
    expect(result.output).not.toMatch(/emerg|error/);
    expect(result.ok).toBe(true);
  });
});

describe('known traps of plain nginx', () => {
  test('a wildcard host becomes an anchored one-label regex, not nginx *.', () => {
    const text = render(shopCluster(ingress({ host: '*.foo.com' })));
    expect(text).toContain('server_name "~^[^.]+\\.foo\\.com$";');
    expect(text).not.toContain('server_name *.foo.com');
  });

  test('Prefix /aaa renders = /aaa and /aaa/, never a bare /aaa that also matches /aaaccc', () => {
    const text = render(shopCluster(ingress({ paths: [{ path: '/aaa' }] })));
    expect(text).toContain('location = "/aaa" {');
    expect(text).toContain('location "/aaa/" {');
    expect(text).not.toContain('location "/aaa" {');
  });

  test('Exact and Prefix on the same path render one `location =` (a duplicate is fatal)', () => {
    const text = render(shopCluster(ingress({ paths: [{ path: '/aaa', pathType: 'Exact' }, { path: '/aaa', pathType: 'Prefix', service: 'other' }] })));
    expect(text.match(/location = "\/aaa" \{/g)).toHaveLength(1);
  });

  test('Exact /aaa/ renders a regex for that one path, never `location = /aaa/` (nginx would 301 /aaa to it)', () => {
    const text = render(shopCluster(ingress({ paths: [{ path: '/aaa/', pathType: 'Exact' }, { path: '/bbb', pathType: 'Prefix', service: 'other' }] })));
    expect(text).toContain('location ~ "^/aaa/\\z" {');
    expect(text).not.toContain('location = "/aaa/"');
    // Only regex paths turn a host's prefixes into regexes: this one matches a single path.
    expect(text).toContain('location "/bbb/" {');
  });

  test('Exact / stays `location = /` (no shorter path to redirect)', () => {
    const text = render(shopCluster(ingress({ paths: [{ path: '/', pathType: 'Exact' }] })));
    expect(text).toContain('location = "/" {');
  });

  test('upstreams get HTTP/1.1, an empty Connection header and the client Host', () => {
    const text = render(shopCluster(ingress()));
    expect(text).toContain('proxy_http_version 1.1;');
    expect(text).toContain('proxy_set_header Host $host;');
    expect(text).toContain('proxy_set_header Connection $connection_upgrade;');
    expect(text).toContain('"" "";');
  });

  test('a Service without endpoints renders return 503 and no empty upstream block', () => {
    const text = render(shopCluster(ingress(), endpointSlice('shop', 'web', [], 80)));
    expect(text).not.toContain('upstream shop_web_http');
    expect(text).toContain('return 503;');
  });

  test('several Ingresses for one host render one server block', () => {
    const text = render(shopCluster(ingress({ name: 'a', paths: [{ path: '/a' }] }), ingress({ name: 'b', paths: [{ path: '/b' }] })));
    expect(text.match(/server_name shop\.example\.com;/g)).toHaveLength(1);
  });

  test('regex locations are ordered by Ingress path length, longest first (as ingress-nginx); Prefix / stays a prefix', () => {
    const regex = { 'nginx.ingress.kubernetes.io/use-regex': 'true' };
    const text = render(
      shopCluster(
        ingress({ name: 'r', annotations: regex, paths: [{ path: '/a/.*', pathType: 'ImplementationSpecific' }, { path: '/a/b/c/.*', pathType: 'ImplementationSpecific' }] }),
        ingress({ name: 'p', paths: [{ path: '/a/b' }, { path: '/' }] }),
      ),
    );
    const order = [...text.matchAll(/location (~\*?) "([^"]+)"/g)].map((m) => m[2]);
    // `/a/.*` (5 characters) sorts before the Prefix `/a/b` (4): on a regex host the path
    // length, not the matched length, decides, as documented in render.ts.
    expect(order).toEqual(['^/a/b/c/.*', '^/a/.*', '^/a/b(?:/|$)']);
    // A plain prefix is only used when no regex matches: right for `/`, the shortest match.
    expect(text).toContain('location / {');
  });
});

describe('determinism and checksum', () => {
  test('the same snapshot renders byte-identical text', () => {
    expect(render(SCENARIOS.annotations!())).toBe(render(SCENARIOS.annotations!()));
  });

  test('the checksum line is served by the status server', () => {
    const text = render(SCENARIOS.basic!());
    const checksum = checksumOf(text);
    expect(checksum).toMatch(/^[0-9a-f]{32}$/);
    expect(text).toContain(`return 200 "${checksum}";`);
  });

  test('a path spelling the checksum placeholder keeps it: only the status server answers the checksum', () => {
    // The placeholder was replaced at its first occurrence, which a path (`@` is a path character) could be.
    const text = render(shopCluster(ingress({ paths: [{ path: '/@@GATEHOUSE_CHECKSUM@@', pathType: 'Exact' }] })));
    const checksum = checksumOf(text);
    expect(text).toContain('location = "/@@GATEHOUSE_CHECKSUM@@"');
    expect(text).toContain(`return 200 "${checksum}";`);
  });

  test('a different snapshot has a different checksum', () => {
    expect(checksumOf(render(SCENARIOS.basic!()))).not.toBe(checksumOf(render(SCENARIOS.tls!())));
  });

  test('the HTTPS redirect names the HTTPS port when it is not 443', () => {
    const text = render(shopCluster(ingress({ tls: [{ hosts: ['shop.example.com'] }] })), { httpsListen: '127.0.0.1:8443' });
    expect(text).toContain('return 308 https://$host:8443$request_uri;');
  });
});

describe('render options are checked', () => {
  test.for<[string, Partial<RenderOptions>]>([
    ['a listen address without a port', { httpListen: '0.0.0.0' }],
    ['a listen address with an injection', { httpsListen: '0.0.0.0:443; include /etc/passwd' }],
    ['a relative config dir', { configDir: 'conf' }],
    ['a config dir with a quote', { configDir: '/tmp/a"b' }],
    ['a user name with a space', { user: 'root root' }],
  ])('%s throws', ([, bad]) => {
    expect(() => render(shopCluster(), bad)).toThrow(TypeError);
  });
});

test('the nginx binary used by these tests exists', () => {
  expect(existsSync(NGINX)).toBe(true);
});

describe('resolver for ExternalName Services', () => {
  const model = buildModel(shopCluster(), { ownership: DEFAULT_OWNERSHIP }).model;
  const base = { configDir: '/var/lib/gatehouse', httpListen: '*:80', httpsListen: '*:443' };

  test('renders the resolver IPs, IPv6 in brackets', () => {
    expect(renderNginxConf(model, { ...base, resolvers: ['10.96.0.10', 'fd00::a'] })).toContain('resolver 10.96.0.10 [fd00::a];');
  });

  test('refuses anything that is not an IP', () => {
    expect(() => renderNginxConf(model, { ...base, resolvers: ['10.0.0.1; include /etc/passwd'] })).toThrowError(/not a resolver IP/);
  });

  test('renders no resolver when none is given', () => {
    expect(renderNginxConf(model, base)).not.toContain('resolver ');
  });
});
