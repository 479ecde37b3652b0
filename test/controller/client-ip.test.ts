// Client addresses behind a load balancer (nginx/client-ip.ts) against the real nginx: forwarded
// headers and PROXY protocol are believed only from peers in proxy-real-ip-cidr. The trusted peer
// is 127.0.0.1; the untrusted one connects from 127.0.0.2 (all of 127/8 is on lo).
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseConfigMap } from '../../src/configmap/parse-configmap.js';
import { DEFAULT_CLIENT_IP, type ClientIpOptions } from '../../src/nginx/client-ip.js';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { NginxHarness, startBackend, type Backend, type Echo } from './harness.js';

let nginx: NginxHarness;
let backend: Backend;

function cluster() {
  return shopCluster(
    service('shop', 'web'),
    endpointSlice('shop', 'web', [backend.ip], backend.port),
    ingress({ name: 'open', host: 'open.test', paths: [{ path: '/', service: 'web' }] }),
    ingress({
      name: 'allow',
      host: 'allow.test',
      annotations: { 'nginx.ingress.kubernetes.io/allowlist-source-range': '203.0.113.0/24' },
      paths: [{ path: '/', service: 'web' }],
    }),
    ingress({ name: 'secure', host: 'secure.test', annotations: { 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' }, paths: [{ path: '/', service: 'web' }] }),
  );
}

async function configure(clientIp: Partial<ClientIpOptions>): Promise<void> {
  nginx.extraRenderOptions = { clientIp: { ...DEFAULT_CLIENT_IP, ...clientIp } };
  expect((await nginx.apply(cluster())).status).toBe('applied');
}

interface Raw {
  status: number;
  echo?: Echo;
}

/** One HTTP/1.0 request over a raw socket from `from`, optionally behind a PROXY protocol v1 line. */
function raw(from: string, host: string, headers: Record<string, string> = {}, proxyLine?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: nginx.httpPort, localAddress: from });
    const chunks: Buffer[] = [];
    socket.setTimeout(15_000, () => socket.destroy(new Error('timed out')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString();
      const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(text)?.[1] ?? 0);
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      resolve({ status, ...(text.includes('application/json') ? { echo: JSON.parse(body) as Echo } : {}) });
    });
    const head = Object.entries({ Host: host, ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    // write, not end: nginx takes a half-closed connection for a client that went away (499).
    socket.write(`${proxyLine ?? ''}GET / HTTP/1.0\r\n${head}\r\n`);
  });
}

beforeAll(async () => {
  backend = await startBackend('web', '127.0.0.3');
  nginx = await NginxHarness.create();
});

afterAll(async () => {
  await nginx?.close();
  await backend?.close();
});

describe('by default nothing the client sends names the client', () => {
  beforeAll(() => configure({}));

  test('X-Forwarded-For and X-Real-IP are the peer, whatever the client sent', async () => {
    const r = await raw('127.0.0.1', 'open.test', { 'X-Forwarded-For': '203.0.113.7', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'evil.test' });
    expect(r.echo?.headers).toMatchObject({ 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'open.test' });
  });

  test('allowlist-source-range judges the peer', async () => {
    expect((await raw('127.0.0.1', 'allow.test', { 'X-Forwarded-For': '203.0.113.7' })).status).toBe(403);
  });
});

