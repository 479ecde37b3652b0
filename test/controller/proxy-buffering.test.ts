// Buffering, protocol version and retries, end to end on a real nginx with loopback backends, with
// endpoints in nginx.conf and through the Lua endpoint channel (the same behaviour).
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ingress, service, shopCluster, type IngressSpecInput } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { freePort, NginxHarness, startBackend, type Backend } from './harness.js';

const P = 'nginx.ingress.kubernetes.io/';
let nginx: NginxHarness;
const backends: Backend[] = [];
let deadPort = 0;
let cluster: ReturnType<typeof shopCluster>;

/** Bytes of /big: more than the loopback sockets between backend, nginx and client can hold (a few MB each). */
const BIG = 48 * 1024 * 1024;
/** Hosts whose /big response the backend has written to the end. */
const bigSent = new Set<string>();
const bigWaiters: (() => void)[] = [];

/** Writes BIG bytes in 1 MB chunks, waiting for `drain` as a streaming server does. */
function sendBig(host: string, res: http.ServerResponse): void {
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  let left = BIG / chunk.length;
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(BIG) });
  const pump = (): void => {
    while (left > 0) {
      left--;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end(() => {
      bigSent.add(host);
      for (const w of bigWaiters.splice(0)) w();
    });
  };
  pump();
}

function whenSent(host: string): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => (bigSent.has(host) ? resolve() : void bigWaiters.push(check));
    check();
  });
}

/** A request whose response is never read past its headers; `abort` closes it. */
function stalled(host: string): Promise<{ abort: () => void }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: nginx.httpPort, path: '/big', headers: { host }, agent: false }, (res) => {
      res.pause();
      resolve({ abort: () => req.destroy() });
    });
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
  });
}

function annotated(name: string, host: string, annotations: Record<string, string>, more: Partial<IngressSpecInput> = {}) {
  const prefixed = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [P + k, v]));
  return ingress({ name, host, annotations: prefixed, paths: [{ path: '/', service: 'a' }], ...more });
}

describe.for([{ channel: false }, { channel: true }])('endpoint channel: $channel', ({ channel }) => {
beforeAll(async () => {
  backends.length = 0;
  // /big: BIG bytes, written as fast as nginx reads them. (The first bytes of a slow response reach
  // the client with buffering on too: nginx forwards what it has; what "off" changes is that
  // nginx reads no further than the client does.)
  const a = await startBackend('a', '127.0.0.60', (req, res) => {
    if (req.url === '/big') {
      sendBig(req.headers.host ?? '', res);
      return true;
    }
    return false;
  });
  const b = await startBackend('b', '127.0.0.61');
  backends.push(a, b);
  // Retries: Service `pair` has one endpoint nobody listens on and one that answers.
  deadPort = await freePort();
  cluster = shopCluster(
    ...['a', 'pair', 'dead-only'].map((n) => service('shop', n)),
    endpointSlice('shop', 'a', [a.ip], a.port),
    endpointSlice('shop', 'pair', ['127.0.0.62'], deadPort),
    endpointSlice('shop', 'pair', [b.ip], b.port, { name: 'pair-b' }),
    annotated('stream', 'stream.com', { 'proxy-buffering': 'off' }),
    annotated('buffered', 'buffered.com', { 'proxy-buffering': 'on' }),
    annotated('http10', 'http10.com', { 'proxy-http-version': '1.0' }),
    annotated('retry', 'retry.com', { 'proxy-next-upstream': 'error timeout', 'proxy-next-upstream-tries': '2' }, { paths: [{ path: '/', service: 'pair' }] }),
    annotated('no-retry', 'no-retry.com', { 'proxy-next-upstream': 'off' }, { paths: [{ path: '/', service: 'pair' }] }),
    annotated('sizes', 'sizes.com', {
      'proxy-buffer-size': '256k',
      'proxy-buffers-number': '4',
      'proxy-request-buffering': 'off',
      'proxy-max-temp-file-size': '0',
      'client-body-buffer-size': '16m',
      'proxy-next-upstream-timeout': '5',
    }),
    annotated('number-only', 'number.com', { 'proxy-buffers-number': '32' }),
  );
  nginx = await NginxHarness.create(undefined, {}, { channel });
  expect((await nginx.apply(cluster)).status).toBe('applied');
});

afterAll(async () => {
  await nginx?.close();
  await Promise.all(backends.map((b) => b.close()));
});

describe('proxy-buffering', () => {
  test('"off" applies the client\'s back-pressure: with the client not reading, a buffered response is read to the end, an unbuffered one is not', async () => {
    const [on, off] = await Promise.all([stalled('buffered.com'), stalled('stream.com')]);
    try {
      await whenSent('buffered.com');
      expect(bigSent.has('stream.com')).toBe(false);
    } finally {
      on.abort();
      off.abort();
    }
  });

});

describe('proxy-http-version', () => {
  test('1.0: the backend sees HTTP/1.0', async () => {
    expect((await nginx.get('http10.com', '/')).echo?.httpVersion).toBe('1.0');
  });

  test('unset: HTTP/1.1', async () => {
    expect((await nginx.get('buffered.com', '/')).echo?.httpVersion).toBe('1.1');
  });
});

describe('proxy-next-upstream', () => {
  test('"error timeout": every request reaches the live endpoint though the other refuses connections', async () => {
    const seen = await Promise.all(Array.from({ length: 6 }, () => nginx.get('retry.com', '/')));
    expect(seen.map((r) => r.echo?.backend)).toEqual(Array(6).fill('b'));
  });

  test('"off": a request that reaches the closed endpoint fails with 502', async () => {
    const seen = await Promise.all(Array.from({ length: 6 }, () => nginx.get('no-retry.com', '/')));
    expect(seen.map((r) => r.status)).toContain(502);
  });
});

describe('buffer sizes', () => {
  test('the largest accepted sizes and counts pass nginx -t and serve', async () => {
    expect((await nginx.get('sizes.com', '/')).echo?.backend).toBe('a');
    expect((await nginx.get('number.com', '/')).echo?.backend).toBe('a');
  });

  test('render the directives nginx checks', () => {
    const text = nginx.render(cluster).text;
    expect(text).toContain('proxy_buffers 4 256k;');
    expect(text).toContain('proxy_buffers 32 4k;');
    expect(text).toContain('proxy_max_temp_file_size 0;');
  });
});
});
