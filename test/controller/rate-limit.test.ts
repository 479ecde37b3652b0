// Rate and connection limits on the real nginx. No timing assumptions beyond "a minute is longer
// than this test": limits of one request per minute, requests fired at once, counts as ranges.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { NginxHarness, startBackend, type Backend, type Response } from './harness.js';

const P = 'nginx.ingress.kubernetes.io/';
let nginx: NginxHarness;
let backend: Backend;
let text = '';
/** Requests to /hold wait here until released. */
const held: (() => void)[] = [];
let arrived: () => void = () => {};

function limited(name: string, host: string, annotations: Record<string, string>) {
  const prefixed = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [P + k, v]));
  return ingress({ name, host, annotations: prefixed, paths: [{ path: '/', service: 'a' }] });
}

async function burst(host: string, n: number, localAddress?: string, path = '/'): Promise<number[]> {
  const responses: Response[] = await Promise.all(Array.from({ length: n }, () => nginx.get(host, path, localAddress ? { localAddress } : {})));
  return responses.map((r) => r.status);
}

const count = (statuses: number[], status: number): number => statuses.filter((s) => s === status).length;

beforeAll(async () => {
  backend = await startBackend('a', '127.0.0.60', (req, res) => {
    if (req.url === '/big') {
      res.end('x'.repeat(4096));
      return true;
    }
    if (req.url !== '/hold') return false;
    held.push(() => res.end('released'));
    arrived();
    return true;
  });
  const cluster = shopCluster(
    service('shop', 'a'),
    endpointSlice('shop', 'a', [backend.ip], backend.port),
    limited('rpm', 'rpm.com', { 'limit-rpm': '1', 'limit-burst-multiplier': '1' }),
    // Same limits, another Ingress: its own budget.
    limited('rpm-twin', 'rpm-twin.com', { 'limit-rpm': '1', 'limit-burst-multiplier': '1' }),
    limited('rps', 'rps.com', { 'limit-rps': '1', 'limit-burst-multiplier': '1' }),
    limited('exempt', 'exempt.com', { 'limit-rpm': '1', 'limit-burst-multiplier': '1', 'limit-whitelist': '127.0.0.2/32, 2001:db8::/32' }),
    limited('conn', 'conn.com', { 'limit-connections': '1' }),
    limited('slow', 'slow.com', { 'limit-rate': '1', 'limit-rate-after': '1' }),
  );
  nginx = await NginxHarness.create();
  expect((await nginx.apply(cluster)).status).toBe('applied');
  text = nginx.render(cluster).text;
});

afterAll(async () => {
  for (const release of held) release();
  await nginx?.close();
  await backend?.close();
});

describe('limit-rpm and limit-rps', () => {
  test('one request per minute with a burst of one: of six at once, two pass and the rest get 503', async () => {
    const statuses = await burst('rpm.com', 6);
    expect(count(statuses, 200) + count(statuses, 503)).toBe(6);
    expect(count(statuses, 200)).toBe(2);
  });

  test('another Ingress with the same limits has its own budget', async () => {
    await burst('rpm.com', 3);
    const statuses = await burst('rpm-twin.com', 4);
    expect(count(statuses, 200)).toBe(2);
    const zones = text.match(/limit_req_zone \$binary_remote_addr zone=gh_[0-9a-f]{16}_rpm:1m rate=1r\/m;/g);
    expect(new Set(zones).size).toBe(2);
  });

  test('one request per second with a burst of one: of twenty at once, some get 503', async () => {
    const statuses = await burst('rps.com', 20);
    expect(count(statuses, 200)).toBeGreaterThanOrEqual(2);
    expect(count(statuses, 503)).toBeGreaterThan(0);
    expect(count(statuses, 200) + count(statuses, 503)).toBe(20);
  });
});

describe('limit-whitelist', () => {
  test('an allow-listed client is not limited', async () => {
    expect(await burst('exempt.com', 6, '127.0.0.2')).toEqual([200, 200, 200, 200, 200, 200]);
  });

  test('other clients are', async () => {
    const statuses = await burst('exempt.com', 6, '127.0.0.3');
    expect(count(statuses, 503)).toBe(4);
  });
});

describe('limit-connections', () => {
  test('a second connection while one is open gets 503; after it closes, requests pass again', async () => {
    const first = new Promise<void>((resolve) => (arrived = resolve));
    const open = nginx.get('conn.com', '/hold');
    await first;
    expect((await nginx.get('conn.com', '/')).status).toBe(503);
    held.shift()!();
    expect((await open).status).toBe(200);
    expect((await nginx.get('conn.com', '/')).status).toBe(200);
  });
});

describe('limit-rate and limit-rate-after', () => {
  test('are rendered in kilobytes, as ingress-nginx does', () => {
    expect(text).toContain('limit_rate_after 1k;');
    expect(text).toContain('limit_rate 1k;');
  });

  test('4 KB at 1 KB/s after the first 1 KB take seconds (a lower bound only)', async () => {
    const started = Date.now();
    const res = await nginx.get('slow.com', '/big');
    expect(res.text).toHaveLength(4096);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
  });
});
