// The server names hash is sized from the hosts rendered: every host the API server accepts
// (a DNS-1123 subdomain of up to 253 characters, or a wildcard) renders a configuration that
// real nginx accepts, without even the "could not build optimal" warning.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureFallbackCertificate } from '../../src/controller/fallback-cert.js';
import { ProcessNginxRunner } from '../../src/controller/nginx-runner.js';
import { DEFAULT_OWNERSHIP } from '../../src/k8s/ownership.js';
import { buildModel } from '../../src/nginx/build-model.js';
import { renderNginxConf } from '../../src/nginx/render.js';
import { serverNamesHash } from '../../src/nginx/server-names-hash.js';
import { ingress, shopCluster } from '../fixtures/builders.js';
import { NGINX_BINARY } from '../controller/harness.js';

/** A DNS-1123 subdomain of exactly `length` characters: 63-character labels, unique by a random first label. */
function hostOf(length: number): string {
  const labels: string[] = [randomBytes(8).toString('hex').slice(0, Math.min(16, length))];
  let size = labels[0]!.length;
  while (size < length) {
    const label = 'a'.repeat(Math.min(63, length - size - 1));
    if (label.length === 0) {
      labels[0] = `${labels[0]!}a`;
      size++;
      continue;
    }
    labels.push(label);
    size += label.length + 1;
  }
  return labels.join('.');
}

describe('serverNamesHash', () => {
  test.for<[string, string[], { bucketSize: number; maxSize: number }]>([
    ['no hosts: the old sizes', ['_'], { bucketSize: 256, maxSize: 512 }],
    ['short hosts: the old sizes', ['_', 'shop.example.com', 'api.example.com'], { bucketSize: 256, maxSize: 512 }],
    ['a 253-character host: room for four of them', ['_', 'x'.repeat(253)], { bucketSize: 2048, maxSize: 512 }],
    ['1,000 hosts: twice as many buckets, rounded up', Array.from({ length: 1000 }, (_, i) => `h${i}.example.com`), { bucketSize: 256, maxSize: 2048 }],
  ])('%s', ([, names, expected]) => {
    expect(serverNamesHash(names)).toEqual(expected);
  });

  test('a name fits a bucket by nginx\'s rule (element + pointer ≤ bucket size) up to 255 characters', () => {
    for (let length = 1; length <= 255; length++) {
      const element = 8 + Math.ceil((length + 2) / 8) * 8;
      expect(serverNamesHash(['x'.repeat(length)]).bucketSize).toBeGreaterThanOrEqual(element + 8);
    }
  });

  test('hostOf makes hosts of the asked length', () => {
    for (const n of [1, 20, 64, 238, 239, 253]) expect(hostOf(n)).toHaveLength(n);
  });
});

describe('real nginx accepts every host length and count', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-names-'));
    await ensureFallbackCertificate(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test.for<[string, () => string[]]>([
    ['one host of 239 characters (the old limit plus one)', () => [hostOf(239)]],
    ['one host of 253 characters (the API server\'s limit)', () => [hostOf(253)]],
    ['a wildcard host of 255 characters', () => [`*.${hostOf(253)}`]],
    ['300 hosts of 253 characters', () => Array.from({ length: 300 }, () => hostOf(253))],
    ['2,000 hosts of 100 to 253 characters', () => Array.from({ length: 2000 }, (_, i) => hostOf(100 + (i % 154)))],
    ['3,000 short hosts and one of 253', () => [...Array.from({ length: 3000 }, (_, i) => `h${i}.example.com`), hostOf(253)]],
  ])('%s', { timeout: 60_000 }, async ([name, hosts]) => {
    // Every tenth host also listens for TLS: the HTTPS port has a hash of its own.
    const cluster = shopCluster(...hosts().map((host, i) => ingress({ name: `i${i}`, host, ...(i % 10 === 0 ? { tls: [{ hosts: [host] }] } : {}) })));
    const build = buildModel(cluster, { ownership: DEFAULT_OWNERSHIP });
    expect(build.skipped).toEqual([]);
    const path = join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.conf`);
    await writeFile(path, renderNginxConf(build.model, { configDir: dir, httpListen: '127.0.0.1:1', httpsListen: '127.0.0.1:2' }));
    const result = await new ProcessNginxRunner({ binary: NGINX_BINARY, configDir: dir }).test(path);
    expect(result.output).not.toMatch(/emerg|warn|could not build/);
    expect(result.ok).toBe(true);
  });
});
