import { describe, expect, test } from 'vitest';
import { ConfBytes } from '../../src/nginx/conf-bytes.js';

describe('ConfBytes', () => {
  test('holds what was appended, in order, across chunks', () => {
    const out = new ConfBytes();
    const pieces = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(i % 700)}\n`);
    for (const p of pieces) out.append(p);
    const expected = pieces.join('');
    expect(out.length).toBe(Buffer.byteLength(expected));
    expect(out.bytes().toString('utf8')).toBe(expected);
  });

  test('counts UTF-8 bytes, and takes a piece larger than a chunk', () => {
    const out = new ConfBytes();
    const big = 'é'.repeat(3 << 20);
    out.append('a');
    out.append(big);
    out.append('€');
    expect(out.length).toBe(1 + 2 * (3 << 20) + 3);
    expect(out.bytes().toString('utf8')).toBe(`a${big}€`);
  });
});
