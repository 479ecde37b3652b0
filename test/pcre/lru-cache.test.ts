import { describe, expect, test } from 'vitest';
import { LruCache } from '../../src/pcre/lru-cache.js';

const byLength = { sizeOf: (key: string, value: string) => key.length + value.length };

describe('entry bound', () => {
  test('returns what was stored', () => {
    const cache = new LruCache<string, number>({ maxEntries: 2 });
    cache.set('a', 1);
    expect(cache.get('a')).toBe(1);
  });

  test('evicts the least recently stored entry past capacity', () => {
    const cache = new LruCache<string, number>({ maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
  });

  test('a read makes an entry recently used', () => {
    const cache = new LruCache<string, number>({ maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b')]).toEqual([1, undefined]);
  });

  test('repeated reads of the most recent entry keep the order exact', () => {
    const cache = new LruCache<string, number>({ maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('b');
    cache.get('b');
    cache.get('a');
    cache.get('a');
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
  });

  test('an overwritten most recent entry is still found and ordered', () => {
    const cache = new LruCache<string, number>({ maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('b', 3);
    cache.get('a');
    cache.set('c', 4);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 4]);
  });

  test('overwriting a key does not grow the cache', () => {
    const cache = new LruCache<string, number>({ maxEntries: 2 });
    cache.set('a', 1);
    cache.set('a', 2);
    expect([cache.size, cache.get('a')]).toEqual([1, 2]);
  });
});

describe('byte bound', () => {
  test('counts the bytes of what it holds', () => {
    const cache = new LruCache<string, string>({ maxEntries: 10, maxBytes: 100, ...byLength });
    cache.set('ab', 'cde');
    cache.set('f', 'g');
    expect(cache.bytes).toBe(7);
  });

  test('evicts least recently used entries until the bytes fit, whatever the entry count', () => {
    const cache = new LruCache<string, string>({ maxEntries: 1000, maxBytes: 10, ...byLength });
    cache.set('a', 'xxxx');
    cache.set('b', 'xxxx');
    cache.get('a');
    cache.set('c', 'xxxx');
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.bytes]).toEqual(['xxxx', undefined, 'xxxx', 10]);
  });

  test('never stores an entry larger than the whole bound, and keeps the others', () => {
    const cache = new LruCache<string, string>({ maxEntries: 1000, maxBytes: 10, ...byLength });
    cache.set('a', 'x');
    cache.set('huge', 'x'.repeat(100));
    expect([cache.get('huge'), cache.get('a'), cache.bytes]).toEqual([undefined, 'x', 2]);
  });

  test('overwriting a key replaces its bytes instead of adding to them', () => {
    const cache = new LruCache<string, string>({ maxEntries: 10, maxBytes: 100, ...byLength });
    cache.set('a', 'xxxxxxxx');
    cache.set('a', 'x');
    expect(cache.bytes).toBe(2);
  });

  test('stays within the bound under many large entries', () => {
    const cache = new LruCache<string, string>({ maxEntries: 10_000, maxBytes: 1_000_000, ...byLength });
    for (let i = 0; i < 2_000; i++) cache.set(`k${i}`, 'x'.repeat(10_000));
    expect(cache.bytes).toBeLessThanOrEqual(1_000_000);
    expect(cache.size).toBeLessThanOrEqual(100);
  });
});

test.for([{ maxEntries: 0 }, { maxEntries: -1 }, { maxEntries: 1.5 }, { maxEntries: 1, maxBytes: 0, sizeOf: () => 1 }, { maxEntries: 1, maxBytes: 10 }])(
  'rejects limits %j',
  (limits) => {
    expect(() => new LruCache(limits)).toThrow(RangeError);
  },
);
