import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { captureNameClash } from '../../src/pcre/nginx-variables.js';

const golden = readdirSync(new URL('../nginx/golden/', import.meta.url)).map((f) => readFileSync(new URL(`../nginx/golden/${f}`, import.meta.url), 'utf8'));
// The renderer and the annotation features (their directives are rendered into locations).
const renderer = [
  ...['render.ts', 'render-location.ts'].map((f) => new URL(`../../src/nginx/${f}`, import.meta.url)),
  ...readdirSync(new URL('../../src/annotations/features/', import.meta.url)).map((f) => new URL(`../../src/annotations/features/${f}`, import.meta.url)),
].map((url) => readFileSync(url, 'utf8'));

describe('captureNameClash', () => {
  // The renderer's own variables: a capture of that name would redefine them for every host.
  const defined = new Set(renderer.flatMap((src) => [...src.matchAll(/(?:\bset|\bmap \S+) \$([a-z_]+)/g)].map((m) => m[1]!)));

  test('the renderer defines variables (the scan below sees them)', () => {
    expect([...defined]).toEqual(expect.arrayContaining(['connection_upgrade', 'gh_affinity']));
  });

  test.for([...defined])('refuses $%s, which the renderer defines', (name) => {
    expect(captureNameClash(name)).toBeDefined();
  });

  // Every variable the rendered nginx.conf reads: a capture of that name would change it.
  const used = new Set(golden.flatMap((text) => [...text.matchAll(/\$([a-z_][a-z0-9_]*)/g)].map((m) => m[1]!)));

  test.for([...used])('refuses $%s, which the rendered nginx.conf reads', (name) => {
    expect(captureNameClash(name)).toBeDefined();
  });

  test.for(['HOST', 'Request_Uri'])('compares names case-insensitively, as nginx does: %s', (name) => {
    expect(captureNameClash(name)).toBeDefined();
  });

  test.for(['id', 'item', 'version', 'path', 'hosts', 'my_uri', 'httpx'])('accepts %s', (name) => {
    expect(captureNameClash(name)).toBeUndefined();
  });
});
