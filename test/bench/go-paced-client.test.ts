import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildGo, pacedLoad } from '../../bench/webhook.js';
import { selfSignedKeyPair } from '../../src/tls/self-signed.js';

// The bench's fixed-rate client (bench/go-paced-client). Needs Debian's golang-go, as `npm run
// bench` does (.ci/run installs it); skipped on a machine without it, except under CI.
const hasGo = spawnSync('go', ['version']).status === 0;

describe.skipIf(!hasGo && process.env['CI'] !== 'true')('go-paced-client', () => {
  let dir: string;
  let client: string;
  let server: Server;
  let url: string;
  let delayMs = 0;
  let bodies: string;
  const received: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-paced-'));
    client = join(dir, 'go-paced-client');
    expect(buildGo(join(import.meta.dirname, '../../bench/go-paced-client'), client)).toBeUndefined();
    bodies = join(dir, 'bodies.json');
    writeFileSync(bodies, JSON.stringify(['{"n":1}', '{"n":2}']));
    const pair = selfSignedKeyPair(['127.0.0.1']);
    server = createServer({ cert: pair.cert, key: pair.key }, (req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push(body);
        setTimeout(() => res.end('{}'), delayMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as { port: number }).port}/validate`;
  }, 120_000);

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  test('sends RATE × SECONDS requests, the bodies in turn, and reports every answer', async () => {
    received.length = 0;
    delayMs = 0;
    const r = await pacedLoad(client, url, bodies, { rate: 100, seconds: 1, connections: 2 });
    expect(r).toMatchObject({ rps: 100, errors: 0, non2xx: 0 });
    expect(received).toHaveLength(100);
    // In turn as sent; two connections may deliver neighbours in either order, so count them.
    expect(received.filter((b) => b === '{"n":1}')).toHaveLength(50);
    expect(received.filter((b) => b === '{"n":2}')).toHaveLength(50);
    expect(r.p50).toBeGreaterThan(0);
  });

  test('open loop: a server slower than the rate is charged for the wait for a free connection', async () => {
    // Two connections and 25 ms per answer serve 80 req/s; 200 are due in one second, so the
    // last ones wait over a second. A closed-loop client would report ~25 ms for every one.
    delayMs = 25;
    const r = await pacedLoad(client, url, bodies, { rate: 200, seconds: 1, connections: 2 });
    expect(r).toMatchObject({ rps: 200, errors: 0 });
    expect(r.p50).toBeGreaterThanOrEqual(25);
    expect(r.p99).toBeGreaterThan(500);
  }, 30_000);
});
