// Canary Ingresses on the real nginx: a main and a canary Ingress for the same host + path, two
// loopback backends, and the choice made per request as ingress-nginx documents it
// (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary):
// header, then cookie, then weight.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { KubeObject } from '../../src/k8s/types.js';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { NginxHarness, startBackend, type Backend } from './harness.js';

const P = 'nginx.ingress.kubernetes.io/';
let nginx: NginxHarness;
let main: Backend;
let canary: Backend;
let base: KubeObject[];
let canaries: KubeObject[];

/** The main Ingress of `host` (Service main) and its canary (Service canary) with these annotations. */
function pair(host: string, annotations: Record<string, string>, services = { main: 'main', canary: 'canary' }): KubeObject[] {
  const prefixed = Object.fromEntries(Object.entries({ canary: 'true', ...annotations }).map(([k, v]) => [P + k, v]));
  return [
    ingress({ name: `${host}-main`, host, paths: [{ path: '/', service: services.main }] }),
    ingress({ name: `${host}-canary`, host, annotations: prefixed, paths: [{ path: '/', service: services.canary }] }),
  ];
}

async function backendOf(host: string, opts: { headers?: Record<string, string>; cookie?: string } = {}): Promise<string | number> {
  const headers = { ...opts.headers, ...(opts.cookie ? { cookie: opts.cookie } : {}) };
  const res = await nginx.get(host, '/', { headers });
  return res.echo?.backend ?? res.status;
}

beforeAll(async () => {
  main = await startBackend('main', '127.0.0.60');
  canary = await startBackend('canary', '127.0.0.61');
  base = [
    service('shop', 'main'),
    service('shop', 'canary'),
    service('shop', 'idle'), // no endpoints
    endpointSlice('shop', 'main', [main.ip], main.port),
    endpointSlice('shop', 'canary', [canary.ip], canary.port),
  ];
  canaries = [
    ...pair('header.test', { 'canary-by-header': 'X-Canary' }),
    ...pair('value.test', { 'canary-by-header': 'X-Canary', 'canary-by-header-value': 'beta' }),
    ...pair('pattern.test', { 'canary-by-header': 'X-Canary', 'canary-by-header-pattern': '^Do[A-Z][a-z]+y$' }),
    ...pair('cookie.test', { 'canary-by-cookie': 'canary_user' }),
    ...pair('w0.test', { 'canary-weight': '0' }),
    ...pair('w100.test', { 'canary-weight': '100' }),
    ...pair('w50.test', { 'canary-weight': '50' }),
    ...pair('total.test', { 'canary-weight': '3', 'canary-weight-total': '3' }),
    ...pair('precedence.test', { 'canary-by-header': 'X-Canary', 'canary-by-cookie': 'canary_user', 'canary-weight': '100' }),
    ...pair('idle-canary.test', { 'canary-by-header': 'X-Canary' }, { main: 'main', canary: 'idle' }),
    ...pair('idle-main.test', { 'canary-by-header': 'X-Canary' }, { main: 'idle', canary: 'canary' }),
    // Cookie affinity on the main Ingress: the weight is keyed on the session cookie.
    ingress({ name: 'sticky-main', host: 'sticky.test', annotations: { [`${P}affinity`]: 'cookie' }, paths: [{ path: '/', service: 'main' }] }),
    ingress({ name: 'sticky-canary', host: 'sticky.test', annotations: { [`${P}canary`]: 'true', [`${P}canary-weight`]: '50' }, paths: [{ path: '/', service: 'canary' }] }),
    // A canary alone: ingress-nginx does not serve it as the main route.
    ingress({ name: 'orphan-canary', host: 'orphan.test', annotations: { [`${P}canary`]: 'true', [`${P}canary-weight`]: '100' }, paths: [{ path: '/', service: 'canary' }] }),
  ];
  nginx = await NginxHarness.create();
  expect((await nginx.apply(shopCluster(...base, ...canaries))).status).toBe('applied');
});

afterAll(async () => {
  await nginx?.close();
  await Promise.all([main, canary].map((b) => b?.close()));
});

describe('canary-by-header', () => {
  test.for<[string, Record<string, string>, string]>([
    ['always → canary', { 'X-Canary': 'always' }, 'canary'],
    ['never → main', { 'X-Canary': 'never' }, 'main'],
    ['another value falls through (weight 0) → main', { 'X-Canary': 'sometimes' }, 'main'],
    ['no header → main', {}, 'main'],
    ['the header name is case-insensitive', { 'x-canary': 'always' }, 'canary'],
  ])('%s', async ([, headers, expected]) => {
    expect(await backendOf('header.test', { headers })).toBe(expected);
  });

  test.for<[string, Record<string, string>, string]>([
    ['the value → canary', { 'X-Canary': 'beta' }, 'canary'],
    ['always is just another value then → main', { 'X-Canary': 'always' }, 'main'],
    ['values compare case-sensitively → main', { 'X-Canary': 'Beta' }, 'main'],
  ])('canary-by-header-value: %s', async ([, headers, expected]) => {
    expect(await backendOf('value.test', { headers })).toBe(expected);
  });

  test.for<[string, Record<string, string>, string]>([
    ['a match → canary', { 'X-Canary': 'DoCanary' }, 'canary'],
    ['no match → main', { 'X-Canary': 'Docanary' }, 'main'],
    ['always is just another value then → main', { 'X-Canary': 'always' }, 'main'],
    ['no header → main', {}, 'main'],
  ])('canary-by-header-pattern: %s', async ([, headers, expected]) => {
    expect(await backendOf('pattern.test', { headers })).toBe(expected);
  });
});