describe('use-forwarded-headers with proxy-real-ip-cidr 127.0.0.1', () => {
  beforeAll(() => configure({ useForwardedHeaders: true, proxyRealIpCidr: ['127.0.0.1/32'] }));

  test('a trusted peer names the client and the scheme', async () => {
    const r = await raw('127.0.0.1', 'open.test', { 'X-Forwarded-For': '198.51.100.1, 203.0.113.7', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Port': '443' });
    expect(r.echo?.headers).toMatchObject({ 'x-real-ip': '203.0.113.7', 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-port': '443' });
  });

  test('an untrusted peer is the client, its headers are overwritten', async () => {
    const r = await raw('127.0.0.2', 'open.test', { 'X-Forwarded-For': '203.0.113.7', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'evil.test' });
    expect(r.echo?.headers).toMatchObject({ 'x-real-ip': '127.0.0.2', 'x-forwarded-for': '127.0.0.2', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'open.test' });
  });

  test('the HTTPS redirect follows the scheme a trusted peer names, not an untrusted one', async () => {
    expect((await raw('127.0.0.1', 'secure.test', { 'X-Forwarded-Proto': 'https' })).status).toBe(200);
    expect((await raw('127.0.0.1', 'secure.test', { 'X-Forwarded-Proto': 'http' })).status).toBe(308);
    expect((await raw('127.0.0.2', 'secure.test', { 'X-Forwarded-Proto': 'https' })).status).toBe(308);
  });

  test('a trusted peer cannot inject a scheme other than http or https', async () => {
    const r = await raw('127.0.0.1', 'open.test', { 'X-Forwarded-Proto': 'javascript' });
    expect(r.echo?.headers['x-forwarded-proto']).toBe('http');
  });

  test('allowlist-source-range judges the real client when the peer is trusted', async () => {
    expect((await raw('127.0.0.1', 'allow.test', { 'X-Forwarded-For': '203.0.113.7' })).status).toBe(200);
    expect((await raw('127.0.0.1', 'allow.test', { 'X-Forwarded-For': '198.51.100.1' })).status).toBe(403);
    expect((await raw('127.0.0.2', 'allow.test', { 'X-Forwarded-For': '203.0.113.7' })).status).toBe(403);
  });

  test('forwarded-for-header names another header', async () => {
    await configure({ useForwardedHeaders: true, proxyRealIpCidr: ['127.0.0.1/32'], forwardedForHeader: 'CF-Connecting-IP' });
    const r = await raw('127.0.0.1', 'open.test', { 'CF-Connecting-IP': '203.0.113.9', 'X-Forwarded-For': '198.51.100.1' });
    expect(r.echo?.headers).toMatchObject({ 'x-real-ip': '203.0.113.9', 'x-forwarded-for': '203.0.113.9' });
  });
});

describe('compute-full-forwarded-for', () => {
  beforeAll(() => configure({ useForwardedHeaders: true, computeFullForwardedFor: true, proxyRealIpCidr: ['127.0.0.1/32'] }));

  test.for([
    ['a trusted peer: its list, then itself', '127.0.0.1', { 'X-Forwarded-For': '203.0.113.7' }, '203.0.113.7, 127.0.0.1'],
    ['a trusted peer without a list: itself', '127.0.0.1', {}, '127.0.0.1'],
    ['an untrusted peer: its list dropped', '127.0.0.2', { 'X-Forwarded-For': '203.0.113.7' }, '127.0.0.2'],
  ] as const)('%s', async ([, from, headers, expected]) => {
    expect((await raw(from, 'open.test', headers)).echo?.headers['x-forwarded-for']).toBe(expected);
  });
});

describe('use-proxy-protocol with proxy-real-ip-cidr 127.0.0.1', () => {
  beforeAll(() => configure({ useProxyProtocol: true, proxyRealIpCidr: ['127.0.0.1/32'] }));

  test('a trusted load balancer names the client in its PROXY header', async () => {
    const r = await raw('127.0.0.1', 'open.test', { 'X-Forwarded-For': '192.0.2.1' }, 'PROXY TCP4 198.51.100.9 127.0.0.1 40000 80\r\n');
    expect(r.echo?.headers).toMatchObject({ 'x-real-ip': '198.51.100.9', 'x-forwarded-for': '198.51.100.9' });
  });

  test('an untrusted peer\'s PROXY header is not believed', async () => {
    const r = await raw('127.0.0.2', 'open.test', {}, 'PROXY TCP4 198.51.100.9 127.0.0.1 40000 80\r\n');
    expect(r.echo?.headers).toMatchObject({ 'x-real-ip': '127.0.0.2', 'x-forwarded-for': '127.0.0.2' });
  });

  test('allowlist-source-range judges the PROXY protocol client', async () => {
    expect((await raw('127.0.0.1', 'allow.test', {}, 'PROXY TCP4 203.0.113.7 127.0.0.1 40000 80\r\n')).status).toBe(200);
    expect((await raw('127.0.0.1', 'allow.test', {}, 'PROXY TCP4 198.51.100.9 127.0.0.1 40000 80\r\n')).status).toBe(403);
  });

  test('a connection without the PROXY header is refused, not served', async () => {
    const r = await raw('127.0.0.1', 'open.test');
    expect(r.echo).toBeUndefined();
    expect(r.status).not.toBe(200);
  });
});

describe('from the ConfigMap: its keys override the flags', () => {
  beforeAll(async () => {
    const parsed = parseConfigMap({ 'use-forwarded-headers': 'true', 'proxy-real-ip-cidr': '127.0.0.1/32' });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    // The flags trust every peer's headers; the ConfigMap narrows that to 127.0.0.1.
    nginx.extraRenderOptions = { clientIp: { ...DEFAULT_CLIENT_IP, useForwardedHeaders: false }, global: parsed.config };
    expect((await nginx.apply(cluster())).status).toBe('applied');
  });

  test("a peer in the ConfigMap's proxy-real-ip-cidr: its X-Forwarded-For reaches the backend", async () => {
    const r = await raw('127.0.0.1', 'open.test', { 'X-Forwarded-For': '203.0.113.7' });
    expect(r.echo?.headers).toMatchObject({ 'x-real-ip': '203.0.113.7', 'x-forwarded-for': '203.0.113.7' });
  });

  test('a peer outside it: its X-Forwarded-For does not', async () => {
    const r = await raw('127.0.0.2', 'open.test', { 'X-Forwarded-For': '203.0.113.7' });
    expect(r.echo?.headers).toMatchObject({ 'x-real-ip': '127.0.0.2', 'x-forwarded-for': '127.0.0.2' });
  });
});
