// What the renderer does with regex paths that would hurt other Ingresses: the same judgement
// as the rewrite rule (src/pcre), so the controller leaves out what the webhook denies.
import { describe, expect, test } from 'vitest';
import { DEFAULT_OWNERSHIP } from '../../src/k8s/ownership.js';
import { buildModel, type BuildModelOptions } from '../../src/nginx/build-model.js';
import { renderNginxConf } from '../../src/nginx/render.js';
import { ingress, shopCluster } from '../fixtures/builders.js';

const USE_REGEX = { 'nginx.ingress.kubernetes.io/use-regex': 'true' };

function build(path: string, options: Partial<BuildModelOptions> = {}) {
  const regex = ingress({ name: 'regex', host: 'regex.example.com', annotations: USE_REGEX, paths: [{ path, pathType: 'ImplementationSpecific' }] });
  const other = ingress({ name: 'other', host: 'other.example.com' });
  return buildModel(shopCluster(regex, other), { ownership: DEFAULT_OWNERSHIP, ...options });
}

const hosts = (result: ReturnType<typeof build>) => result.model.servers.map((s) => s.host);

describe('named captures that are nginx variables', () => {
  test.for(['host', 'request_uri', 'http_upgrade', 'connection_upgrade'])('(?<%s>…) leaves its Ingress out, the others served', (name) => {
    const result = build(`/(?<${name}>[a-z]+)`);
    expect(result.skipped.map((s) => s.ingress)).toEqual(['shop/regex']);
    expect(hosts(result)).toEqual(['other.example.com']);
  });

  test('a capture with a name of its own is served', () => {
    expect(hosts(build('/(?<item>[a-z]+)'))).toEqual(['other.example.com', 'regex.example.com']);
  });
});

describe('catastrophic backtracking', () => {
  test('left out by default, with the reason', () => {
    const result = build('/x(a|aa)+$');
    expect(result.skipped).toEqual([{ ingress: 'shop/regex', reason: expect.stringMatching(/^regex path "\/x\(a\|aa\)\+\$" can take exponential time to match/) }]);
    expect(hosts(result)).toEqual(['other.example.com']);
  });

  test('served with a warning under --regex-redos warn', () => {
    const result = build('/x(a|aa)+$', { regexRedos: 'warn' });
    expect(result.skipped).toEqual([]);
    expect(hosts(result)).toEqual(['other.example.com', 'regex.example.com']);
    expect(result.warnings).toEqual([{ ingress: 'shop/regex', message: expect.stringContaining('exponential') }]);
  });

  test('a linear regex is served without a warning', () => {
    const result = build('/app(/|$)(.*)');
    expect([result.skipped, result.warnings]).toEqual([[], []]);
  });
});

test('nginx matches regexes with PCRE2 JIT (pcre_jit on, in the main context)', () => {
  const text = renderNginxConf(build('/').model, { configDir: '/etc/gatehouse', httpListen: '0.0.0.0:80', httpsListen: '0.0.0.0:443' });
  expect(text.slice(0, text.indexOf('events {'))).toContain('\npcre_jit on;\n');
});