describe('canary-by-cookie', () => {
  test.for<[string, string | undefined, string]>([
    ['always → canary', 'canary_user=always', 'canary'],
    ['never → main', 'canary_user=never', 'main'],
    ['among other cookies', 'a=1; canary_user=always; b=2', 'canary'],
    ['another value falls through (weight 0) → main', 'canary_user=maybe', 'main'],
    ['no cookie → main', undefined, 'main'],
  ])('%s', async ([, cookie, expected]) => {
    expect(await backendOf('cookie.test', cookie ? { cookie } : {})).toBe(expected);
  });
});

describe('canary-weight', () => {
  async function tally(host: string, n: number): Promise<Map<string | number, number>> {
    const seen = new Map<string | number, number>();
    for (let i = 0; i < n; i++) {
      const b = await backendOf(host);
      seen.set(b, (seen.get(b) ?? 0) + 1);
    }
    return seen;
  }

  test('weight 0: never the canary', async () => {
    expect([...(await tally('w0.test', 40)).keys()]).toEqual(['main']);
  });

  test('weight 100 (of 100): always the canary', async () => {
    expect([...(await tally('w100.test', 40)).keys()]).toEqual(['canary']);
  });

  test('weight equal to canary-weight-total (3 of 3): always the canary', async () => {
    expect([...(await tally('total.test', 20)).keys()]).toEqual(['canary']);
  });

  test('weight 50: both backends, in a plausible proportion', async () => {
    const seen = await tally('w50.test', 200);
    expect([...seen.keys()].sort()).toEqual(['canary', 'main']);
    // Binomial(200, 0.5): 50..150 is more than 7 standard deviations either side.
    expect(seen.get('canary')).toBeGreaterThan(50);
    expect(seen.get('main')).toBeGreaterThan(50);
  });
});

describe('canary-weight with cookie affinity on the route', () => {
  test('a session keeps the side it got; sessions land on both sides', async () => {
    const sides = new Set<string | number>();
    for (let s = 0; s < 24; s++) {
      const cookie = `INGRESSCOOKIE=session-${s}`;
      const first = await backendOf('sticky.test', { cookie });
      for (let i = 0; i < 4; i++) expect(await backendOf('sticky.test', { cookie })).toBe(first);
      sides.add(first);
    }
    expect([...sides].sort()).toEqual(['canary', 'main']);
  });
});

describe('precedence: header, then cookie, then weight', () => {
  test.for<[string, Record<string, string>, string | undefined, string]>([
    ['header never beats cookie always', { 'X-Canary': 'never' }, 'canary_user=always', 'main'],
    ['header always beats cookie never', { 'X-Canary': 'always' }, 'canary_user=never', 'canary'],
    ['cookie never beats weight 100', {}, 'canary_user=never', 'main'],
    ['another header value falls through to the cookie', { 'X-Canary': 'other' }, 'canary_user=never', 'main'],
    ['nothing set: weight 100', {}, undefined, 'canary'],
  ])('%s', async ([, headers, cookie, expected]) => {
    expect(await backendOf('precedence.test', { headers, ...(cookie ? { cookie } : {}) })).toBe(expected);
  });
});

describe('a side without endpoints answers 503, the other still serves', () => {
  test('canary Service without endpoints', async () => {
    expect(await backendOf('idle-canary.test', { headers: { 'X-Canary': 'always' } })).toBe(503);
    expect(await backendOf('idle-canary.test')).toBe('main');
  });

  test('main Service without endpoints', async () => {
    expect(await backendOf('idle-main.test', { headers: { 'X-Canary': 'always' } })).toBe('canary');
    expect(await backendOf('idle-main.test')).toBe(503);
  });
});

describe('a canary without its main Ingress', () => {
  test('is not served as the main route, and is reported', async () => {
    expect(await backendOf('orphan.test')).toBe(404);
    expect(nginx.lastBuild?.warnings).toContainEqual({
      ingress: 'shop/orphan-canary',
      message: 'canary for host orphan.test, prefix path / is not served: no main (non-canary) Ingress serves that route',
    });
  });
});

describe('removing the canary', () => {
  test('sends everything to the main Ingress', async () => {
    expect(await backendOf('w100.test')).toBe('canary');
    const without = canaries.filter((o) => o.metadata?.name !== 'w100.test-canary');
    expect((await nginx.apply(shopCluster(...base, ...without))).status).toBe('applied');
    for (let i = 0; i < 10; i++) expect(await backendOf('w100.test')).toBe('main');
  });
});
