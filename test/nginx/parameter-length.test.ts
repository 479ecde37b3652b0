// Real nginx: a value the catalog accepts at its longest renders a configuration `nginx -t`
// accepts; a longer one never reaches nginx.conf (its Ingress is skipped, the others served).
// Before the bound, each of these failed `nginx -t` with "too long parameter", for every host.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureFallbackCertificate } from '../../src/controller/fallback-cert.js';
import { ProcessNginxRunner } from '../../src/controller/nginx-runner.js';
import { DEFAULT_OWNERSHIP } from '../../src/k8s/ownership.js';
import { buildModel } from '../../src/nginx/build-model.js';
import { parameterLengthProblem } from '../../src/nginx/parameter-length.js';
import { renderNginxConf } from '../../src/nginx/render.js';
import { pathRule } from '../../src/rules/path.js';
import { headerList, longOrigins, mostOriginsThatFit } from '../fixtures/long-values.js';
import { contextFor, ingress, shopCluster } from '../fixtures/builders.js';
import { NGINX_BINARY } from '../controller/harness.js';

const P = 'nginx.ingress.kubernetes.io/';

describe('parameterLengthProblem', () => {
  test.for<[number, string | undefined]>([
    [4093, undefined],
    [4094, '4094 characters long in nginx.conf; nginx reads at most 4093 per parameter'],
  ])('%i characters: %s', ([length, problem]) => {
    expect(parameterLengthProblem('a'.repeat(length))).toBe(problem);
  });

  test('counts bytes, as nginx does', () => {
    expect(parameterLengthProblem('é'.repeat(2047))).toBe('4094 characters long in nginx.conf; nginx reads at most 4093 per parameter');
  });
});

describe('real nginx reads the longest accepted values, and never sees longer ones', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-params-'));
    await ensureFallbackCertificate(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const fit = mostOriginsThatFit();
  const cors = (values: Record<string, string>) => Object.fromEntries(Object.entries({ 'enable-cors': 'true', ...values }).map(([k, v]) => [P + k, v]));

  // `/` then dots: each dot doubles in `location ~ "^/\.\.…(?:/|$)"`, the form a prefix takes on a
  // host with regex paths; 2,042 dots render 4,093 characters.
  test('a prefix path as long as its regex form allows; one character more is denied and skipped', async () => {
    const longest = `/${'.'.repeat(2042)}`;
    const tooLong = `/${'.'.repeat(2043)}`;
    const regexHost = { 'nginx.ingress.kubernetes.io/use-regex': 'true' };
    const cluster = shopCluster(
      ingress({ name: 'regex', host: 'a.example.com', annotations: regexHost, paths: [{ path: '/r/.*', pathType: 'ImplementationSpecific' }] }),
      ingress({ name: 'longest', host: 'a.example.com', paths: [{ path: longest }] }),
      ingress({ name: 'too-long', host: 'a.example.com', paths: [{ path: tooLong }] }),
    );
    const denied = pathRule.check(ingress({ name: 'too-long', host: 'a.example.com', paths: [{ path: tooLong }] }), contextFor(cluster));
    expect(denied.map((f) => f.severity)).toEqual(['deny']);
    expect(denied[0]?.message).toMatch(/^Prefix path "\/\.+…" would render as a regex 4095 characters long in nginx\.conf; nginx reads at most 4093 per parameter \(on a host with regex paths\)$/);
    expect(pathRule.check(ingress({ name: 'longest', host: 'a.example.com', paths: [{ path: longest }] }), contextFor(cluster))).toEqual([]);
    const build = buildModel(cluster, { ownership: DEFAULT_OWNERSHIP });
    expect(build.skipped.map((s) => s.ingress)).toEqual(['shop/too-long']);
    const path = join(dir, 'prefix-path.conf');
    await writeFile(path, renderNginxConf(build.model, { configDir: dir, httpListen: '127.0.0.1:1', httpsListen: '127.0.0.1:2' }));
    const result = await new ProcessNginxRunner({ binary: NGINX_BINARY, configDir: dir }).test(path);
    expect(result.output).not.toMatch(/emerg/);
    expect(result.ok).toBe(true);
  });

  test.for<[string, Record<string, string>, Record<string, string>]>([
    ['cors-allow-origin', cors({ 'cors-allow-origin': longOrigins(fit).join(',') }), cors({ 'cors-allow-origin': longOrigins(fit + 1).join(',') })],
    ['cors-allow-headers', cors({ 'cors-allow-headers': headerList(4093) }), cors({ 'cors-allow-headers': headerList(4094) })],
    ['cors-expose-headers', cors({ 'cors-expose-headers': headerList(4093) }), cors({ 'cors-expose-headers': headerList(4094) })],
  ])('%s', async ([name, longest, tooLong]) => {
    const cluster = shopCluster(
      ingress({ name: 'longest', host: 'longest.example.com', annotations: longest }),
      ingress({ name: 'too-long', host: 'too-long.example.com', annotations: tooLong }),
      ingress({ name: 'plain', host: 'plain.example.com' }),
    );
    const build = buildModel(cluster, { ownership: DEFAULT_OWNERSHIP });
    expect(build.skipped.map((s) => s.ingress)).toEqual(['shop/too-long']);
    expect(build.model.servers.map((s) => s.host)).toEqual(['longest.example.com', 'plain.example.com']);
    const path = join(dir, `${name}.conf`);
    await writeFile(path, renderNginxConf(build.model, { configDir: dir, httpListen: '127.0.0.1:1', httpsListen: '127.0.0.1:2' }));
    const result = await new ProcessNginxRunner({ binary: NGINX_BINARY, configDir: dir }).test(path);
    expect(result.output).not.toMatch(/emerg/);
    expect(result.ok).toBe(true);
  });
});
